"""Operator admin for API keys: read-only (keys are made by resellers or `createapikey`), the secret never shown;
keys are revoked through `revoke_api_key`, as the operator acting for the key's reseller. OAuth application links
are read-only too: no service writes them from admin yet."""

from __future__ import annotations

from django.apps import apps as django_apps
from django.contrib import admin

from apps.apikeys.models import ApiKey, ResellerApplication
from apps.apikeys.services import revoke_api_key
from apps.core.admin import operator_principal, run_for_each


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "key",
        "reseller",
        "level",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "is_usable",
    )
    list_filter = ("level", ("revoked_at", admin.EmptyFieldListFilter), "reseller")
    list_select_related = ("reseller", "created_by")
    search_fields = ("=key", "name")
    show_full_result_count = False
    actions = ("revoke_selected",)
    # Never `secret_encrypted`: listed explicitly so that a new field is not shown by default either.
    fields = (
        "name",
        "key",
        "reseller",
        "level",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: it is audited, and the key's history stays

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("apikeys.change_apikey")

    @admin.display(description="Usable", boolean=True)
    def is_usable(self, obj: ApiKey) -> bool:
        return obj.is_usable

    @admin.action(description="Revoke selected API keys", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        run_for_each(
            self,
            request,
            queryset.select_related("reseller"),
            lambda api_key: revoke_api_key(
                principal=operator_principal(request, api_key.reseller), api_key_id=api_key.pk
            ),
            done="API keys revoked: {count}.",
        )


@admin.register(ResellerApplication)
class ResellerApplicationAdmin(admin.ModelAdmin):
    """Which reseller's data an OAuth application's tokens may reach. Read-only: linking an application to a reseller
    is a reseller's act (level `full`), audited by its service, not an operator's edit."""

    list_display = ("application", "client_type", "reseller", "created_at")
    list_filter = ("reseller",)
    list_select_related = ("application", "reseller")
    search_fields = ("application__name", "=application__client_id")
    fields = ("application", "reseller", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Client type", ordering="application__client_type")
    def client_type(self, obj: ResellerApplication) -> str:
        return obj.application.get_client_type_display()


# The toolkit's own admin pages would change OAuth applications and tokens around our services and audit trail;
# resellers manage their applications in the panel, and ResellerApplication above shows them to operators.
for oauth_model in django_apps.get_app_config("oauth2_provider").get_models():
    if admin.site.is_registered(oauth_model):
        admin.site.unregister(oauth_model)
