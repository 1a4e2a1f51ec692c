"""Operator admin for IP whitelist entries: added and removed through the whitelist services, as the operator acting
for the entry's reseller. An entry is not edited (no service changes one): remove it and add another."""

from __future__ import annotations

from django.contrib import admin

from apps.core.admin import ServiceAdminMixin
from apps.ipwhitelist import services
from apps.ipwhitelist.models import IpWhitelistEntry


@admin.register(IpWhitelistEntry)
class IpWhitelistEntryAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("cidr", "reseller", "description", "created_by", "created_at")
    list_filter = ("reseller",)
    list_select_related = ("reseller", "created_by")
    search_fields = ("cidr", "description", "reseller__name")
    readonly_fields = ("created_by", "created_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("reseller", "cidr", "description")
        return ("reseller", "cidr", "description", "created_by", "created_at")

    def has_change_permission(self, request, obj=None):
        return False

    def create_through_service(self, request, obj, form):
        data = form.cleaned_data
        return services.add_whitelist_entry(
            principal=self.principal(request, data["reseller"]), cidr=data["cidr"], description=data["description"]
        )

    def delete_through_service(self, request, obj):
        return services.remove_whitelist_entry(principal=self.principal(request, obj.reseller), entry_id=obj.pk)
