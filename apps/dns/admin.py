from django.contrib import admin

from apps.dns.models import DnsRecord, DnsZone


class DnsRecordInline(admin.TabularInline):
    model = DnsRecord
    extra = 0
    fields = ("type", "name", "ttl", "content", "priority", "service", "protocol", "weight", "port", "target")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # records change through the reseller's doors (services), never behind them


@admin.register(DnsZone)
class DnsZoneAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "serial", "updated_at")
    search_fields = ("name",)
    readonly_fields = ("account", "name", "serial", "created_at", "updated_at")
    inlines = [DnsRecordInline]

    # Operators look; records change only through the services (panel and API), which audit them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
