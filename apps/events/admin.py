"""Operator admin for events and webhooks: to look, not to edit. Events, deliveries and attempts are written by
the system only; a webhook is removed through its service (as the operator acting for its reseller), and its
deliveries can be sent again from the delivery list."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from apps.core.admin import ServiceAdminMixin, operator_principal
from apps.core.errors import DomainError
from apps.events import services
from apps.events.models import Event, Webhook, WebhookAttempt, WebhookDelivery


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nothing is added, changed or deleted here. Rows go with what owns them (a reseller, a webhook): deleting
    that still needs the delete permission of these models, so it is kept, and only this admin's own delete view,
    link and action are withheld."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "show_delete": False})

    def delete_view(self, request, object_id, extra_context=None):
        raise PermissionDenied


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ("at", "type", "object_type", "object_id", "link", "reseller", "acknowledged_at")
    list_filter = ("reseller",)
    list_select_related = ("reseller",)
    search_fields = ("type", "object_id")
    show_full_result_count = False
    fields = ("at", "reseller", "type", "object_type", "object_id", "link", "data", "acknowledged_at")


@admin.register(Webhook)
class WebhookAdmin(ServiceAdminMixin, admin.ModelAdmin):
    list_display = ("url", "reseller", "event_types", "is_active", "created_at")
    list_filter = ("is_active", "reseller")
    list_select_related = ("reseller",)
    search_fields = ("url", "description", "reseller__name")
    fields = ("reseller", "url", "event_types", "description", "is_active", "created_by", "created_at")

    def has_add_permission(self, request):
        return False  # the reseller adds its webhooks, and sees the secret once

    def has_change_permission(self, request, obj=None):
        return False

    def delete_through_service(self, request, obj):
        return services.delete_webhook(principal=self.principal(request, obj.reseller), webhook_id=obj.pk)


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    fields = ("number", "at", "outcome", "response_code", "duration_ms", "error", "response_prefix")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "event",
        "webhook",
        "status",
        "attempt_count",
        "last_response_code",
        "next_attempt_at",
    )
    list_filter = ("status",)
    list_select_related = ("event", "webhook")
    fields = ("webhook", "event", "status", "attempt_count", "next_attempt_at", "retry_until", "last_response_code")
    inlines = [AttemptInline]
    actions = ["replay_selected"]

    @admin.action(description="Send the selected deliveries again")
    def replay_selected(self, request, queryset):
        count = 0
        for delivery in queryset.select_related("webhook__reseller"):
            principal = operator_principal(request, delivery.webhook.reseller)
            try:
                services.replay_delivery(principal=principal, delivery_id=delivery.pk)
                count += 1
            except DomainError as refusal:
                self.message_user(request, f"{delivery}: {refusal.detail}", messages.ERROR)
        self.message_user(request, f"{count} deliveries will be sent again.", messages.SUCCESS)


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ("at", "delivery", "number", "outcome", "response_code", "duration_ms")
    list_filter = ("outcome",)
    list_select_related = ("delivery__event", "delivery__webhook")
