"""Control-process operations for the events suites (tests/integration/test_events_worker.py): merged into
`conftest.control_operations`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def event_operations(owner: Callable) -> dict[str, Callable[..., Any]]:
    from apps.core.models import AuditEvent
    from apps.events import services
    from apps.events.models import Event, WebhookDelivery
    from apps.events.selectors import pending_events

    def pending_event_ids(slug: str) -> list[int]:
        return list(pending_events(owner(slug)).values_list("pk", flat=True))

    def ack_events(slug: str, event_ids: list[int]) -> list[int]:
        return services.ack_events(principal=owner(slug), event_ids=event_ids)

    def newly_acknowledged() -> list[int]:
        """What each `event.ack` audit event says it acknowledged for the first time."""
        return [a.changes["newly_acknowledged"] for a in AuditEvent.objects.filter(action="event.ack").order_by("pk")]

    def acknowledged_at(event_ids: list[int]) -> dict[str, str | None]:
        found = Event.objects.filter(pk__in=event_ids)
        return {str(e.pk): e.acknowledged_at and e.acknowledged_at.isoformat() for e in found}

    def create_webhook(slug: str, url: str, event_types: list[str]) -> dict[str, Any]:
        webhook, secret = services.create_webhook(principal=owner(slug), url=url, event_types=event_types)
        return {"webhook_id": webhook.pk, "secret": secret}

    def deliveries(webhook_id: int) -> list[dict[str, Any]]:
        return [
            {
                "status": d.status,
                "message_id": d.message_id,
                "attempts": [(a.number, a.outcome, a.response_code) for a in d.attempts.order_by("number")],
            }
            for d in WebhookDelivery.objects.filter(webhook_id=webhook_id).order_by("pk")
        ]

    return {
        f.__name__: f
        for f in (pending_event_ids, ack_events, newly_acknowledged, acknowledged_at, create_webhook, deliveries)
    }
