"""The background task the worker (`manage.py db_worker`) runs for each webhook delivery attempt."""

from django_tasks import task

from apps.events.delivery import attempt


@task()
def deliver_webhook(delivery_id: int) -> str | None:
    """Make the next attempt of webhook delivery `delivery_id` (a no-op unless it is due)."""
    return attempt(delivery_id)
