"""Operator admin for servers: plain, audited saves (servers are the platform's own, not a reseller's)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count

from apps.core.admin import AuditedAdminMixin
from apps.servers.models import Server


@admin.register(Server)
class ServerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "hostname", "roles_display", "is_active", "web_accounts", "mail_accounts")
    list_filter = ("is_active", "web", "mail", "dns", "db")
    search_fields = ("name", "hostname")
    fieldsets = (
        (None, {"fields": ("name", "hostname", "is_active")}),
        ("Roles", {"fields": ("web", "mail", "dns", "db")}),
        ("Addresses", {"fields": ("ipv4_address", "ipv6_address", "services")}),
        ("Provisioning", {"fields": ("provisioning_root",)}),
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(web_count=Count("accounts_web", distinct=True), mail_count=Count("accounts_mail", distinct=True))
        )

    def get_readonly_fields(self, request, obj=None):
        # The name is the worker's queue: renaming a server with jobs would strand them.
        return ("name",) if obj is not None and obj.provisioning_jobs.exists() else ()

    @admin.display(description="roles")
    def roles_display(self, obj: Server) -> str:
        return ", ".join(obj.roles) or "—"

    @admin.display(description="web accounts", ordering="web_count")
    def web_accounts(self, obj: Server) -> int:
        return obj.web_count

    @admin.display(description="mail accounts", ordering="mail_count")
    def mail_accounts(self, obj: Server) -> int:
        return obj.mail_count
