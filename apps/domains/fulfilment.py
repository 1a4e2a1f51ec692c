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
from apps.domains.models import DomainOrder, Operation, OrderState
from apps.provisioning.models import UNFINISHED, JobStatus, ProvisioningJob
from apps.provisioning.tasks import enqueue


def one_year_after(moment: dt.datetime) -> dt.datetime:
    try:
        return moment.replace(year=moment.year + 1)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + 1, day=28)


def default_expiration(order: DomainOrder, now: dt.datetime) -> dt.datetime | None:
    """What the registry most likely reports: a registration or transfer runs one year from its completion, a
    renewal adds a year to the current expiration; other orders leave the date alone."""
    if order.operation in (Operation.REGISTER, Operation.TRANSFER):
        return one_year_after(now)
    if order.operation == Operation.RENEWAL:
        return one_year_after(order.domain.expiration_date or now)
    return None


def decide(*, principal: Principal, order_id: int, state: str, reason: str = "", expiration_date=None) -> DomainOrder:
    """Record the operator's decision on a waiting order and wake its job. A completed order sets the domain's
    expiration date to `expiration_date` (what the registry reports), by default `default_expiration`."""
    if principal.via != Via.ADMIN:
        raise InsufficientLevel("Only platform operators fulfil registrar orders.")
    with transaction.atomic():
        order = DomainOrder.objects.select_for_update().select_related("domain").get(pk=order_id)
        if order.state != OrderState.WAITING:
            raise InvalidState(f"{order} was already {order.state}.")
        order.state, order.reason = state, reason
        order.decided_by, order.decided_at = principal.actor_repr[:200], timezone.now()
        if state == OrderState.COMPLETED and expiration_date is None:
            expiration_date = default_expiration(order, timezone.now())
        if state == OrderState.COMPLETED and expiration_date is not None:
            if timezone.is_naive(expiration_date):
                expiration_date = timezone.make_aware(expiration_date, dt.UTC)
            order.payload = {**order.payload, "expiration_date": expiration_date.isoformat()}
        order.save()
        audit.record(
            principal,
            f"domain_order.{state}",
            order,
            {
                "domain": order.domain.domain_name,
                "reason": reason,
                "expiration_date": order.payload.get("expiration_date"),
            },
        )
        jobs = ProvisioningJob.objects.filter(
            target_type="domainorder", target_id=str(order.pk), status__in=UNFINISHED
        ).select_related("server")
        for job in jobs:
            ProvisioningJob.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(lease_expires_at=timezone.now())
            transaction.on_commit(lambda job=job: enqueue(job))
    return order


def complete_order(*, principal: Principal, order_id: int, expiration_date=None) -> DomainOrder:
    """The order was carried out at the registry; `expiration_date` is the domain's expiry it reports."""
    return decide(principal=principal, order_id=order_id, state=OrderState.COMPLETED, expiration_date=expiration_date)


def refuse_order(*, principal: Principal, order_id: int, reason: str) -> DomainOrder:
    """The registry refused the order (or it cannot be carried out); `reason` is shown to the reseller."""
    return decide(principal=principal, order_id=order_id, state=OrderState.REFUSED, reason=reason)
