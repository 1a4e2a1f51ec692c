"""Jobs on one target run in order (issue 14, DESIGN 8): a change made while an earlier job on the same target has
not ended is recorded and waits behind it, instead of being refused with 409; the earlier job's end hands it to the
queue. Through the runner in-process here; with real workers in tests/integration/test_job_order_workers.py."""

from __future__ import annotations

import pytest

from apps.accounts.models import Status
from apps.accounts.services import delete_account, suspend_account
from apps.assets.models import Asset
from apps.assets.services import (
    change_asset_password,
    create_asset,
    delete_asset,
    resize_asset,
    set_database_user_status,
)
from apps.core.errors import InvalidState
from apps.provisioning import tasks
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.integration.fault_drivers import FAULT_DIR_ENV, FAULTY_DRIVERS, calls

pytestmark = pytest.mark.django_db
PASSWORD = "Dbsecret12"


@pytest.fixture(autouse=True)
def faults(monkeypatch, settings, tmp_path):
    directory = tmp_path / "faults"
    directory.mkdir()
    monkeypatch.setenv(FAULT_DIR_ENV, str(directory))
    settings.PANEEL_DRIVERS = FAULTY_DRIVERS
    return directory


def new_calls(faults) -> list[str]:
    """The driver calls since the account's own creation (account_a's fixture)."""
    return [call for call in calls(faults) if call != "create linux_hosting alpha-shop.example"]


def run_job(job_id) -> str | None:
    """Run a job as the worker does: the task, which also enqueues the jobs its end wakes."""
    return tasks.run_provisioning_job.call(str(job_id))


def status_of(job: ProvisioningJob) -> str:
    return ProvisioningJob.objects.get(pk=job.pk).status


def test_a_change_behind_an_unfinished_job_is_recorded_and_waits(full_a, account_a, faults):
    database, create = create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password=PASSWORD,
    )
    _, resize = resize_asset(principal=full_a, asset_id=database.pk, max_size=100)
    _, password = change_asset_password(principal=full_a, asset_id=database.pk, password="Changed1234")

    # The later jobs, claimed first (as a second worker would), wait: nothing runs, nothing is counted.
    assert run_job(password.pk) is None
    assert run_job(resize.pk) is None
    assert [status_of(job) for job in (create, resize, password)] == ["pending"] * 3
    assert ProvisioningJob.objects.get(pk=resize.pk).attempts == 0
    assert new_calls(faults) == []

    # The first job's end hands the next one to the queue, and so on (the test settings run tasks at once).
    assert run_job(create.pk) == JobStatus.FINISHED

    assert [status_of(job) for job in (create, resize, password)] == ["finished"] * 3
    assert new_calls(faults) == [f"{verb} mysql {database.name}" for verb in ("create", "update", "update")]
    jobs = ProvisioningJob.objects.filter(pk__in=[create.pk, resize.pk, password.pk]).order_by("created_at")
    for earlier, later in zip(jobs, jobs[1:], strict=False):
        assert later.started_at >= earlier.finished_at
    database.refresh_from_db()
    assert (database.status, database.max_size) == (Status.ACTIVE, 100)


def test_a_waiting_job_runs_after_a_failed_one(full_a, account_a, faults):
    database, create = create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password=PASSWORD,
    )
    _, user_off = set_database_user_status(
        principal=full_a, asset_id=database.pk, user_name=database.name, enabled=False
    )
    (faults / "fail-mysql").touch()
    run_job(create.pk)
    # The create failed; the queued change then ran (and failed too while the fault is armed): nothing is left waiting.
    assert [status_of(job) for job in (create, user_off)] == ["failed", "failed"]
    (faults / "fail-mysql").unlink()


def test_a_delete_queued_behind_a_create_is_not_undone_by_it(full_a, account_a, faults):
    mailbox, create = create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mailbox",
        fields={"email_address": f"sales@{account_a.identifier}"},
        password=PASSWORD,
    )
    _, delete = delete_asset(principal=full_a, asset_id=mailbox.pk)
    assert Asset.objects.get(pk=mailbox.pk).status == Status.DELETING

    assert run_job(delete.pk) is None
    assert Asset.objects.get(pk=mailbox.pk).status == Status.DELETING
    run_job(create.pk)

    assert [status_of(job) for job in (create, delete)] == ["finished", "finished"]
    assert not Asset.objects.filter(pk=mailbox.pk).exists()
    assert new_calls(faults) == [f"create mailbox {mailbox.name}", f"delete mailbox {mailbox.name}"]


def test_an_asset_being_deleted_takes_no_more_changes(full_a, account_a):
    mailbox, _ = create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mailbox",
        fields={"email_address": f"sales@{account_a.identifier}"},
        password=PASSWORD,
    )
    delete_asset(principal=full_a, asset_id=mailbox.pk)
    with pytest.raises(InvalidState):
        change_asset_password(principal=full_a, asset_id=mailbox.pk, password="Changed1234")
    assert ProvisioningJob.objects.filter(target_id=str(mailbox.pk)).count() == 2


def test_an_account_delete_queues_behind_its_suspension(full_a, account_a, faults):
    _, suspend = suspend_account(principal=full_a, account_id=account_a.pk)
    _, delete = delete_account(principal=full_a, account_id=account_a.pk)

    assert run_job(delete.pk) is None
    run_job(suspend.pk)

    assert [status_of(job) for job in (suspend, delete)] == ["finished", "finished"]
    assert not type(account_a).objects.filter(pk=account_a.pk).exists()


def test_jobs_on_other_targets_do_not_wait(full_a, account_a, faults):
    first, first_job = create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "one"},
        password=PASSWORD,
    )
    second, second_job = create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "two"},
        password=PASSWORD,
    )
    assert run_job(second_job.pk) == JobStatus.FINISHED
    assert status_of(first_job) == "pending"
