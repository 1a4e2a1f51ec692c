"""Operator admin for mail zones, aliases and SMTP domains: read-only here. They change through the mail services
(panel or API), which audit each change and apply it on the mail server; admin shows what is configured."""

from __future__ import annotations

from django.contrib import admin

from apps.mail.models import MailAlias, MailZone, SmtpDomain


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MailZone)
class MailZoneAdmin(ReadOnlyAdmin):
    list_display = ("name", "reseller", "anti_spam", "updated_at")
    list_filter = ("anti_spam", "reseller")
    list_select_related = ("reseller",)
    search_fields = ("name",)


@admin.register(MailAlias)
class MailAliasAdmin(ReadOnlyAdmin):
    list_display = ("email_address", "zone", "reseller")
    list_select_related = ("zone", "reseller")
    search_fields = ("email_address",)


@admin.register(SmtpDomain)
class SmtpDomainAdmin(ReadOnlyAdmin):
    list_display = ("hostname", "zone", "enabled", "reseller")
    list_select_related = ("zone", "reseller")
    search_fields = ("hostname",)
