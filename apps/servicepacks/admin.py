"""Operator admin for servicepacks: the operator's own, saved with plain forms, each save and delete audited."""

from __future__ import annotations

from django.contrib import admin

from apps.accounts.models import Account
from apps.core.admin import AuditedAdminMixin, related_count
from apps.servicepacks.models import ServicePack, ServicePackItem


class ServicePackItemInline(admin.TabularInline):
    model = ServicePackItem
    fields = ("asset_type", "max_count", "max_size_mb", "created_with_account")
    extra = 0


@admin.register(ServicePack)
class ServicePackAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Packs belong to the platform, not to a reseller: their audit events have no reseller."""

    list_display = ("name", "is_active", "is_restricted", "items_summary", "account_count", "created_at")
    list_filter = ("is_active", "is_restricted")
    search_fields = ("name",)
    autocomplete_fields = ("allowed_resellers",)
    readonly_fields = ("created_at",)
    fields = ("name", "description", "is_active", "is_restricted", "allowed_resellers", "created_at")
    inlines = (ServicePackItemInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("items")
            .annotate(account_count=related_count(Account.objects, "servicepack"))
        )

    @admin.display(description="Items")
    def items_summary(self, obj: ServicePack) -> str:
        return ", ".join(
            f"{item.max_count} × {item.get_asset_type_display()} ({item.max_size_mb} MB)" for item in obj.items.all()
        )

    @admin.display(description="Accounts", ordering="account_count")
    def account_count(self, obj: ServicePack) -> int:
        return obj.account_count


@admin.register(ServicePackItem)
class ServicePackItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("servicepack", "asset_type", "max_count", "max_size_mb", "created_with_account")
    list_filter = ("asset_type", "created_with_account", "servicepack")
    list_select_related = ("servicepack",)
    search_fields = ("servicepack__name",)
