"""Operators fulfil registrar orders here: the actions "Complete" and "Refuse" record the decision (audited) and
wake the order's job (apps.domains.fulfilment)."""

from django.contrib import admin, messages

from apps.core.errors import DomainError
from apps.core.principal import Principal
from apps.domains.fulfilment import complete_order, refuse_order
from apps.domains.models import Domain, DomainOrder


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ("domain_name", "reseller", "status", "expiration_date", "will_renew")
    list_filter = ("status",)
    search_fields = ("domain_name",)
    readonly_fields = ("reseller", "domain_name", "status", "expiration_date", "will_renew", "name_servers",
                       "registrant")  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def act(modeladmin, request, queryset, decision):
    done = 0
    for order in queryset.select_related("domain__reseller"):
        principal = Principal.operator(request.user, order.domain.reseller)
        try:
            decision(principal, order)
            done += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{order}: {exc.detail}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{done} order(s) decided; their jobs carry on.", messages.SUCCESS)


@admin.action(description="Complete selected orders (done at the registry)")
def complete_selected(modeladmin, request, queryset):
    act(modeladmin, request, queryset, lambda p, o: complete_order(principal=p, order_id=o.pk))


@admin.action(description="Refuse selected orders")
def refuse_selected(modeladmin, request, queryset):
    act(
        modeladmin,
        request,
        queryset,
        lambda p, o: refuse_order(principal=p, order_id=o.pk, reason="Refused by the registrar."),
    )


@admin.register(DomainOrder)
class DomainOrderAdmin(admin.ModelAdmin):
    list_display = ("domain", "operation", "state", "created_at", "decided_by")
    list_filter = ("state", "operation")
    search_fields = ("domain__domain_name",)
    exclude = ("auth_code_encrypted",)
    readonly_fields = ("domain", "operation", "payload", "state", "reason", "decided_by", "decided_at")
    actions = [complete_selected, refuse_selected]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # decisions go through the actions, which audit them
