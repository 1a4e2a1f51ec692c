"""Events and webhooks in the operator admin: read-only lists; a webhook removed through its service (audited as
the operator), deliveries sent again with an action."""

from __future__ import annotations

from django.urls import reverse

from apps.core.models import AuditEvent
from apps.events.models import Webhook, WebhookDelivery
from apps.events.services import create_webhook


def test_removing_a_webhook_goes_through_its_service(op_client, full_a):
    webhook, _ = create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["*"])
    response = op_client.post(reverse("admin:events_webhook_delete", args=[webhook.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Webhook.objects.filter(pk=webhook.pk).exists()
    event = AuditEvent.objects.get(action="webhook.delete")
    assert event.via == "admin"


def test_events_and_deliveries_cannot_be_added_or_changed(op_client, full_a):
    webhook, _ = create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["webhook.*"])
    delivery = webhook.deliveries.get()
    assert op_client.get(reverse("admin:events_event_add")).status_code == 403
    assert op_client.get(reverse("admin:events_webhook_add")).status_code == 403
    page = op_client.get(reverse("admin:events_webhookdelivery_change", args=[delivery.pk]))
    assert page.status_code == 200 and b'name="status"' not in page.content


def test_replay_action_sends_deliveries_again(op_client, full_a):
    webhook, _ = create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["webhook.*"])
    delivery = webhook.deliveries.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    response = op_client.post(
        reverse("admin:events_webhookdelivery_changelist"),
        {"action": "replay_selected", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert AuditEvent.objects.filter(action="webhook_delivery.replay", via="admin").count() == 1


def test_events_are_not_deleted_on_their_own_but_go_with_their_reseller(op_client, full_a, tenant_a):
    from apps.events.models import Event

    create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["*"])  # an event
    event = Event.objects.get(reseller=tenant_a["reseller"], type="webhook.create")
    assert op_client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()
