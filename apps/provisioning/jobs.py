"""Recording provisioning jobs: the one call every service uses for work that needs a driver."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from apps.core.principal import Principal
from apps.provisioning import tasks
from apps.provisioning.models import ProvisioningJob

if TYPE_CHECKING:
    from apps.servers.models import Server

# What a job is expected to take, for the `completion.estimate` clients poll on.
EXPECTED_SECONDS = {"account.create": 30, "account.delete": 30}
DEFAULT_EXPECTED_SECONDS = 15


def target_key(target: models.Model) -> tuple[str, str]:
    return target._meta.model_name, str(target.pk)


def record_job(
    *,
    principal: Principal,
    action: str,
    target: models.Model,
    payload: dict[str, Any] | None = None,
    server: Server | None = None,
) -> ProvisioningJob:
    """Record a pending job for `action` on `target` and enqueue it once the surrounding transaction commits.

    `server` is the server whose worker must run it (DESIGN 8): by default the target's own
    `provisioning_server` (an account's primary server, the server an asset lives on); None: the default queue.

    Jobs on one target run in the order they were recorded: a change made while an earlier job on the same target
    has not ended is recorded all the same, and waits behind it (`runner.claim`), instead of being refused.
    """
    if server is None:
        server = getattr(target, "provisioning_server", None)
    target_type, target_id = target_key(target)
    job = ProvisioningJob.objects.create(
        reseller_id=principal.reseller_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_repr=str(target)[:255],
        payload=payload or {},
        actor_repr=principal.actor_repr[:200],
        server=server,
        estimate=timezone.now() + timedelta(seconds=EXPECTED_SECONDS.get(action, DEFAULT_EXPECTED_SECONDS)),
        # A pending job not claimed by then is enqueued again (see tasks.requeue_stale_jobs): nothing is lost
        # even if the process dies between the commit and the enqueue.
        lease_expires_at=timezone.now() + timedelta(seconds=settings.PANEEL_JOB_LEASE_SECONDS),
    )
    transaction.on_commit(lambda: tasks.enqueue(job))
    return job
