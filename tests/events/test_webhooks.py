"""Webhook deliveries against a real receiver on loopback: Standard Webhooks signatures (checked independently),
retries with backoff after a 500, redirects not followed, short timeouts, only a body prefix kept, replays."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import ValidationFailed
from apps.events import delivery as deliveries
from apps.events import tasks
from apps.events.models import AttemptOutcome, DeliveryStatus, Event, WebhookAttempt, WebhookDelivery
from apps.events.services import create_webhook, replay_delivery, update_webhook
from apps.ipwhitelist.services import add_whitelist_entry
from tests.events.receiver import verify_standard_webhook


@pytest.fixture
def hook(full_a, receiver):
    """`hook(responses)`: a receiver and a webhook of reseller A to it, for whitelist changes."""

    def make(responses=((200, b"ok"),), **kwargs):
        target = receiver(responses, **kwargs)
        webhook, secret = create_webhook(principal=full_a, url=target.url, event_types=["whitelist_entry.*"])
        return target, webhook, secret

    return make


def whitelist_change(principal, captured, cidr="203.0.113.0/24"):
    """An audited change the webhook subscribes to; its delivery's first attempt runs when the write commits."""
    with captured(execute=True):
        add_whitelist_entry(principal=principal, cidr=cidr)
    return Event.objects.get(type="whitelist_entry.add", data__changes__cidr=cidr)


def make_due(delivery: WebhookDelivery) -> None:
    """As if the backoff had passed."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=60))


def test_delivery_is_signed_as_standard_webhooks_and_retried_after_a_500(
    hook, full_a, django_capture_on_commit_callbacks
):
    target, webhook, secret = hook([(500, b"try later"), (200, b"thanks")])
    before = timezone.now()

    event = whitelist_change(full_a, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(webhook=webhook, event=event)
    assert delivery.status == DeliveryStatus.PENDING
    [first] = delivery.attempts.all()
    assert (first.number, first.outcome, first.response_code, first.response_prefix) == (
        1,
        AttemptOutcome.HTTP_ERROR,
        500,
        "try later",
    )
    # Backoff: the first retry waits the base delay (30 s by default).
    assert before + timedelta(seconds=29) <= delivery.next_attempt_at <= timezone.now() + timedelta(seconds=31)
    assert tasks.deliver_due(grace_seconds=0) == 0  # not due yet: nothing is sent early

    make_due(delivery)
    assert tasks.deliver_due(grace_seconds=0) == 1  # the worker's sweep; in tests the task runs at once

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.last_response_code) == (DeliveryStatus.SUCCEEDED, 2, 200)
    assert [(a.number, a.outcome, a.response_code) for a in delivery.attempts.all()] == [
        (1, "http_error", 500),
        (2, "success", 200),
    ]
    assert len(target.received) == 2
    for request in target.received:
        assert request.path == "/hooks/paneel"
        assert request.headers["content-type"] == "application/json"
        assert request.headers["host"] == f"127.0.0.1:{target.port}"
        assert verify_standard_webhook(secret, request.headers, request.body)
        assert not verify_standard_webhook(secret, request.headers, request.body + b" ")  # the body is signed
        assert not verify_standard_webhook("whsec_" + "A" * 44, request.headers, request.body)
    # The same message id on every attempt, so the receiver can drop duplicates.
    assert {r.headers["webhook-id"] for r in target.received} == {delivery.message_id}
    body = json.loads(target.received[0].body)
    assert body["id"] == event.pk
    assert body["type"] == "whitelist_entry.add"
    assert body["link"].startswith("/v2/ipwhitelist/")
    assert body["data"]["changes"]["cidr"] == "203.0.113.0/24"
    assert body["timestamp"].endswith("Z")


def test_backoff_doubles_up_to_six_hours(settings):
    settings.PANEEL_WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [deliveries.backoff_seconds(n) for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 480]
    assert deliveries.backoff_seconds(20) == 6 * 3600


def test_delivery_gives_up_once_the_retry_window_has_passed(hook, full_a, django_capture_on_commit_callbacks):
    target, webhook, _ = hook([(503, b"down")])
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(webhook=webhook, event=event)
    assert delivery.status == DeliveryStatus.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        retry_until=timezone.now() + timedelta(seconds=10), next_attempt_at=timezone.now() - timedelta(seconds=60)
    )

    tasks.deliver_due(grace_seconds=0)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 2, None)
    assert delivery.attempts.count() == 2 and len(target.received) == 2
    assert tasks.deliver_due(grace_seconds=0) == 0  # a delivery that gave up is not tried again


def test_redirect_is_not_followed(hook, full_a, django_capture_on_commit_callbacks):
    target, webhook, _ = hook([(302, b"")], headers={"Location": "http://127.0.0.1:1/elsewhere"})
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert (attempt.outcome, attempt.response_code, attempt.error) == ("http_error", 302, "Redirect not followed.")
    assert len(target.received) == 1


def test_only_a_prefix_of_the_response_body_is_kept(hook, full_a, django_capture_on_commit_callbacks):
    hook([(200, b"x" * 100_000)])
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert attempt.outcome == "success"
    assert attempt.response_prefix == "x" * 512


def test_a_slow_endpoint_times_out_and_is_retried(hook, full_a, settings, django_capture_on_commit_callbacks):
    settings.PANEEL_WEBHOOK_TIMEOUT_SECONDS = 0.3
    hook([(200, b"late")], delay=1.5)
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert attempt.outcome == "network_error"
    assert "timed out" in attempt.error.lower()
    assert attempt.duration_ms < 1400
    assert WebhookDelivery.objects.get(event=event).status == DeliveryStatus.PENDING


def test_refused_connection_is_a_network_error(full_a, settings, listener, django_capture_on_commit_callbacks):
    settings.PANEEL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    create_webhook(principal=full_a, url="http://127.0.0.1:1/nothing-listens", event_types=["*"])
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    attempt = WebhookAttempt.objects.get(delivery__event=event)
    assert attempt.outcome == "network_error" and "Refused" in attempt.error


def test_replay_sends_the_same_message_again(hook, full_a, django_capture_on_commit_callbacks):
    target, webhook, secret = hook([(200, b"ok")])
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=True):
        replay_delivery(principal=full_a, delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == (DeliveryStatus.SUCCEEDED, 2)
    assert [r.headers["webhook-id"] for r in target.received] == [delivery.message_id] * 2
    assert target.received[0].body == target.received[1].body
    assert all(verify_standard_webhook(secret, r.headers, r.body) for r in target.received)


def test_only_subscribed_types_and_active_webhooks_get_deliveries(full_a, receiver, django_capture_on_commit_callbacks):
    target = receiver()
    accounts_only, _ = create_webhook(principal=full_a, url=target.url, event_types=["account.*"])
    everything, _ = create_webhook(principal=full_a, url=target.url, event_types=["*"])
    paused, _ = create_webhook(principal=full_a, url=target.url, event_types=["*"], is_active=False)
    event = whitelist_change(full_a, django_capture_on_commit_callbacks)
    assert list(WebhookDelivery.objects.filter(event=event).values_list("webhook_id", flat=True)) == [everything.pk]
    assert len(target.received) == 1
    with pytest.raises(ValidationFailed) as caught:  # a wildcard only as a whole last segment
        update_webhook(principal=full_a, webhook_id=paused.pk, url=target.url, event_types=["whitelist_*"])
    assert caught.value.field == "event_types"
    assert accounts_only.wants("account.create") and not accounts_only.wants("accounts.create")


def test_a_write_that_rolls_back_leaves_no_event_and_sends_nothing(hook, full_a, django_capture_on_commit_callbacks):
    from django.db import transaction

    target, webhook, _ = hook()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        add_whitelist_entry(principal=full_a, cidr="198.51.100.7")
        raise RuntimeError("the surrounding work failed")
    assert not Event.objects.filter(type="whitelist_entry.add").exists()
    assert not WebhookDelivery.objects.filter(webhook=webhook).exists()
    assert target.received == []
