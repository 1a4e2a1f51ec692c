"""Writes on events (acknowledging them: level `write`) and webhooks (level `full`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from apps.core import audit
from apps.core.crypto import encrypt
from apps.core.errors import FieldProblem, InvalidState, NotFound, ValidationFailed
from apps.core.filters import BIGGEST_ID
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.events import outbound
from apps.events.delivery import retry_deadline
from apps.events.models import DeliveryStatus, Event, Webhook, WebhookDelivery
from apps.events.signing import new_secret
from apps.events.tasks import enqueue_delivery

MAX_ACK_IDS = 100
MAX_WEBHOOKS = 20
MAX_EVENT_TYPES = 50
URL_MAX = 2000
EVENT_TYPE = re.compile(r"^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$")


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


# --- Events


def ack_events(*, principal: Principal, event_ids: Iterable[int]) -> list[int]:
    """Mark the principal's events `event_ids` complete, so the event list no longer returns them.

    Acknowledging one twice is harmless (the first time counts); ids of no event of the reseller are ignored,
    and `NotFound` when none of them is one. Returns the ids acknowledged (now or before), in order."""
    require_level(principal, Level.WRITE)
    try:
        ids = sorted({int(event_id) for event_id in event_ids})
    except (TypeError, ValueError):
        raise invalid("ids", "Event ids are whole numbers.") from None
    if not ids:
        raise invalid("ids", "Name at least one event id.")
    if len(ids) > MAX_ACK_IDS:
        raise invalid("ids", f"At most {MAX_ACK_IDS} event ids at once.")
    with transaction.atomic():
        # An id no database column can hold names no event (and must not reach the database driver).
        storable = [event_id for event_id in ids if 0 < event_id <= BIGGEST_ID]
        events = list(Event.objects.for_principal(principal).filter(pk__in=storable).order_by("pk"))
        if not events:
            raise NotFound("No such event." if len(ids) == 1 else "None of these events exists.", field="ids")
        # Only the first acknowledgement sets the time: two consumers acking at once both succeed, and it stays.
        newly = Event.objects.filter(pk__in=[e.pk for e in events], acknowledged_at__isnull=True).update(
            acknowledged_at=timezone.now()
        )
        audit.record(
            principal, "event.ack", events[0], {"event_ids": [e.pk for e in events], "newly_acknowledged": newly}
        )
    return [event.pk for event in events]


def ack_event(*, principal: Principal, event_id: int) -> Event:
    """Mark one of the principal's events complete (`NotFound` for another reseller's)."""
    event = Event.objects.get_for_principal(principal, pk=event_id)
    ack_events(principal=principal, event_ids=[event.pk])
    event.refresh_from_db()
    return event


# --- Webhooks


def clean_url(url: str) -> str:
    url = str(url).strip()
    if not url:
        raise invalid("url", "Give the endpoint's URL.")
    if len(url) > URL_MAX:
        raise invalid("url", f"At most {URL_MAX} characters.")
    try:
        outbound.check_literal(url)
    except outbound.Refused as exc:
        raise invalid("url", f"This URL cannot be used: {exc}.") from None
    return url


def clean_event_types(event_types) -> list[str]:
    if isinstance(event_types, str) or not isinstance(event_types, list | tuple):
        raise invalid("event_types", 'A list of event types, e.g. ["account.create", "provisioning_job.*"].')
    cleaned = list(dict.fromkeys(str(t).strip() for t in event_types if str(t).strip()))
    if not cleaned:
        raise invalid("event_types", "Subscribe to at least one event type (`*` for all).")
    if len(cleaned) > MAX_EVENT_TYPES:
        raise invalid("event_types", f"At most {MAX_EVENT_TYPES} event types.")
    for event_type in cleaned:
        if len(event_type) > 64 or not EVENT_TYPE.match(event_type):
            raise invalid("event_types", f"'{event_type[:70]}' is not an event type (e.g. account.create, mysql.*, *).")
    return cleaned


def clean_description(description: str) -> str:
    if len(description) > 200:
        raise invalid("description", "At most 200 characters.")
    return description


def create_webhook(
    *, principal: Principal, url: str, event_types: list[str], description: str = "", is_active: bool = True
) -> tuple[Webhook, str]:
    """Add a webhook; returns it and its signing secret (`whsec_...`), which is shown this once."""
    require_level(principal, Level.FULL)
    url, event_types, description = clean_url(url), clean_event_types(event_types), clean_description(description)
    secret = new_secret()
    with transaction.atomic():
        reseller = type(principal.reseller).objects.select_for_update().get(pk=principal.reseller_id)
        if Webhook.objects.filter(reseller=reseller).count() >= MAX_WEBHOOKS:
            raise InvalidState(f"A reseller has at most {MAX_WEBHOOKS} webhooks; delete one first.")
        webhook = Webhook.objects.create(
            reseller_id=principal.reseller_id,
            url=url,
            event_types=event_types,
            description=description,
            is_active=bool(is_active),
            secret_encrypted=encrypt(secret),
            created_by=principal.user,
        )
        audit.record(principal, "webhook.create", webhook, {"url": url, "event_types": event_types})
    return webhook, secret


def update_webhook(
    *,
    principal: Principal,
    webhook_id: int,
    url: str,
    event_types: list[str],
    description: str = "",
    is_active: bool = True,
) -> Webhook:
    """Change a webhook's URL, event types, description or whether it is active (its secret stays)."""
    require_level(principal, Level.FULL)
    url, event_types, description = clean_url(url), clean_event_types(event_types), clean_description(description)
    with transaction.atomic():
        webhook = Webhook.objects.select_for_update().get_for_principal(principal, pk=webhook_id)
        before = {k: getattr(webhook, k) for k in ("url", "event_types", "description", "is_active")}
        webhook.url, webhook.event_types, webhook.description = url, event_types, description
        webhook.is_active = bool(is_active)
        webhook.save()
        after = {k: getattr(webhook, k) for k in before}
        audit.record(principal, "webhook.update", webhook, audit.diff(before, after))
    return webhook


def delete_webhook(*, principal: Principal, webhook_id: int) -> None:
    """Remove a webhook with its deliveries and their attempts."""
    require_level(principal, Level.FULL)
    with transaction.atomic():
        webhook = Webhook.objects.get_for_principal(principal, pk=webhook_id)
        audit.record(principal, "webhook.delete", webhook, {"url": webhook.url})
        webhook.delete()


def replay_delivery(*, principal: Principal, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (with the same `webhook-id`), whatever its outcome so far; retries as a new one."""
    require_level(principal, Level.FULL)
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("webhook")
            .get_for_principal(principal, pk=delivery_id)
        )
        if not delivery.webhook.is_active:
            raise InvalidState("The webhook is disabled; enable it before replaying its deliveries.")
        previous = delivery.status
        delivery.status = DeliveryStatus.PENDING
        delivery.next_attempt_at = timezone.now()
        delivery.retry_until = retry_deadline()
        delivery.save(update_fields=["status", "next_attempt_at", "retry_until", "updated_at"])
        audit.record(principal, "webhook_delivery.replay", delivery, {"status": [previous, DeliveryStatus.PENDING]})
        transaction.on_commit(lambda: enqueue_delivery(delivery.pk))
    return delivery
