"""The job runner in-process: claims and leases, idempotence, requeueing, retries, and what each handler leaves.

Jobs run through the ImmediateBackend of tests/settings.py (on commit, captured with
`django_capture_on_commit_callbacks`) or by calling `runner.run_job` directly. The drivers are the local ones
wrapped by `tests.integration.fault_drivers`, which log every call and fail on demand.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from apps.accounts.models import Account, Status
from apps.accounts.services import (
    change_servicepack,
    create_account,
    delete_account,
    suspend_account,
    unsuspend_account,
)
from apps.assets.models import Asset
from apps.assets.services import change_asset_password, create_asset, delete_asset, resize_asset
from apps.core.errors import InsufficientLevel, InvalidState, NotFound
from apps.core.models import AuditEvent
from apps.provisioning import runner, tasks
from apps.provisioning.jobs import record_job
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.services import retry_job
from tests.integration.fault_drivers import FAULT_CODE, FAULT_DIR_ENV, FAULTY_DRIVERS, calls

pytestmark = pytest.mark.django_db

DOMAIN = "alpha-shop.example"  # account_a's identifier (tests/conftest.py)
DB_PASSWORD = "Dbsecret12"


@pytest.fixture(autouse=True)
def faults(monkeypatch, settings, tmp_path) -> Path:
    """The fault drivers for every asset type; touch ``fail-<asset_type>`` in the returned directory to fail."""
    directory = tmp_path / "faults"
    directory.mkdir()
    monkeypatch.setenv(FAULT_DIR_ENV, str(directory))
    settings.PANEEL_DRIVERS = FAULTY_DRIVERS
    return directory


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): <service call>` runs the jobs the call enqueues when its transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def record(principal, target, action: str, **fields) -> ProvisioningJob:
    """A job recorded as the services record it (never enqueued here), then given `fields`."""
    job = record_job(principal=principal, action=action, target=target)
    if fields:
        ProvisioningJob.objects.filter(pk=job.pk).update(**fields)
    job.refresh_from_db()
    return job


def create_job_of(target) -> ProvisioningJob:
    return ProvisioningJob.objects.get(target_id=str(target.pk), action__endswith=".create")


def reloaded(instance):
    instance.refresh_from_db()
    return instance


def lease_seconds_left(job: ProvisioningJob) -> float:
    return (job.lease_expires_at - timezone.now()).total_seconds()


def files_under(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `root` with its mode and (for files) its bytes."""
    return {
        str(path.relative_to(root)): (path.stat().st_mode, path.read_bytes() if path.is_file() else None)
        for path in sorted(root.rglob("*"))
    }


def ftp_entries(root: Path, domain: str) -> list[str]:
    """The password-hash field of the pure-ftpd line(s) of `domain`."""
    lines = (root / "ftp" / "passwd").read_text().splitlines()
    return [line.split(":")[1] for line in lines if line.startswith(f"{domain}:")]


def mysql_asset(principal, account, run_jobs, database_name: str = "shop") -> Asset:
    with run_jobs():
        asset, _ = create_asset(
            principal=principal,
            account_id=account.pk,
            asset_type="mysql",
            fields={"database_name": database_name},
            password=DB_PASSWORD,
        )
    return reloaded(asset)


# Claims and leases ----------------------------------------------------------------------------------------------


def test_claim_marks_a_pending_job_running_under_a_fresh_lease(account_a, full_a):
    job = record(full_a, account_a, "account.suspend")
    before = timezone.now()

    claimed = runner.claim(job.pk)

    job.refresh_from_db()
    assert claimed is not None and claimed.pk == job.pk
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    assert job.started_at >= before
    assert settings.PANEEL_JOB_LEASE_SECONDS - 5 < lease_seconds_left(job) <= settings.PANEEL_JOB_LEASE_SECONDS


def test_claim_of_an_unknown_job_is_none():
    assert runner.claim(uuid.uuid4()) is None
    assert runner.run_job(uuid.uuid4()) is None


def test_finished_job_is_not_run_again(account_a, faults):
    job = create_job_of(account_a)
    assert (job.status, job.attempts) == (JobStatus.FINISHED, 1)
    driver_calls = calls(faults)
    assert driver_calls == [f"create linux_hosting {DOMAIN}"]

    assert runner.run_job(job.pk) is None

    assert (reloaded(job).status, job.attempts, job.resource_links) == (
        JobStatus.FINISHED,
        1,
        [f"/v2/accounts/{account_a.pk}"],
    )
    assert calls(faults) == driver_calls


@pytest.mark.parametrize("status", [JobStatus.FAILED, JobStatus.CANCELLED])
def test_job_that_has_ended_otherwise_is_not_run_again(account_a, full_a, faults, status):
    job = record(full_a, account_a, "account.suspend", status=status, attempts=1, lease_expires_at=None)

    assert runner.run_job(job.pk) is None

    assert (reloaded(job).status, job.attempts) == (status, 1)
    assert reloaded(account_a).status == Status.ACTIVE
    assert calls(faults) == [f"create linux_hosting {DOMAIN}"]


def test_running_job_with_a_live_lease_is_left_to_its_worker(account_a, full_a, faults):
    lease = timezone.now() + timedelta(seconds=60)
    job = record(full_a, account_a, "account.suspend", status=JobStatus.RUNNING, attempts=1, lease_expires_at=lease)

    assert runner.claim(job.pk) is None
    assert runner.run_job(job.pk) is None

    assert (reloaded(job).status, job.attempts, job.lease_expires_at) == (JobStatus.RUNNING, 1, lease)
    assert reloaded(account_a).status == Status.ACTIVE
    assert not any(call.startswith("update") for call in calls(faults))


def test_running_job_whose_lease_expired_is_taken_over(account_a, full_a, faults):
    first_start = timezone.now() - timedelta(minutes=5)
    job = record(
        full_a,
        account_a,
        "account.suspend",
        status=JobStatus.RUNNING,
        attempts=1,
        started_at=first_start,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    assert runner.run_job(job.pk) == JobStatus.FINISHED

    job.refresh_from_db()
    assert (job.status, job.attempts, job.started_at) == (JobStatus.FINISHED, 2, first_start)
    assert (job.resource_links, job.error, job.lease_expires_at) == ([f"/v2/accounts/{account_a.pk}"], None, None)
    assert reloaded(account_a).status == Status.SUSPENDED
    assert calls(faults)[-1] == f"update linux_hosting {DOMAIN}"


def test_running_a_job_again_gives_the_same_end_state(full_a, servicepack, provisioning_root):
    account, job = create_account(
        principal=full_a, identifier="twice.example", servicepack=servicepack, ftp_password="Ftpsecret1"
    )
    assert runner.run_job(job.pk) == JobStatus.FINISHED
    first_files = files_under(provisioning_root)
    first_job = reloaded(job)
    assert (first_job.resource_links, first_job.attempts) == ([f"/v2/accounts/{account.pk}"], 1)

    assert runner.run_job(job.pk) is None  # ended: nothing to do
    # As after a worker that died once its drivers had run but before it recorded the outcome: all again.
    ProvisioningJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert runner.run_job(job.pk) == JobStatus.FINISHED

    job.refresh_from_db()
    assert (job.status, job.resource_links, job.error, job.attempts) == (
        JobStatus.FINISHED,
        first_job.resource_links,
        None,
        2,
    )
    assert files_under(provisioning_root) == first_files
    assert len(ftp_entries(provisioning_root, "twice.example")) == 1
    assert reloaded(account).status == Status.ACTIVE
    assert list(account.assets.values_list("status", flat=True)) == [Status.ACTIVE]


def test_job_with_an_unknown_action_fails_cleanly(account_a, full_a):
    job = record(full_a, account_a, "account.explode")

    assert runner.run_job(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.lease_expires_at, job.resource_links) == (JobStatus.FAILED, None, [])
    assert job.error["code"] == "internal_error"
    assert "account.explode" in job.error["detail"]


def test_unexpected_exception_fails_the_job_as_internal_error(account_a, full_a, monkeypatch):
    class BrokenDriver:
        def update(self, spec):
            raise RuntimeError("secret detail from deep inside")

    monkeypatch.setattr(runner, "get_driver", lambda asset_type: BrokenDriver())
    job = record(full_a, account_a, "account.suspend")

    assert runner.run_job(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == {
        "code": "internal_error",
        "detail": "The job failed unexpectedly; the operator has been told.",
        "status": 500,
        "title": "Provisioning failed",
    }
    assert reloaded(account_a).status == Status.FAILED


# Requeueing the jobs of dead workers -------------------------------------------------------------------------------


def test_requeue_stale_jobs_requeues_only_unfinished_jobs_whose_lease_expired(
    account_a, full_a, monkeypatch, django_capture_on_commit_callbacks
):
    past, future = timezone.now() - timedelta(seconds=5), timezone.now() + timedelta(seconds=60)
    cases = {
        "pending, expired": (JobStatus.PENDING, past),
        "running, expired": (JobStatus.RUNNING, past),
        "pending, live": (JobStatus.PENDING, future),
        "running, live": (JobStatus.RUNNING, future),
        "finished, expired": (JobStatus.FINISHED, past),
        "failed, expired": (JobStatus.FAILED, past),
        "cancelled, expired": (JobStatus.CANCELLED, past),
    }
    job_ids = {
        case: record(full_a, account_a, "account.suspend", status=status, lease_expires_at=lease).pk
        for case, (status, lease) in cases.items()
    }
    enqueued = []
    monkeypatch.setattr(tasks, "enqueue", lambda job: enqueued.append(job.pk))

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_jobs() == 2

    assert sorted(enqueued) == sorted([job_ids["pending, expired"], job_ids["running, expired"]])
    for case, (status, lease) in cases.items():
        job = ProvisioningJob.objects.get(pk=job_ids[case])
        if case.endswith(", expired") and status in (JobStatus.PENDING, JobStatus.RUNNING):
            assert job.status == JobStatus.PENDING, case
            assert lease_seconds_left(job) > settings.PANEEL_JOB_LEASE_SECONDS - 5, case
        else:
            assert (job.status, job.lease_expires_at) == (status, lease), case
    # Their leases are fresh again: a second sweep right away finds nothing.
    assert tasks.requeue_stale_jobs() == 0


def test_requeued_job_of_a_dead_worker_is_run_to_the_end(account_a, full_a, django_capture_on_commit_callbacks):
    job = record(
        full_a,
        account_a,
        "account.suspend",
        status=JobStatus.RUNNING,
        attempts=1,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.requeue_stale_jobs() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts, job.resource_links) == (JobStatus.FINISHED, 2, [f"/v2/accounts/{account_a.pk}"])
    assert reloaded(account_a).status == Status.SUSPENDED


# Retrying failed jobs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [JobStatus.PENDING, JobStatus.RUNNING, JobStatus.FINISHED, JobStatus.CANCELLED])
def test_retry_job_refuses_a_job_that_has_not_failed(account_a, full_a, django_capture_on_commit_callbacks, status):
    job = record(full_a, account_a, "account.suspend", status=status, attempts=1)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidState):
        retry_job(principal=full_a, job_id=job.pk)

    assert (reloaded(job).status, job.attempts) == (status, 1)
    assert callbacks == []


def test_retry_job_of_another_resellers_job_is_not_found(account_a, full_a, full_b, django_capture_on_commit_callbacks):
    error = {"code": FAULT_CODE, "detail": "x", "status": 500, "title": "Provisioning failed"}
    job = record(full_a, account_a, "account.suspend", status=JobStatus.FAILED, attempts=1, error=error)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(NotFound):
        retry_job(principal=full_b, job_id=job.pk)

    assert (reloaded(job).status, job.error, job.attempts) == (JobStatus.FAILED, error, 1)
    assert callbacks == []
    assert not AuditEvent.objects.filter(action="provisioning_job.retry").exists()


def test_retry_job_needs_write_level(account_a, full_a, read_a):
    job = record(full_a, account_a, "account.suspend", status=JobStatus.FAILED, attempts=1)

    with pytest.raises(InsufficientLevel):
        retry_job(principal=read_a, job_id=job.pk)

    assert reloaded(job).status == JobStatus.FAILED


def test_failed_account_creation_records_the_error_and_is_retried_to_active(
    full_a, write_a, servicepack, faults, provisioning_root, run_jobs, django_capture_on_commit_callbacks
):
    (faults / "fail-linux_hosting").touch()
    with run_jobs():
        account, job = create_account(
            principal=full_a, identifier="retry.example", servicepack=servicepack, ftp_password="Ftpsecret1"
        )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == {
        "code": FAULT_CODE,
        "detail": "Injected failure: create linux_hosting 'retry.example'.",
        "status": 500,
        "title": "Provisioning failed",
    }
    assert (job.resource_links, job.attempts, job.lease_expires_at) == ([], 1, None)
    assert job.finished_at is not None
    assert reloaded(account).status == Status.FAILED
    assert list(account.assets.values_list("status", flat=True)) == [Status.FAILED]
    assert not (provisioning_root / "sites" / "retry.example").exists()

    (faults / "fail-linux_hosting").unlink()
    with django_capture_on_commit_callbacks() as callbacks:
        retry_job(principal=write_a, job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.error, job.finished_at, job.attempts) == (JobStatus.PENDING, None, None, 1)
    assert lease_seconds_left(job) > settings.PANEEL_JOB_LEASE_SECONDS - 5
    assert reloaded(account).status == Status.PROVISIONING
    assert AuditEvent.objects.filter(action="provisioning_job.retry", object_id=str(job.pk)).count() == 1
    assert len(callbacks) == 1

    callbacks[0]()  # the enqueue: the ImmediateBackend runs the job now

    job.refresh_from_db()
    assert (job.status, job.resource_links, job.error, job.attempts) == (
        JobStatus.FINISHED,
        [f"/v2/accounts/{account.pk}"],
        None,
        2,
    )
    assert reloaded(account).status == Status.ACTIVE
    assert list(account.assets.values_list("status", flat=True)) == [Status.ACTIVE]
    assert (provisioning_root / "vhosts" / "retry.example.conf").is_file()


def test_failed_asset_update_fails_only_the_asset_and_is_retried(
    account_a, full_a, faults, provisioning_root, run_jobs
):
    asset = mysql_asset(full_a, account_a, run_jobs)
    (faults / "fail-mysql").touch()
    with run_jobs():
        _, job = resize_asset(principal=full_a, asset_id=asset.pk, max_size=200)

    job.refresh_from_db()
    assert (job.status, job.error["code"], job.attempts) == (JobStatus.FAILED, FAULT_CODE, 1)
    assert reloaded(asset).status == Status.FAILED
    assert reloaded(account_a).status == Status.ACTIVE
    users = provisioning_root / "mysql" / asset.name / "users"
    assert "max size 500 MB" in users.read_text()

    (faults / "fail-mysql").unlink()
    with run_jobs():
        retry_job(principal=full_a, job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.resource_links, job.attempts) == (
        JobStatus.FINISHED,
        [f"/v2/mysqldatabases/{asset.name}"],
        2,
    )
    assert reloaded(asset).status == Status.ACTIVE
    assert "max size 200 MB" in users.read_text()


def test_failed_account_deletion_is_retried_until_the_account_is_gone(
    account_a, full_a, faults, provisioning_root, run_jobs
):
    (faults / "fail-linux_hosting").touch()
    with run_jobs():
        _, job = delete_account(principal=full_a, account_id=account_a.pk)

    assert (reloaded(job).status, job.error["code"]) == (JobStatus.FAILED, FAULT_CODE)
    assert reloaded(account_a).status == Status.FAILED
    assert (provisioning_root / "sites" / DOMAIN).is_dir()

    (faults / "fail-linux_hosting").unlink()
    with run_jobs():
        retry_job(principal=full_a, job_id=job.pk)

    assert (reloaded(job).status, job.resource_links, job.attempts) == (JobStatus.FINISHED, [], 2)
    assert not Account.objects.filter(pk=account_a.pk).exists()
    assert not (provisioning_root / "sites" / DOMAIN).exists()


def test_retried_servicepack_change_of_a_suspended_account_keeps_it_suspended(
    account_a, full_a, big_servicepack, faults, provisioning_root, run_jobs
):
    with run_jobs():
        suspend_account(principal=full_a, account_id=account_a.pk)
    (faults / "fail-linux_hosting").touch()
    with run_jobs():
        _, job = change_servicepack(principal=full_a, account_id=account_a.pk, servicepack=big_servicepack)
    assert reloaded(job).status == JobStatus.FAILED

    (faults / "fail-linux_hosting").unlink()
    with run_jobs():
        retry_job(principal=full_a, job_id=job.pk)

    assert reloaded(job).status == JobStatus.FINISHED
    assert "return 503" in (provisioning_root / "vhosts" / f"{DOMAIN}.conf").read_text()
    assert ftp_entries(provisioning_root, DOMAIN)[0].startswith("!")
    assert reloaded(account_a).status == Status.SUSPENDED


# What each handler leaves -----------------------------------------------------------------------------------------


def test_suspension_and_unsuspension_jobs_switch_every_asset(account_a, full_a, provisioning_root, run_jobs):
    vhost = provisioning_root / "vhosts" / f"{DOMAIN}.conf"
    with run_jobs():
        _, job = suspend_account(principal=full_a, account_id=account_a.pk)

    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/accounts/{account_a.pk}"])
    assert reloaded(account_a).status == Status.SUSPENDED
    assert list(account_a.assets.values_list("status", flat=True)) == [Status.SUSPENDED]
    assert "return 503" in vhost.read_text()
    assert ftp_entries(provisioning_root, DOMAIN)[0].startswith("!$6$")

    with run_jobs():
        _, job = unsuspend_account(principal=full_a, account_id=account_a.pk)

    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/accounts/{account_a.pk}"])
    assert reloaded(account_a).status == Status.ACTIVE
    assert list(account_a.assets.values_list("status", flat=True)) == [Status.ACTIVE]
    assert "return 503" not in vhost.read_text()
    assert ftp_entries(provisioning_root, DOMAIN)[0].startswith("$6$")


def test_servicepack_change_job_updates_every_asset(account_a, full_a, big_servicepack, faults, run_jobs):
    with run_jobs():
        _, job = change_servicepack(principal=full_a, account_id=account_a.pk, servicepack=big_servicepack)

    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/accounts/{account_a.pk}"])
    assert (reloaded(account_a).status, account_a.servicepack_id) == (Status.ACTIVE, big_servicepack.pk)
    assert list(account_a.assets.values_list("status", flat=True)) == [Status.ACTIVE]
    assert calls(faults)[-1] == f"update linux_hosting {DOMAIN}"


def test_servicepack_change_of_a_suspended_account_keeps_it_suspended(
    account_a, full_a, big_servicepack, provisioning_root, run_jobs
):
    with run_jobs():
        suspend_account(principal=full_a, account_id=account_a.pk)
    with run_jobs():
        _, job = change_servicepack(principal=full_a, account_id=account_a.pk, servicepack=big_servicepack)

    assert reloaded(job).status == JobStatus.FINISHED
    assert reloaded(account_a).status == Status.SUSPENDED
    assert list(account_a.assets.values_list("status", flat=True)) == [Status.SUSPENDED]
    assert "return 503" in (provisioning_root / "vhosts" / f"{DOMAIN}.conf").read_text()


def test_account_deletion_job_removes_every_asset_and_the_account(account_a, full_a, provisioning_root, run_jobs):
    with run_jobs():
        account, job = delete_account(principal=full_a, account_id=account_a.pk)
    assert account.status == Status.DELETING

    assert (reloaded(job).status, job.resource_links, job.error) == (JobStatus.FINISHED, [], None)
    assert not Account.objects.filter(pk=account_a.pk).exists()
    assert not Asset.objects.filter(account_id=account_a.pk).exists()
    assert not (provisioning_root / "sites" / DOMAIN).exists()
    assert not (provisioning_root / "vhosts" / f"{DOMAIN}.conf").exists()
    assert ftp_entries(provisioning_root, DOMAIN) == []


def test_mysql_jobs_create_update_and_delete_the_database(account_a, full_a, provisioning_root, run_jobs):
    asset = mysql_asset(full_a, account_a, run_jobs)
    name = f"pn{account_a.pk}_shop"
    job = create_job_of(asset)
    assert (asset.name, asset.status) == (name, Status.ACTIVE)
    assert (job.status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/mysqldatabases/{name}"])
    users = provisioning_root / "mysql" / name / "users"
    assert "max size 500 MB" in users.read_text()
    first_hash = users.read_text().splitlines()[-1].rsplit(":", 1)[1]

    with run_jobs():
        _, job = resize_asset(principal=full_a, asset_id=asset.pk, max_size=200)
    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/mysqldatabases/{name}"])
    assert reloaded(asset).status == Status.ACTIVE
    assert "max size 200 MB" in users.read_text()

    with run_jobs():
        _, job = change_asset_password(principal=full_a, asset_id=asset.pk, password="Newsecret12")
    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/mysqldatabases/{name}"])
    assert users.read_text().splitlines()[-1].rsplit(":", 1)[1] not in ("", first_hash)

    with run_jobs():
        _, job = delete_asset(principal=full_a, asset_id=asset.pk)
    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [])
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert not (provisioning_root / "mysql" / name).exists()
    assert reloaded(account_a).status == Status.ACTIVE


def test_mailbox_creation_job_links_to_the_mailbox(account_a, full_a, provisioning_root, run_jobs):
    with run_jobs():
        asset, job = create_asset(
            principal=full_a,
            account_id=account_a.pk,
            asset_type="mailbox",
            fields={"email_address": f"info@{DOMAIN}"},
            password="Mailsecret1",
        )

    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/mailboxes/info@{DOMAIN}"])
    assert reloaded(asset).status == Status.ACTIVE
    assert (provisioning_root / "mail" / DOMAIN / "info" / "Maildir" / "new").is_dir()


def test_asset_update_on_a_suspended_account_leaves_the_asset_suspended(account_a, full_a, provisioning_root, run_jobs):
    hosting = account_a.assets.get()
    with run_jobs():
        suspend_account(principal=full_a, account_id=account_a.pk)
    with run_jobs():
        _, job = resize_asset(principal=full_a, asset_id=hosting.pk, max_size=512)

    assert (reloaded(job).status, job.resource_links) == (JobStatus.FINISHED, [f"/v2/linuxhostings/{DOMAIN}"])
    assert reloaded(hosting).status == Status.SUSPENDED
    assert "return 503" in (provisioning_root / "vhosts" / f"{DOMAIN}.conf").read_text()


# Targets that vanished ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action", ["account.create", "account.suspend", "account.unsuspend", "account.change_servicepack"]
)
def test_account_job_whose_account_vanished_fails_not_found(account_a, full_a, action):
    job = record(full_a, account_a, action)
    Account.objects.filter(pk=account_a.pk).delete()

    assert runner.run_job(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.resource_links, job.lease_expires_at) == (JobStatus.FAILED, [], None)
    assert job.error == {
        "code": "not_found",
        "detail": f"Account {DOMAIN} no longer exists.",
        "status": 500,
        "title": "Provisioning failed",
    }


@pytest.mark.parametrize("action", ["mysql.create", "mysql.update"])
def test_asset_job_whose_asset_vanished_fails_not_found(account_a, full_a, run_jobs, action):
    asset = mysql_asset(full_a, account_a, run_jobs)
    job = record(full_a, asset, action)
    Asset.objects.filter(pk=asset.pk).delete()

    assert runner.run_job(job.pk) == JobStatus.FAILED

    job.refresh_from_db()
    assert (job.status, job.error["code"], job.error["detail"]) == (
        JobStatus.FAILED,
        "not_found",
        f"MySQL database {asset.name} no longer exists.",
    )
    assert reloaded(account_a).status == Status.ACTIVE


def test_deletion_jobs_whose_target_vanished_finish_with_no_links(account_a, full_a, faults, run_jobs):
    asset = mysql_asset(full_a, account_a, run_jobs)
    asset_job = record(full_a, asset, "mysql.delete")
    account_job = record(full_a, account_a, "account.delete")
    Account.objects.filter(pk=account_a.pk).delete()
    driver_calls = calls(faults)

    assert runner.run_job(asset_job.pk) == JobStatus.FINISHED
    assert runner.run_job(account_job.pk) == JobStatus.FINISHED

    for job in (reloaded(asset_job), reloaded(account_job)):
        assert (job.status, job.resource_links, job.error, job.attempts) == (JobStatus.FINISHED, [], None, 1)
    assert calls(faults) == driver_calls
