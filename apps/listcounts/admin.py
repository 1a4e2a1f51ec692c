from django.contrib import admin

from apps.listcounts.models import ListCount


@admin.register(ListCount)
class ListCountAdmin(admin.ModelAdmin):
    """The trigger-kept counts, to look at: the database writes them, nobody else."""

    list_display = ("reseller_id", "kind", "total")
    list_filter = ("kind",)
    search_fields = ("=reseller_id",)
    fields = ("reseller_id", "kind", "total")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
