"""Operators fulfil registrar orders here: the actions "Complete" (after the operator entered or confirmed the
expiration date the registry reports) and "Refuse" record the decision (audited) and wake the order's job
(apps.domains.fulfilment)."""

import datetime as dt

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.errors import DomainError
from apps.core.principal import Principal
from apps.domains.fulfilment import complete_order, default_expiration, refuse_order
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


def entered_expiration(request, order: DomainOrder):
    """The expiration date the operator entered for `order` (`YYYY-MM-DDTHH:MM`, UTC); None where left empty."""
    raw = request.POST.get(f"expiration_{order.pk}", "").strip()
    if not raw:
        return None
    moment = parse_datetime(raw)
    if moment is None:
        raise ValueError(f"{order}: '{raw}' is no date and time (YYYY-MM-DDTHH:MM).")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)


@admin.action(description="Complete selected orders (done at the registry)")
def complete_selected(modeladmin, request, queryset):
    """A confirmation page first: the operator enters or confirms the expiration date the registry reports."""
    orders = list(queryset.select_related("domain"))
    if "apply" in request.POST:
        try:
            dates = {order.pk: entered_expiration(request, order) for order in orders}
        except ValueError as exc:
            modeladmin.message_user(request, str(exc), messages.ERROR)
        else:
            act(
                modeladmin,
                request,
                queryset,
                lambda p, o: complete_order(principal=p, order_id=o.pk, expiration_date=dates.get(o.pk)),
            )
            return None
    now = timezone.now()
    rows = []
    for order in orders:
        default = default_expiration(order, now)
        rows.append({"order": order, "default": default.strftime("%Y-%m-%dT%H:%M") if default else ""})
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Complete registrar orders",
        "opts": modeladmin.model._meta,
        "rows": rows,
        "action": "complete_selected",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/domains/domainorder/complete_orders.html", context)


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
