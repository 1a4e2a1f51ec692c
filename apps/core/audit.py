"""The audit writer: one call per service write, inside the service's transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models

from apps.core.models import AuditEvent
from apps.core.principal import ActorKind, Principal

# Called with (audit event, object) after each AuditEvent is written, inside the same transaction. Core knows no
# domain app: an app that reacts to audited changes (apps.events) registers here in its AppConfig.ready().
AuditListener = Callable[[AuditEvent, models.Model], None]
_listeners: list[AuditListener] = []


def add_listener(listener: AuditListener) -> None:
    """Have `listener(event, obj)` called after every audit event is written (once, however often registered)."""
    if listener not in _listeners:
        _listeners.append(listener)


def record(principal: Principal, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEvent:
    """Write one AuditEvent for `action` on `obj` by `principal`. Secrets never go into `changes`.

    The registered listeners run in the caller's transaction: what they write commits or rolls back with it."""
    event = AuditEvent.objects.create(
        reseller_id=principal.reseller_id if principal.reseller is not None else None,
        via=principal.via,
        actor_kind=principal.actor_kind,
        actor_user=principal.user if principal.actor_kind == ActorKind.USER else None,
        actor_id=principal.actor_id,
        actor_repr=principal.actor_repr[:200],
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        ip=principal.ip,
        request_id=principal.request_id,
    )
    for listener in _listeners:
        listener(event, obj)
    return event


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """`{field: [old, new]}` for the fields whose value changed."""
    return {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
