"""Back-to-back changes on one object answer what the reference documents (204, 201) while the first job runs,
and take effect in the order they were made (issue 14, item 10): a MySQL user's status then its password, a new
mailbox then its password, a delete right after a change. The jobs are left pending while the requests come in
(no worker runs in these tests), then run, as a worker would, in whatever order they are picked up."""

from __future__ import annotations

from apps.accounts.models import Status
from apps.assets.models import Asset
from apps.assets.passwords import verify_sha512_crypt
from apps.provisioning import tasks
from apps.provisioning.models import JobStatus, ProvisioningJob

PASSWORD = "Secret123abc"


def run_newest_first() -> None:
    """Hand every pending job to the worker's task, the newest first: the order must come from the runner, not from
    us (a job's end enqueues the next one on its target, which the test settings run at once)."""
    for job_id in (
        ProvisioningJob.objects.filter(status=JobStatus.PENDING).order_by("-created_at").values_list("pk", flat=True)
    ):
        tasks.run_provisioning_job.call(str(job_id))


def test_a_mysql_users_status_then_its_password(writer, account_a, run_jobs):
    with run_jobs():
        writer.post("/v2/mysqldatabases", {"database_name": "shop", "account_id": account_a.pk, "password": PASSWORD})
    name = f"pn{account_a.pk}_shop"

    status = writer.put(f"/v2/mysqldatabases/{name}/users/{name}/status", {"enabled": False})
    password = writer.put(f"/v2/mysqldatabases/{name}/users/{name}/password", {"password": "Changed1234"})

    assert (status.status_code, password.status_code) == (204, 204), (status.content, password.content)
    run_newest_first()
    assert set(ProvisioningJob.objects.values_list("status", flat=True)) == {JobStatus.FINISHED}
    database = Asset.objects.get(name=name)
    [user] = database.details["users"]
    assert user["enabled"] is False and database.status == Status.ACTIVE


def test_a_new_mailbox_then_its_password(writer, account_a):
    address = f"sales@{account_a.identifier}"
    created = writer.post("/v2/mailboxes", {"email_address": address, "account_id": account_a.pk, "password": PASSWORD})
    changed = writer.put(f"/v2/mailboxes/{address}/password", {"password": "Changed1234"})

    assert (created.status_code, changed.status_code) == (201, 204), changed.content
    run_newest_first()
    mailbox = Asset.objects.get(name=address)
    assert mailbox.status == Status.ACTIVE
    assert verify_sha512_crypt("Changed1234", mailbox.details["password_hash"])
    jobs = list(ProvisioningJob.objects.filter(target_id=str(mailbox.pk)).order_by("created_at"))
    assert [job.action for job in jobs] == ["mailbox.create", "mailbox.update"]
    assert jobs[1].started_at >= jobs[0].finished_at


def test_a_delete_right_after_a_change(writer, account_a, run_jobs):
    address = f"sales@{account_a.identifier}"
    with run_jobs():
        writer.post("/v2/mailboxes", {"email_address": address, "account_id": account_a.pk, "password": PASSWORD})

    changed = writer.put(f"/v2/mailboxes/{address}/password", {"password": "Changed1234"})
    deleted = writer.delete(f"/v2/mailboxes/{address}")

    assert (changed.status_code, deleted.status_code) == (204, 204), deleted.content
    assert writer.get(f"/v2/mailboxes/{address}").json()["status"] == "deleting"
    run_newest_first()
    assert not Asset.objects.filter(name=address).exists()
    assert writer.get(f"/v2/mailboxes/{address}").status_code == 404


def test_two_php_versions_in_a_row_end_on_the_last(writer, account_a, provisioning_root):
    hosting = account_a.identifier
    first = writer.put(f"/v2/linuxhostings/{hosting}/phpsettings/version", {"version": "8.1"})
    second = writer.put(f"/v2/linuxhostings/{hosting}/phpsettings/version", {"version": "8.4"})

    assert (first.status_code, second.status_code) == (204, 204)
    run_newest_first()
    assert writer.get(f"/v2/linuxhostings/{hosting}").json()["php_version"] == "8.4"
    assert "php8.4-fpm.sock" in (provisioning_root / "vhosts" / f"{hosting}.conf").read_text()


def test_a_change_after_a_delete_is_still_refused(writer, account_a, run_jobs):
    address = f"sales@{account_a.identifier}"
    with run_jobs():
        writer.post("/v2/mailboxes", {"email_address": address, "account_id": account_a.pk, "password": PASSWORD})
    writer.delete(f"/v2/mailboxes/{address}")

    response = writer.put(f"/v2/mailboxes/{address}/password", {"password": "Changed1234"})

    assert response.status_code == 409 and response.json()["code"] == "invalid_state"
