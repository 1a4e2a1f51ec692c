"""Operators see who uses two-factor sign-in, and reset it for a user who lost both phone and recovery codes
(the user sets it up again at their next sign-in where it is required). Deleting is audited."""

from django.contrib import admin

from apps.core.admin import AuditedAdminMixin
from apps.twofactor.models import RecoveryCode, TwoFactorDevice


@admin.register(TwoFactorDevice)
class TwoFactorDeviceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "created_at", "last_used_at", "recovery_codes_left")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
    actions = ["delete_selected"]

    @admin.display(description="Unused recovery codes")
    def recovery_codes_left(self, device: TwoFactorDevice) -> int:
        return device.recovery_codes.filter(used_at__isnull=True).count()

    def has_add_permission(self, request):
        return False  # only the user can set it up: the secret must be theirs alone

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecoveryCode)
class RecoveryCodeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only: whether each code was used, never its hash. (Deleting one, or its device, is audited.)"""

    list_display = ("__str__", "used_at")
    list_select_related = ("device__user",)
    fields = ("device", "used_at")
    readonly_fields = ("device", "used_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
