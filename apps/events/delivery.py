"""Delivering events to webhooks: one attempt at a time, each stored, retried with exponential backoff.

A delivery is due when `next_attempt_at` has come. The worker's task (`apps.events.tasks`) runs `attempt`, which
claims the delivery (pushing `next_attempt_at` past the attempt's longest duration, so a second worker skips it
and a dead worker's claim runs out), POSTs the signed event, stores the attempt and either ends the delivery or
sets the next attempt: `PANEEL_WEBHOOK_RETRY_BASE_SECONDS` doubled after each failure (at most 6 hours), until
`retry_until` (`PANEEL_WEBHOOK_RETRY_FOR_SECONDS`, 24 hours, after the first attempt or a replay) has passed.
The worker's sweep (`deliver_due`) enqueues every delivery that is due, so one whose enqueue was lost is still
delivered.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from apps.core.crypto import decrypt
from apps.events import outbound
from apps.events.models import AttemptOutcome, DeliveryStatus, Event, WebhookAttempt, WebhookDelivery
from apps.events.signing import signed_headers

logger = logging.getLogger(__name__)

MAX_DELAY_SECONDS = 6 * 3600
ERROR_CHARS = 500


def retry_deadline():
    return timezone.now() + timedelta(seconds=settings.PANEEL_WEBHOOK_RETRY_FOR_SECONDS)


def backoff_seconds(failures: int) -> float:
    """Seconds to wait after the `failures`-th failed attempt: base, 2 x base, 4 x base, ... at most 6 hours."""
    return min(settings.PANEEL_WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(failures - 1, 0), MAX_DELAY_SECONDS)


def claim_seconds() -> float:
    return settings.PANEEL_WEBHOOK_TIMEOUT_SECONDS * 2 + 30


def payload(event: Event) -> bytes:
    """The body every webhook receives: Standard Webhooks' `{type, timestamp, data}`, with the event's id and link."""
    return json.dumps(
        {
            "id": event.pk,
            "type": event.type,
            "timestamp": event.at.isoformat().replace("+00:00", "Z"),
            "object_type": event.object_type,
            "object_id": event.object_id,
            "link": event.link or None,
            "data": event.data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    ).encode()


def claim(delivery_id: int) -> WebhookDelivery | None:
    """The delivery, now claimed for one attempt, or None when it is not due (ended, or another worker has it)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook", "event")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .first()
        )
        now = timezone.now()
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return None
        delivery.attempt_count += 1
        delivery.next_attempt_at = now + timedelta(seconds=claim_seconds())
        delivery.save(update_fields=["attempt_count", "next_attempt_at", "updated_at"])
        return delivery


def attempt(delivery_id: int) -> str | None:
    """Make the next attempt of a due delivery and record it. Returns the delivery's status, or None if not due."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    webhook, number = delivery.webhook, delivery.attempt_count
    body = payload(delivery.event)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Paneel-Webhooks/1",
        **signed_headers(decrypt(webhook.secret_encrypted), delivery.message_id, int(time.time()), body),
    }
    started = time.monotonic()
    code, prefix, error = None, "", ""
    if not webhook.is_active:
        outcome, error = AttemptOutcome.BLOCKED, "The webhook is disabled."
    else:
        try:
            answer = outbound.post(webhook.url, body, headers)
        except outbound.Refused as exc:
            outcome, error = AttemptOutcome.BLOCKED, f"Refused: {exc}"
        except OSError as exc:
            outcome, error = AttemptOutcome.NETWORK_ERROR, f"{type(exc).__name__}: {exc}"
        else:
            code, prefix = answer.status, answer.body_prefix
            if 200 <= answer.status < 300:
                outcome = AttemptOutcome.SUCCESS
            else:
                outcome = AttemptOutcome.HTTP_ERROR
                error = "Redirect not followed." if 300 <= answer.status < 400 else f"HTTP {answer.status}."
    duration_ms = int((time.monotonic() - started) * 1000)
    return record_attempt(delivery, number, outcome, code, prefix, error, duration_ms)


def record_attempt(delivery, number, outcome, code, prefix, error, duration_ms) -> str:
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            outcome=outcome,
            response_code=code,
            duration_ms=duration_ms,
            error=error[:ERROR_CHARS],
            response_prefix=prefix[: outbound.RESPONSE_PREFIX_BYTES],
        )
        if outcome == AttemptOutcome.SUCCESS:
            status, next_at = DeliveryStatus.SUCCEEDED, None
        else:
            next_at = now + timedelta(seconds=backoff_seconds(number))
            status = DeliveryStatus.PENDING if next_at <= delivery.retry_until else DeliveryStatus.FAILED
            next_at = next_at if status == DeliveryStatus.PENDING else None
        WebhookDelivery.objects.filter(pk=delivery.pk, attempt_count=number).update(
            status=status, next_attempt_at=next_at, last_response_code=code, updated_at=now
        )
    return status
