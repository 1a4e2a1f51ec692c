"""Running a provisioning job: claim it, drive each asset through its driver, record the outcome.

Safe to run twice and from several workers at once: the claim takes the job row's lock, a job that has
ended is left alone, a running job is taken over only once its lease has expired, and every driver step is
idempotent. A worker killed mid-job leaves a `running` job whose lease expires; `tasks.requeue_stale_jobs` (called
by every worker) hands it to the next one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Account, Status
from apps.assets.kinds import resource_link
from apps.assets.models import Asset
from apps.events.emit import event_for_job_end
from apps.provisioning.drivers import get_driver
from apps.provisioning.drivers.base import AssetSpec, DriverError, ServerInfo
from apps.provisioning.models import UNFINISHED, JobStatus, ProvisioningJob
from apps.servers.models import Server
from apps.servers.placement import ROLE_OF

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    def __init__(self, code: str, detail: str):
        self.code, self.detail = code, detail
        super().__init__(detail)


class WaitingForParts(Exception):
    """This job's own part is done and its parts on other servers are still running; each part, when it ends,
    wakes the job (and an expired lease requeues it should that wake-up be lost)."""

    def __init__(self, new_parts: list[ProvisioningJob] | None = None):
        super().__init__("waiting for parts")
        # Jobs to enqueue now (parts just started); a job parked for another reason (an operator's decision on a
        # domain order) has none, and is woken by whoever ends the wait.
        self.new_parts = new_parts or []


def lease_deadline():
    return timezone.now() + timedelta(seconds=settings.PANEEL_JOB_LEASE_SECONDS)


def server_info(server: Server | None) -> ServerInfo | None:
    """What a driver may know of a server (plain data: drivers do not import Django models)."""
    if server is None:
        return None
    return ServerInfo(
        name=server.name,
        hostname=server.hostname,
        ipv4_address=server.ipv4_address,
        ipv6_address=server.ipv6_address,
        root=server.provisioning_root or None,
        services=dict(server.services or {}),
    )


def spec_of(asset: Asset, *, suspended: bool | None = None) -> AssetSpec:
    """What the driver needs to know about an asset (hashes included, never a clear password)."""
    account = asset.account
    return AssetSpec(
        asset_type=asset.asset_type,
        name=asset.name,
        account_identifier=account.identifier,
        max_size=asset.max_size,
        suspended=account.status == Status.SUSPENDED if suspended is None else suspended,
        details=asset.details,
        placement={
            role: info
            for role in ("web", "mail", "dns", "db")
            if (info := server_info(account.server_for(role))) is not None
        },
    )


def driver_for(job: ProvisioningJob, asset_type: str):
    """The configured driver for `asset_type`, set up for the server the job runs on."""
    return get_driver(asset_type, server_info(job.server))


def asset_server_id(asset: Asset) -> int | None:
    """The id of the server `asset` lives on (its account's server for the asset type's role)."""
    role = ROLE_OF.get(asset.asset_type)
    return getattr(asset.account, f"{role}_server_id") if role else None


def on_same_target(job: ProvisioningJob):
    """The other whole jobs on the job's target (parts run under their parent and are never queued behind)."""
    return ProvisioningJob.objects.filter(
        target_type=job.target_type, target_id=job.target_id, parent__isnull=True
    ).exclude(pk=job.pk)


def waits_behind(job: ProvisioningJob) -> bool:
    """True while a job recorded earlier on the same target has not ended: jobs on one target run in order."""
    if job.parent_id is not None:
        return False
    earlier = Q(created_at__lt=job.created_at) | Q(created_at=job.created_at, pk__lt=job.pk)
    return on_same_target(job).filter(earlier, status__in=UNFINISHED).exists()


def next_on_target(job: ProvisioningJob) -> list[ProvisioningJob]:
    """The next pending job on `job`'s target, to be enqueued now that `job` has ended. (Were that wake-up lost,
    the waiting job's lease expires and `requeue_stale_jobs` enqueues it.)"""
    if job.parent_id is not None:
        return []
    following = (
        on_same_target(job).filter(status=JobStatus.PENDING).select_related("server").order_by("created_at", "pk")
    ).first()
    return [following] if following is not None else []


def claim(job_id) -> ProvisioningJob | None:
    """Mark the job running under a fresh lease, or None when it has ended, another worker holds it, or an earlier
    job on its target has not ended (it stays pending; that job's end wakes it, see `next_on_target`)."""
    with transaction.atomic():
        job = ProvisioningJob.objects.select_for_update(of=("self",)).select_related("server").filter(pk=job_id).first()
        now = timezone.now()
        if job is None or job.status not in UNFINISHED:
            return None
        if job.status == JobStatus.RUNNING and job.lease_expires_at and job.lease_expires_at > now:
            return None
        if job.status == JobStatus.PENDING and waits_behind(job):
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


def run_job(job_id, wake: list[ProvisioningJob] | None = None) -> str | None:
    """Run one job to its end. Returns its final status, or None if there was nothing to do.

    The jobs that must run next are appended to `wake` for the caller to enqueue (the runner enqueues nothing:
    `tasks` imports it): the parts a job started on other servers, the parent of a part that ended, and the next
    job on the target of a job that ended.
    """
    wake = [] if wake is None else wake
    job = claim(job_id)
    if job is None:
        return None
    status = run_claimed(job, wake)
    if status in (JobStatus.FINISHED, JobStatus.FAILED):
        wake.extend(next_on_target(job))
    return status


def run_claimed(job: ProvisioningJob, wake: list[ProvisioningJob]) -> str:
    keeper = LeaseKeeper(job)
    keeper.start()
    try:
        links = run_part(job) if job.parent_id else handler_for(job.action)(job)
    except WaitingForParts as waiting:
        wake.extend(waiting.new_parts)
        return JobStatus.PENDING
    except (DriverError, JobFailed) as exc:
        return fail(job, getattr(exc, "code", "driver_error"), exc.detail, wake)
    except Exception:
        logger.exception("Provisioning job %s (%s) failed unexpectedly", job.pk, job.action)
        return fail(job, "internal_error", "The job failed unexpectedly; the operator has been told.", wake)
    finally:
        keeper.stopped.set()
    with transaction.atomic():
        lock_parent(job, wake)
        if held(job).update(
            status=JobStatus.FINISHED,
            resource_links=links,
            error=None,
            finished_at=timezone.now(),
            lease_expires_at=None,
        ):
            job_ended(job)
    return JobStatus.FINISHED


def job_ended(job: ProvisioningJob) -> None:
    """A whole job's end is an event for its reseller (and its webhooks), written with the job's final state.
    A part's end is not: its parent's end tells."""
    if job.parent_id is None:
        event_for_job_end(ProvisioningJob.objects.get(pk=job.pk))


def lock_parent(job: ProvisioningJob, wake: list[ProvisioningJob]) -> None:
    """For a part: lock the parent's row (so it cannot miss this part's end) and have it woken afterwards."""
    if job.parent_id is None:
        return
    wake.append(ProvisioningJob.objects.select_for_update(of=("self",)).select_related("server").get(pk=job.parent_id))


def fail(job: ProvisioningJob, code: str, detail: str, wake: list[ProvisioningJob] | None = None) -> str:
    """Record the failure on the job (a problem object) and mark what it was working on `failed`."""
    with transaction.atomic():
        lock_parent(job, [] if wake is None else wake)
        if not held(job).update(
            status=JobStatus.FAILED,
            error={"code": code, "detail": detail, "status": 500, "title": "Provisioning failed"},
            finished_at=timezone.now(),
            lease_expires_at=None,
        ):
            return JobStatus.RUNNING  # another worker took the job over; its outcome counts, not ours
        job_ended(job)
        if job.target_type == "account":
            Account.objects.filter(pk=job.target_id).update(status=Status.FAILED, updated_at=timezone.now())
        elif job.target_type == "asset":
            Asset.objects.filter(pk=job.target_id).update(status=Status.FAILED, updated_at=timezone.now())
    return JobStatus.FAILED


def target_asset(job: ProvisioningJob) -> Asset:
    asset = Asset.objects.select_related("account").filter(pk=job.target_id).first()
    if asset is None:
        raise JobFailed("not_found", f"{job.target_repr} no longer exists.")
    return asset


def account_assets(account: Account) -> list[Asset]:
    return list(account.assets.select_related("account").order_by("pk"))


# An account-wide job in two halves: `step` drives one asset (on the server the job runs on), `finish` settles
# the account once every asset, on every server, has been driven.
Step = Callable[[ProvisioningJob, Asset], None]
Finish = Callable[[ProvisioningJob, Account], list[str]]


def run_account_job(job: ProvisioningJob, step: Step, finish: Finish) -> list[str]:
    """Drive the account's assets on this job's server, hand the others to parts on their servers, then finish.

    The job runs on the account's primary server; assets placed on another server get a part (a child job on
    that server's queue). The job finishes only after all its parts, and fails with the first part that failed.
    """
    account = Account.objects.filter(pk=job.target_id).first()
    if account is None:
        if job.action == "account.delete":  # a retry after the account was already removed: nothing left
            return []
        raise JobFailed("not_found", f"Account {job.target_repr} no longer exists.")
    assets = account_assets(account)
    servers = {asset_server_id(asset) for asset in assets} | hook_servers(job, account)
    other_servers = sorted(servers - {job.server_id}, key=lambda pk: pk or 0)
    # A job woken by its parts (or retried after one failed) does not drive its own assets again.
    if not job.payload.get("own_part_done"):
        for asset in assets:
            if asset_server_id(asset) == job.server_id:
                step(job, asset)
                renew_lease(job)
        run_account_hooks(job, account)
        if other_servers:
            job.payload = {**job.payload, "own_part_done": True}
            held(job).update(payload=job.payload)
    if other_servers:
        await_parts(job, start_parts(job, other_servers))
    return finish(job, account)


def run_part(job: ProvisioningJob) -> list[str]:
    """A part of an account-wide job: drive the account's assets that live on this part's server."""
    step, _ = ACCOUNT_HANDLERS[job.action]
    account = Account.objects.filter(pk=job.target_id).first()
    for asset in account_assets(account) if account else []:
        if asset_server_id(asset) == job.server_id:
            step(job, asset)
            renew_lease(job)
    if account is not None:
        run_account_hooks(job, account)
    return []


@dataclass(frozen=True)
class AccountHook:
    """What another app drives on an account-wide job besides its assets (e.g. the mail zone's files on an
    account's deletion): `run` is called once on every server the job runs on, after that server's assets;
    `servers` names the servers it needs, which get a part even when no asset of the account lives there."""

    run: Callable[[ProvisioningJob, Account], None]
    servers: Callable[[ProvisioningJob, Account], set[int | None]]


ACCOUNT_HOOKS: list[AccountHook] = []  # registered in AppConfig.ready()


def register_account_hook(hook: AccountHook) -> None:
    if hook not in ACCOUNT_HOOKS:
        ACCOUNT_HOOKS.append(hook)


def run_account_hooks(job: ProvisioningJob, account: Account) -> None:
    for hook in ACCOUNT_HOOKS:
        hook.run(job, account)


def hook_servers(job: ProvisioningJob, account: Account) -> set[int | None]:
    return set().union(*(hook.servers(job, account) for hook in ACCOUNT_HOOKS))


def start_parts(job: ProvisioningJob, server_ids: list[int | None]) -> list[ProvisioningJob]:
    """Create (once) the job's part for each server and return the new ones; parts of an earlier attempt stay."""
    existing = set(job.parts.values_list("server_id", flat=True))
    new_parts = []
    for server_id in server_ids:
        if server_id in existing:
            continue
        part = ProvisioningJob.objects.create(
            reseller_id=job.reseller_id,
            action=job.action,
            target_type=job.target_type,
            target_id=job.target_id,
            target_repr=job.target_repr,
            payload=job.payload,
            actor_repr=job.actor_repr,
            estimate=job.estimate,
            lease_expires_at=lease_deadline(),
            server_id=server_id,
            parent=job,
        )
        new_parts.append(ProvisioningJob.objects.select_related("server").get(pk=part.pk))
    return new_parts


def await_parts(job: ProvisioningJob, new_parts: list[ProvisioningJob]) -> None:
    """Return when every part has finished; park the job (pending) while some still run; fail on a failed one.

    The job's row lock orders this check against a part's end (`lock_parent`): either the check sees the part
    ended, or the part's wake-up comes after the job was parked.
    """
    with transaction.atomic():
        ProvisioningJob.objects.select_for_update().filter(pk=job.pk).first()
        parts = list(job.parts.select_related("server").order_by("created_at"))
        failed = next((p for p in parts if p.status in (JobStatus.FAILED, JobStatus.CANCELLED)), None)
        if failed is not None:
            error = failed.error or {}
            where = failed.server.name if failed.server else "the default queue"
            raise JobFailed(error.get("code", "driver_error"), f"On server {where}: {error.get('detail', '')}")
        waiting = any(p.status in UNFINISHED for p in parts)
        if waiting:
            held(job).update(status=JobStatus.PENDING, lease_expires_at=lease_deadline())
    if waiting:  # raised outside the block, which must commit the parked state
        raise WaitingForParts(new_parts)


def create_step(job: ProvisioningJob, asset: Asset) -> None:
    try:
        driver_for(job, asset.asset_type).create(spec_of(asset))
    except DriverError:
        Asset.objects.filter(pk=asset.pk).update(status=Status.FAILED)
        raise
    settle(Asset.objects.filter(pk=asset.pk), Status.ACTIVE)


def finish_create(job: ProvisioningJob, account: Account) -> list[str]:
    settle(Account.objects.filter(pk=account.pk), Status.ACTIVE)
    return [f"/v2/accounts/{account.pk}"]


def suspended_for(job: ProvisioningJob) -> bool:
    """Whether the account is to be suspended at the end of the job.

    A suspension change says so by its action; a plan change records it with the job, since a failed attempt
    marks the account `failed` and a retry must not lift the suspension.
    """
    if job.action in ("account.suspend", "account.unsuspend"):
        return job.action == "account.suspend"
    return bool(job.payload.get("suspended"))


def update_step(job: ProvisioningJob, asset: Asset) -> None:
    driver_for(job, asset.asset_type).update(spec_of(asset, suspended=suspended_for(job)))


def finish_update(job: ProvisioningJob, account: Account) -> list[str]:
    settled = Status.SUSPENDED if suspended_for(job) else Status.ACTIVE
    settle(account.assets.all(), settled)
    settle(Account.objects.filter(pk=account.pk), settled)
    return [f"/v2/accounts/{account.pk}"]


def delete_step(job: ProvisioningJob, asset: Asset) -> None:
    driver_for(job, asset.asset_type).delete(spec_of(asset))


def finish_delete(job: ProvisioningJob, account: Account) -> list[str]:
    account.delete()
    return []


def create_asset(job: ProvisioningJob) -> list[str]:
    asset = target_asset(job)
    driver_for(job, asset.asset_type).create(spec_of(asset))
    settle_asset(asset)
    return [resource_link(asset)]


def update_asset(job: ProvisioningJob) -> list[str]:
    asset = target_asset(job)
    driver_for(job, asset.asset_type).update(spec_of(asset))
    settle_asset(asset)
    return [resource_link(asset)]


def settle(rows, status: str) -> None:
    """Give the rows the status their job leaves them in, except those a queued delete already marked `deleting`."""
    rows.exclude(status=Status.DELETING).update(status=status, updated_at=timezone.now())


def settle_asset(asset: Asset) -> None:
    status = Status.SUSPENDED if asset.account.status == Status.SUSPENDED else Status.ACTIVE
    settle(Asset.objects.filter(pk=asset.pk), status)


def delete_asset(job: ProvisioningJob) -> list[str]:
    asset = Asset.objects.select_related("account").filter(pk=job.target_id).first()
    if asset is None:
        return []
    driver_for(job, asset.asset_type).delete(spec_of(asset))
    asset.delete()
    return []


ACCOUNT_HANDLERS: dict[str, tuple[Step, Finish]] = {
    "account.create": (create_step, finish_create),
    "account.suspend": (update_step, finish_update),
    "account.unsuspend": (update_step, finish_update),
    "account.change_servicepack": (update_step, finish_update),
    "account.delete": (delete_step, finish_delete),
}
ASSET_HANDLERS = {"create": create_asset, "update": update_asset, "delete": delete_asset}
# Jobs on targets of apps above this one (mail zones, DNS zones, certificates, domains): action -> handler,
# registered by those apps when Django starts (their AppConfig.ready), so this module imports none of them.
APP_HANDLERS: dict[str, Callable[[ProvisioningJob], list[str]]] = {}


def register_handler(action: str, handler: Callable[[ProvisioningJob], list[str]]) -> None:
    """Run `handler(job)` for jobs of `action`; it returns the job's resource links, or raises DriverError."""
    APP_HANDLERS[action] = handler


# Periodic work of other apps (certificate renewal), run by every worker's sweep (db_worker).
SWEEPS: list[Callable[[], object]] = []


def register_sweep(sweep: Callable[[], object]) -> None:
    if sweep not in SWEEPS:
        SWEEPS.append(sweep)


def handler_for(action: str) -> Callable[[ProvisioningJob], list[str]]:
    if action in APP_HANDLERS:
        return APP_HANDLERS[action]
    if action in ACCOUNT_HANDLERS:
        step, finish = ACCOUNT_HANDLERS[action]
        return lambda job: run_account_job(job, step, finish)
    verb = action.rpartition(".")[2]
    if verb in ASSET_HANDLERS:
        return ASSET_HANDLERS[verb]
    raise JobFailed("internal_error", f"No handler for job action {action!r}.")
