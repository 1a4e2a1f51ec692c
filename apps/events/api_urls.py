"""This app's API v2 routes (included by apps/api/urls.py)."""

from django.urls import path

from apps.events import api

urlpatterns = [
    path("events", api.EventList.as_view(), name="events"),
    path("events/ack", api.EventBulkAck.as_view(), name="events-ack"),
    path("events/<int:event_id>/ack", api.EventAck.as_view(), name="event-ack"),
    path("webhooks", api.WebhookList.as_view(), name="webhooks"),
    path("webhooks/<int:webhook_id>", api.WebhookDetail.as_view(), name="webhook"),
    path("webhooks/<int:webhook_id>/deliveries", api.WebhookDeliveryList.as_view(), name="webhook-deliveries"),
    path(
        "webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/replay",
        api.WebhookDeliveryReplay.as_view(),
        name="webhook-delivery-replay",
    ),
]
