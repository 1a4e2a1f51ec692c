"""The worker's side of domain orders: hand the order to the registrar driver; while it is pending the job waits
(parked `pending`, woken by the operator's decision, or by the lease sweep to ask again)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from apps.core import crypto
from apps.domains.models import Domain, DomainOrder, DomainStatus, Operation
from apps.domains.registrars import RegistryOrder, get_registrar
from apps.domains.services import order_due_renewals
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.runner import (
    JobFailed,
    WaitingForParts,
    held,
    lease_deadline,
    register_handler,
    register_sweep,
)


def registry_order(order: DomainOrder) -> RegistryOrder:
    payload = order.payload
    expiration = payload.get("expiration_date")
    return RegistryOrder(
        order_id=order.pk,
        operation=order.operation,
        domain_name=order.domain.domain_name,
        name_servers=tuple(payload.get("name_servers", ())),
        will_renew=payload.get("will_renew"),
        registrant=payload.get("registrant", {}),
        auth_code=crypto.decrypt(order.auth_code_encrypted) if order.auth_code_encrypted else "",
        decision=order.state,
        reason=order.reason,
        decided_expiration=dt.datetime.fromisoformat(expiration) if expiration else None,
    )


def run_order(job: ProvisioningJob) -> list[str]:
    order = DomainOrder.objects.select_related("domain").filter(pk=job.target_id).first()
    if order is None:
        return []
    answer = get_registrar().submit(registry_order(order))
    domain = order.domain
    if answer.state == "pending":
        held(job).update(status=JobStatus.PENDING, lease_expires_at=lease_deadline())
        raise WaitingForParts  # the runner leaves the parked job alone until it is woken
    with transaction.atomic():
        domain = Domain.objects.select_for_update().get(pk=domain.pk)
        if answer.state == "refused":
            if order.operation in (Operation.REGISTER, Operation.TRANSFER):
                domain.status = DomainStatus.REFUSED
                domain.save(update_fields=["status", "updated_at"])
        else:
            if order.operation in (Operation.REGISTER, Operation.TRANSFER):
                domain.status = DomainStatus.ACTIVE
            if answer.expiration_date is not None:
                domain.expiration_date = answer.expiration_date
            if "name_servers" in order.payload:
                domain.name_servers = order.payload["name_servers"]
            if order.payload.get("will_renew") is not None:
                domain.will_renew = order.payload["will_renew"]
            domain.save()
    if answer.state == "refused":
        raise JobFailed("registrar_refused", answer.reason)
    return [f"/v2/domains/{domain.domain_name}"]


for operation in Operation.values:
    register_handler(f"domain.{operation}", run_order)
register_sweep(order_due_renewals)
