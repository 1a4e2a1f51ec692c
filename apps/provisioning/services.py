"""Writes on provisioning jobs."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.core import audit
from apps.core.errors import InvalidState
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.tasks import enqueue

# The status a target goes back to while its job is retried.
RETRY_STATUS = {"create": Status.PROVISIONING, "delete": Status.DELETING}


@transaction.atomic
def retry_job(*, principal: Principal, job_id) -> ProvisioningJob:
    """Run a failed job again (drivers are idempotent, so steps already done are harmless)."""
    require_level(principal, Level.WRITE)
    job = (
        ProvisioningJob.objects.select_for_update(of=("self",))
        .select_related("server")
        .get_for_principal(principal, pk=job_id)
    )
    if job.status != JobStatus.FAILED:
        raise InvalidState(f"Only failed jobs can be retried; this one is {job.status}.")
    status = RETRY_STATUS.get(job.action.rpartition(".")[2])
    if status is not None:
        model = Account if job.target_type == "account" else Asset
        model.objects.filter(pk=job.target_id, reseller_id=principal.reseller_id).update(status=status)
    job.status = JobStatus.PENDING
    job.error = None
    job.finished_at = None
    job.lease_expires_at = timezone.now() + timedelta(seconds=settings.PANEEL_JOB_LEASE_SECONDS)
    job.save(update_fields=["status", "error", "finished_at", "lease_expires_at"])
    audit.record(principal, "provisioning_job.retry", job, {"action": job.action, "attempts": job.attempts})
    # Parts that failed on other servers are run again with it (the job waits for its parts).
    failed_parts = list(job.parts.select_related("server").filter(status=JobStatus.FAILED))
    job.parts.filter(status=JobStatus.FAILED).update(
        status=JobStatus.PENDING, error=None, finished_at=None, lease_expires_at=job.lease_expires_at
    )
    for part in [job, *failed_parts]:
        transaction.on_commit(lambda part=part: enqueue(part))
    return job
