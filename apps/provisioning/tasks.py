"""The background task the worker (`manage.py db_worker`) runs for each provisioning job, and handing jobs to it.

The chain goes one way: `jobs` (recording) -> `tasks` (enqueueing, requeueing) -> `runner` (running).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from apps.provisioning.models import UNFINISHED, JobStatus, ProvisioningJob
from apps.provisioning.runner import lease_deadline, run_job

logger = logging.getLogger(__name__)


@task()
def run_provisioning_job(job_id: str) -> str | None:
    """Run provisioning job `job_id` (a no-op if it has ended or another worker holds it)."""
    return run_job(job_id)


def enqueue(job_id) -> None:
    """Hand the job to the task backend (the worker runs it)."""
    run_provisioning_job.enqueue(str(job_id))


def requeue_stale_jobs() -> int:
    """Hand unfinished jobs whose lease expired (their worker died) back to the queue. Returns how many.

    Enqueueing a job twice is harmless: `claim` lets only one run, and a job that has ended is skipped.
    """
    now = timezone.now()
    stale = ProvisioningJob.objects.filter(status__in=UNFINISHED, lease_expires_at__lt=now)
    requeued = 0
    for job_id in list(stale.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            if (
                ProvisioningJob.objects.filter(pk=job_id, status__in=UNFINISHED, lease_expires_at__lt=now).update(
                    status=JobStatus.PENDING, lease_expires_at=lease_deadline()
                )
                == 1
            ):
                transaction.on_commit(lambda job_id=job_id: enqueue(job_id))
                requeued += 1
    if requeued:
        logger.warning("Requeued %d provisioning job(s) whose worker stopped renewing its lease", requeued)
    return requeued
