"""Operators look at zones and records here; records change only through the services (panel and API), which
audit them and sync the DNS server."""

from django.contrib import admin

from apps.dns.models import DnsRecord, DnsZone

# The admin views that delete accounts (one, or the changelist's bulk action through the account services).
ACCOUNT_DELETE_VIEWS = {"accounts_account_delete", "accounts_account_changelist"}


class ReadOnlyWithAccountAdmin(admin.ModelAdmin):
    """Read-only, except that deleting an account (through its service) may take these rows along: Django's
    confirmation page asks every related model's admin for delete permission."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        match = getattr(request, "resolver_match", None)
        return obj is not None and match is not None and match.url_name in ACCOUNT_DELETE_VIEWS


class DnsRecordInline(admin.TabularInline):
    model = DnsRecord
    extra = 0
    fields = ("type", "name", "ttl", "content", "priority", "service", "protocol", "weight", "port", "target")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DnsZone)
class DnsZoneAdmin(ReadOnlyWithAccountAdmin):
    list_display = ("name", "account", "serial", "updated_at")
    search_fields = ("name",)
    readonly_fields = ("account", "name", "serial", "created_at", "updated_at")
    inlines = [DnsRecordInline]


@admin.register(DnsRecord)
class DnsRecordAdmin(ReadOnlyWithAccountAdmin):
    list_display = ("zone", "type", "name", "content", "ttl")
    list_filter = ("type",)
    search_fields = ("zone__name", "name", "content")
