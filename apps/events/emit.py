"""Producing events: from every audit event (core's audit writer calls `event_for_audit`) and from every job end
(the provisioning runner calls `event_for_job_end`), each inside the transaction that writes what happened, and
handing them to the reseller's webhooks (`fan_out`): the deliveries are rows of the same transaction, enqueued
for the worker once it commits, so an event is never lost between the write and its webhooks."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from apps.events.models import Event, Webhook, WebhookDelivery

# Audited actions that produce no event: acknowledging events would otherwise make a new event per ack.
SILENT_ACTIONS = {"event.ack"}


def object_link(obj: models.Model) -> str:
    """The API v2 path of an object, where it has one ('' otherwise)."""
    from apps.assets.kinds import resource_link

    kind = obj._meta.model_name
    if kind == "account":
        return f"/v2/accounts/{obj.pk}"
    if kind == "asset":
        return resource_link(obj)
    if kind == "provisioningjob":
        return f"/v2/provisioningjobs/{obj.pk}"
    if kind == "apikey":
        return f"/v2/apikeys/{obj.key}"
    if kind == "ipwhitelistentry":
        return f"/v2/ipwhitelist/{obj.pk}"
    if kind == "webhook":
        return f"/v2/webhooks/{obj.pk}"
    return ""


def emit(*, reseller_id: int, type: str, object_type: str, object_id: str, link: str, data: dict[str, Any]) -> Event:
    """Write one event and its webhook deliveries (in the caller's transaction)."""
    event = Event.objects.create(
        reseller_id=reseller_id, type=type, object_type=object_type, object_id=object_id, link=link, data=data
    )
    fan_out(event)
    return event


def event_for_audit(audit_event, obj: models.Model) -> Event | None:
    """The event of an audited change: its type is the audit action (`account.create`, `mysql.delete`, ...)."""
    if audit_event.reseller_id is None or audit_event.action in SILENT_ACTIONS:
        return None
    try:
        link = object_link(obj)
    except Exception:  # an object without the attributes its link needs (e.g. a deleted one's stub): no link
        link = ""
    return emit(
        reseller_id=audit_event.reseller_id,
        type=audit_event.action,
        object_type=audit_event.object_type,
        object_id=audit_event.object_id,
        link=link,
        data={
            "object_repr": audit_event.object_repr,
            "changes": audit_event.changes,
            "via": audit_event.via,
            "actor": audit_event.actor_repr,
            "audit_event_id": audit_event.pk,
        },
    )


def event_for_job_end(job) -> Event:
    """The event of a provisioning job that has ended: `provisioning_job.finished` or `provisioning_job.failed`."""
    return emit(
        reseller_id=job.reseller_id,
        type=f"provisioning_job.{job.status}",
        object_type="provisioningjob",
        object_id=str(job.pk),
        link=f"/v2/provisioningjobs/{job.pk}",
        data={
            "action": job.action,
            "status": job.status,
            "target_type": job.target_type,
            "target_id": job.target_id,
            "target": job.target_repr,
            "resource_links": job.resource_links,
            "error": job.error,
        },
    )


def fan_out(event: Event) -> list[WebhookDelivery]:
    """A pending delivery of `event` for each active webhook of its reseller that subscribes to its type."""
    from apps.events.delivery import retry_deadline
    from apps.events.tasks import enqueue_delivery

    hooks = [
        hook for hook in Webhook.objects.filter(reseller_id=event.reseller_id, is_active=True) if hook.wants(event.type)
    ]
    deliveries = [
        WebhookDelivery.objects.create(
            webhook=hook, event=event, next_attempt_at=event.at, retry_until=retry_deadline()
        )
        for hook in hooks
    ]
    for delivery in deliveries:
        transaction.on_commit(lambda pk=delivery.pk: enqueue_delivery(pk))
    return deliveries
