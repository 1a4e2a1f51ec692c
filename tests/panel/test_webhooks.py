"""The webhook pages (level `full`): add (secret shown once), field errors, change, remove, and a webhook's
deliveries with their attempts and the replay button, against a receiver on loopback."""

from __future__ import annotations

from apps.events.models import Webhook, WebhookDelivery
from apps.ipwhitelist.services import add_whitelist_entry
from tests.events.receiver import Receiver, verify_standard_webhook


def test_adding_a_webhook_shows_its_secret_once(owner, tenant_a):
    response = owner.post(
        "/api-access/webhooks/new/",
        {"url": "https://hooks.example.com/in", "event_types": "account.*, provisioning_job.*", "is_active": "on"},
    )
    assert response.status_code == 200
    webhook = Webhook.objects.get(reseller=tenant_a["reseller"])
    assert webhook.event_types == ["account.*", "provisioning_job.*"]
    body = response.content.decode()
    assert "whsec_" in body
    detail = owner.get(f"/api-access/webhooks/{webhook.pk}/").content.decode()
    assert "https://hooks.example.com/in" in detail and "whsec_" not in detail


def test_a_private_url_or_a_bad_type_is_a_field_error(owner, tenant_a):
    response = owner.post("/api-access/webhooks/new/", {"url": "http://10.0.0.8/hook", "event_types": "*"})
    assert response.status_code == 200
    assert "private address" in response.content.decode()
    response = owner.post("/api-access/webhooks/new/", {"url": "https://hooks.example.com/", "event_types": "a b"})
    assert "is not an event type" in response.content.decode()
    assert not Webhook.objects.filter(reseller=tenant_a["reseller"]).exists()


def test_change_and_remove(owner, webhook_a):
    response = owner.post(
        f"/api-access/webhooks/{webhook_a.pk}/edit/", {"url": "https://hooks.example.com/v2", "event_types": "*"}
    )
    assert response.status_code == 302
    webhook_a.refresh_from_db()
    assert (webhook_a.url, webhook_a.event_types, webhook_a.is_active) == ("https://hooks.example.com/v2", ["*"], False)
    assert owner.post(f"/api-access/webhooks/{webhook_a.pk}/delete/").status_code == 302
    assert not Webhook.objects.filter(pk=webhook_a.pk).exists()


def test_deliveries_show_their_attempts_and_can_be_sent_again(owner, full_a, settings, run_jobs):
    settings.PANEEL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    receiver = Receiver([(500, b"oops"), (200, b"ok")])
    try:
        response = owner.post(
            "/api-access/webhooks/new/", {"url": receiver.url, "event_types": "whitelist_entry.*", "is_active": "on"}
        )
        secret = response.content.decode().split('id="webhook-secret"', 1)[1].split(">", 1)[1].split("<", 1)[0]
        webhook = Webhook.objects.get(url=receiver.url)
        with run_jobs():
            add_whitelist_entry(principal=full_a, cidr="203.0.113.0/24")
        delivery = WebhookDelivery.objects.get(webhook=webhook)

        page = owner.get(f"/api-access/webhooks/{webhook.pk}/").content.decode()
        assert "whitelist_entry.add" in page and "HTTP 500" in page and "Send again" in page

        with run_jobs():
            response = owner.post(f"/api-access/webhooks/deliveries/{delivery.pk}/replay/")
        assert response.status_code == 302 and response["Location"] == f"/api-access/webhooks/{webhook.pk}/"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempt_count) == ("succeeded", 2)
        assert len(receiver.received) == 2
        assert all(verify_standard_webhook(secret, r.headers, r.body) for r in receiver.received)
        page = owner.get(f"/api-access/webhooks/{webhook.pk}/").content.decode()
        assert "HTTP 200" in page
    finally:
        receiver.close()
