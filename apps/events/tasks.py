"""The background task the worker (`manage.py db_worker`) runs for each webhook delivery attempt, and handing
deliveries to it. The chain goes one way: `tasks` (enqueueing) -> `delivery` (attempting)."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from apps.events.delivery import attempt
from apps.events.models import DeliveryStatus, WebhookDelivery

logger = logging.getLogger(__name__)


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    """Make the next attempt of webhook delivery `delivery_id` (a no-op unless it is due); a delivery still pending
    after it is handed back for its next attempt."""
    status = attempt(delivery_id)
    if status == DeliveryStatus.PENDING:
        next_at = WebhookDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
        if next_at is not None:
            enqueue_delivery(delivery_id, run_after=next_at)
    return status


def enqueue_delivery(delivery_id: int, run_after=None) -> None:
    """Hand a delivery to the worker; a later attempt waits until `run_after` where the task backend can defer
    (otherwise the worker's sweep, `deliver_due`, enqueues it once it is due)."""
    task = deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=run_after)
    try:
        task.enqueue(delivery_id)
    except Exception:  # the sweep enqueues it again; a failed enqueue must not fail the write that made it
        logger.exception("Could not enqueue webhook delivery %s", delivery_id)


def deliver_due(limit: int = 200, *, grace_seconds: float = 5) -> int:
    """Enqueue the pending deliveries that are due (overdue by `grace_seconds`, so that those the backend defers
    run on time without a duplicate). Returns how many."""
    due = timezone.now() - timedelta(seconds=grace_seconds)
    ids = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=due)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in ids:
        enqueue_delivery(delivery_id)
    return len(ids)
