"""Reads of events: the pending ones of a principal's reseller, within the retention window."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.core.principal import Principal
from apps.events.models import Event

EVENT_RETENTION_DAYS = 30


def retention_start():
    return timezone.now() - timedelta(days=EVENT_RETENTION_DAYS)


def pending_events(principal: Principal) -> QuerySet[Event]:
    """The principal's events not yet acknowledged and younger than the retention window, oldest first."""
    return (
        Event.objects.for_principal(principal)
        .filter(acknowledged_at__isnull=True, at__gte=retention_start())
        .order_by("at", "id")
    )


def purge_old_events() -> int:
    """Delete events (with their deliveries and attempts) older than the retention window. Returns how many."""
    deleted, by_model = Event.objects.filter(at__lt=retention_start()).delete()
    return by_model.get("events.Event", 0)
