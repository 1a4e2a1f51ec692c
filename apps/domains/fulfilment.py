"""The operator's side of the operator-fulfilled registrar: completing or refusing an order in Django admin.

Each decision is audited (via `admin`) and wakes the order's job, which then reads the outcome through the
registrar driver and finishes or fails; the reseller sees the domain's state change.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from apps.core import audit
from apps.core.errors import InsufficientLevel, InvalidState
from apps.core.principal import Principal, Via
from apps.domains.models import DomainOrder, OrderState
from apps.provisioning.models import UNFINISHED, JobStatus, ProvisioningJob
from apps.provisioning.tasks import enqueue


def decide(*, principal: Principal, order_id: int, state: str, reason: str = "", expiration_date=None) -> DomainOrder:
    """Record the operator's decision on a waiting order and wake its job."""
    if principal.via != Via.ADMIN:
        raise InsufficientLevel("Only platform operators fulfil registrar orders.")
    with transaction.atomic():
        order = DomainOrder.objects.select_for_update().select_related("domain").get(pk=order_id)
        if order.state != OrderState.WAITING:
            raise InvalidState(f"{order} was already {order.state}.")
        order.state, order.reason = state, reason
        order.decided_by, order.decided_at = principal.actor_repr[:200], timezone.now()
        if expiration_date is None and order.operation in ("register", "transfer"):
            expiration_date = timezone.now() + dt.timedelta(days=365)
        if expiration_date is not None:
            order.payload = {**order.payload, "expiration_date": expiration_date.isoformat()}
        order.save()
        audit.record(principal, f"domain_order.{state}", order, {"domain": order.domain.domain_name, "reason": reason})
        jobs = ProvisioningJob.objects.filter(
            target_type="domainorder", target_id=str(order.pk), status__in=UNFINISHED
        ).select_related("server")
        for job in jobs:
            ProvisioningJob.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(lease_expires_at=timezone.now())
            transaction.on_commit(lambda job=job: enqueue(job))
    return order


def complete_order(*, principal: Principal, order_id: int, expiration_date=None) -> DomainOrder:
    return decide(principal=principal, order_id=order_id, state=OrderState.COMPLETED, expiration_date=expiration_date)


def refuse_order(*, principal: Principal, order_id: int, reason: str) -> DomainOrder:
    return decide(principal=principal, order_id=order_id, state=OrderState.REFUSED, reason=reason)
