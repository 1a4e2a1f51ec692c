"""The background task the worker (`manage.py db_worker`) runs for each provisioning job, and handing jobs to it.

The chain goes one way: `jobs` (recording) -> `tasks` (enqueueing, requeueing) -> `runner` (running).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from apps.provisioning.models import DEFAULT_QUEUE, UNFINISHED, JobStatus, ProvisioningJob
from apps.provisioning.runner import lease_deadline, run_job

logger = logging.getLogger(__name__)


@task()
def run_provisioning_job(job_id: str) -> str | None:
    """Run provisioning job `job_id` (a no-op if it has ended or another worker holds it), then enqueue the jobs
    it woke: the parts it started on other servers, or the parent of the part it was."""
    wake: list[ProvisioningJob] = []
    status = run_job(job_id, wake)
    for job in wake:
        enqueue(job)
    return status


def queue_of(job: ProvisioningJob) -> str:
    """The task queue of the job's server (its name), or the default queue for a job without a server."""
    return job.server.queue_name if job.server_id else DEFAULT_QUEUE


def enqueue(job: ProvisioningJob) -> None:
    """Hand the job to the task backend, on its server's queue (that server's worker runs it)."""
    run_provisioning_job.using(queue_name=queue_of(job)).enqueue(str(job.pk))


def requeue_stale_jobs() -> int:
    """Hand unfinished jobs whose lease expired (their worker died) back to the queue. Returns how many.

    Enqueueing a job twice is harmless: `claim` lets only one run, and a job that has ended is skipped.
    """
    now = timezone.now()
    stale = ProvisioningJob.objects.filter(status__in=UNFINISHED, lease_expires_at__lt=now)
    requeued = 0
    for job in list(stale.select_related("server")[:500]):
        with transaction.atomic():
            if (
                ProvisioningJob.objects.filter(pk=job.pk, status__in=UNFINISHED, lease_expires_at__lt=now).update(
                    status=JobStatus.PENDING, lease_expires_at=lease_deadline()
                )
                == 1
            ):
                transaction.on_commit(lambda job=job: enqueue(job))
                requeued += 1
    if requeued:
        logger.warning("Requeued %d provisioning job(s) whose worker stopped renewing its lease", requeued)
    return requeued
