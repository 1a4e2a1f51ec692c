"""Running a provisioning job: claim it, drive each asset through its driver, record the outcome.

Safe to run twice and from several workers at once: the claim takes the job row's lock, a job that has
ended is left alone, a running job is taken over only once its lease has expired, and every driver step is
idempotent. A worker killed mid-job leaves a `running` job whose lease expires; `requeue_stale_jobs` (called
by every worker) hands it to the next one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Account, Status
from apps.assets.kinds import resource_link
from apps.assets.models import Asset
from apps.events.emit import event_for_job_end
from apps.provisioning.drivers import get_driver
from apps.provisioning.drivers.base import AssetSpec, DriverError
from apps.provisioning.models import UNFINISHED, JobStatus, ProvisioningJob

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    def __init__(self, code: str, detail: str):
        self.code, self.detail = code, detail
        super().__init__(detail)


def lease_deadline():
    return timezone.now() + timedelta(seconds=settings.PANEEL_JOB_LEASE_SECONDS)


def spec_of(asset: Asset, *, suspended: bool | None = None) -> AssetSpec:
    """What the driver needs to know about an asset (hashes included, never a clear password)."""
    return AssetSpec(
        asset_type=asset.asset_type,
        name=asset.name,
        account_identifier=asset.account.identifier,
        max_size=asset.max_size,
        suspended=asset.account.status == Status.SUSPENDED if suspended is None else suspended,
        details=asset.details,
    )


def claim(job_id) -> ProvisioningJob | None:
    """Mark the job running under a fresh lease, or None when it has ended or another worker holds it."""
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update().filter(pk=job_id).first()
        now = timezone.now()
        if job is None or job.status not in UNFINISHED:
            return None
        if job.status == JobStatus.RUNNING and job.lease_expires_at and job.lease_expires_at > now:
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.lease_expires_at = lease_deadline()
        job.save(update_fields=["status", "attempts", "started_at", "lease_expires_at"])
        return job


def renew_lease(job: ProvisioningJob) -> None:
    held(job).update(lease_expires_at=lease_deadline())


def held(job: ProvisioningJob):
    """The job's row while this claim still holds it (no other worker has taken it over since)."""
    return ProvisioningJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


class LeaseKeeper(threading.Thread):
    """Renews the job's lease while a driver step runs, so a long step is not mistaken for a dead worker."""

    def __init__(self, job: ProvisioningJob):
        super().__init__(name=f"lease-{job.pk}", daemon=True)
        self.job = job
        self.stopped = threading.Event()

    def run(self) -> None:
        every = max(1.0, settings.PANEEL_JOB_LEASE_SECONDS / 3)
        try:
            while not self.stopped.wait(every):
                held(self.job).update(lease_expires_at=lease_deadline())
        except Exception:  # renewal is best effort: at worst another worker redoes an idempotent job
            logger.exception("Could not renew the lease of job %s", self.job.pk)
        finally:
            connection.close()


def run_job(job_id) -> str | None:
    """Run one job to its end. Returns its final status, or None if there was nothing to do."""
    job = claim(job_id)
    if job is None:
        return None
    keeper = LeaseKeeper(job)
    keeper.start()
    try:
        links = handler_for(job.action)(job)
    except (DriverError, JobFailed) as exc:
        return fail(job, getattr(exc, "code", "driver_error"), exc.detail)
    except Exception:
        logger.exception("Provisioning job %s (%s) failed unexpectedly", job.pk, job.action)
        return fail(job, "internal_error", "The job failed unexpectedly; the operator has been told.")
    finally:
        keeper.stopped.set()
    with transaction.atomic():
        if held(job).update(
            status=JobStatus.FINISHED,
            resource_links=links,
            error=None,
            finished_at=timezone.now(),
            lease_expires_at=None,
        ):
            job_ended(job.pk)
    return JobStatus.FINISHED


def job_ended(job_id) -> None:
    """The job's end is an event for its reseller (and its webhooks), written with the job's final state."""
    event_for_job_end(ProvisioningJob.objects.get(pk=job_id))


def fail(job: ProvisioningJob, code: str, detail: str) -> str:
    """Record the failure on the job (a problem object) and mark what it was working on `failed`."""
    with transaction.atomic():
        if not held(job).update(
            status=JobStatus.FAILED,
            error={"code": code, "detail": detail, "status": 500, "title": "Provisioning failed"},
            finished_at=timezone.now(),
            lease_expires_at=None,
        ):
            return JobStatus.RUNNING  # another worker took the job over; its outcome counts, not ours
        job_ended(job.pk)
        if job.target_type == "account":
            Account.objects.filter(pk=job.target_id).update(status=Status.FAILED, updated_at=timezone.now())
        elif job.target_type == "asset":
            Asset.objects.filter(pk=job.target_id).update(status=Status.FAILED, updated_at=timezone.now())
    return JobStatus.FAILED


def target_account(job: ProvisioningJob) -> Account:
    account = Account.objects.filter(pk=job.target_id).first()
    if account is None:
        raise JobFailed("not_found", f"Account {job.target_repr} no longer exists.")
    return account


def target_asset(job: ProvisioningJob) -> Asset:
    asset = Asset.objects.select_related("account").filter(pk=job.target_id).first()
    if asset is None:
        raise JobFailed("not_found", f"{job.target_repr} no longer exists.")
    return asset


def each_asset(job: ProvisioningJob, assets: Iterable[Asset], step: Callable[[Asset], None]) -> None:
    for asset in assets:
        step(asset)
        renew_lease(job)


def account_assets(account: Account) -> list[Asset]:
    return list(account.assets.select_related("account").order_by("pk"))


def create_account(job: ProvisioningJob) -> list[str]:
    account = target_account(job)

    def create(asset: Asset) -> None:
        try:
            get_driver(asset.asset_type).create(spec_of(asset))
        except DriverError:
            Asset.objects.filter(pk=asset.pk).update(status=Status.FAILED)
            raise
        Asset.objects.filter(pk=asset.pk).update(status=Status.ACTIVE, updated_at=timezone.now())

    each_asset(job, account_assets(account), create)
    Account.objects.filter(pk=account.pk).update(status=Status.ACTIVE, updated_at=timezone.now())
    return [f"/v2/accounts/{account.pk}"]


def set_account_suspension(suspended: bool) -> Callable[[ProvisioningJob], list[str]]:
    new_status = Status.SUSPENDED if suspended else Status.ACTIVE

    def handle(job: ProvisioningJob) -> list[str]:
        account = target_account(job)
        each_asset(
            job,
            account_assets(account),
            lambda a: get_driver(a.asset_type).update(spec_of(a, suspended=suspended)),
        )
        account.assets.update(status=new_status, updated_at=timezone.now())
        Account.objects.filter(pk=account.pk).update(status=new_status, updated_at=timezone.now())
        return [f"/v2/accounts/{account.pk}"]

    return handle


def update_account(job: ProvisioningJob) -> list[str]:
    account = target_account(job)
    # Whether the account was suspended is recorded with the job: a failed attempt marks the account `failed`,
    # and a retry must not lift the suspension.
    suspended = job.payload.get("suspended", account.status == Status.SUSPENDED)
    each_asset(job, account_assets(account), lambda a: get_driver(a.asset_type).update(spec_of(a, suspended=suspended)))
    settled = Status.SUSPENDED if suspended else Status.ACTIVE
    account.assets.update(status=settled, updated_at=timezone.now())
    Account.objects.filter(pk=account.pk).update(status=settled, updated_at=timezone.now())
    return [f"/v2/accounts/{account.pk}"]


def delete_account(job: ProvisioningJob) -> list[str]:
    account = Account.objects.filter(pk=job.target_id).first()
    if account is None:  # a retry after the account was already removed: nothing left to do
        return []
    each_asset(job, account_assets(account), lambda a: get_driver(a.asset_type).delete(spec_of(a)))
    account.delete()
    return []


def create_asset(job: ProvisioningJob) -> list[str]:
    asset = target_asset(job)
    get_driver(asset.asset_type).create(spec_of(asset))
    settle_asset(asset)
    return [resource_link(asset)]


def update_asset(job: ProvisioningJob) -> list[str]:
    asset = target_asset(job)
    get_driver(asset.asset_type).update(spec_of(asset))
    settle_asset(asset)
    return [resource_link(asset)]


def settle_asset(asset: Asset) -> None:
    status = Status.SUSPENDED if asset.account.status == Status.SUSPENDED else Status.ACTIVE
    Asset.objects.filter(pk=asset.pk).update(status=status, updated_at=timezone.now())


def delete_asset(job: ProvisioningJob) -> list[str]:
    asset = Asset.objects.select_related("account").filter(pk=job.target_id).first()
    if asset is None:
        return []
    get_driver(asset.asset_type).delete(spec_of(asset))
    asset.delete()
    return []


ACCOUNT_HANDLERS = {
    "account.create": create_account,
    "account.suspend": set_account_suspension(True),
    "account.unsuspend": set_account_suspension(False),
    "account.change_servicepack": update_account,
    "account.delete": delete_account,
}
ASSET_HANDLERS = {"create": create_asset, "update": update_asset, "delete": delete_asset}


def handler_for(action: str) -> Callable[[ProvisioningJob], list[str]]:
    if action in ACCOUNT_HANDLERS:
        return ACCOUNT_HANDLERS[action]
    verb = action.rpartition(".")[2]
    if verb in ASSET_HANDLERS:
        return ASSET_HANDLERS[verb]
    raise JobFailed("internal_error", f"No handler for job action {action!r}.")


def requeue_stale_jobs() -> int:
    """Hand unfinished jobs whose lease expired (their worker died) back to the queue. Returns how many.

    Enqueueing a job twice is harmless: `claim` lets only one run, and a job that has ended is skipped.
    """
    from apps.provisioning.jobs import enqueue

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
