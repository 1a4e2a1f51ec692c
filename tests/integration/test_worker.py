"""Provisioning jobs run by real ``manage.py db_worker`` processes (DESIGN 6.2 "Provisioning jobs", 6.3).

Each test gets its own database (SQLite file, or PostgreSQL when DATABASE_URL is set), provisioning root and
fault directory; see `conftest.py` for how the worker and control processes are started and why.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.fault_drivers import FAULT_CODE, calls

pytestmark = pytest.mark.slow

FTP_PASSWORD = "Ftpsecret1"
DB_PASSWORD = "Dbsecret12"


def create_account(stack, identifier: str) -> tuple[int, str]:
    pack = stack.control.call("setup_reseller", slug="alpha")["servicepack_id"]
    created = stack.control.call(
        "create_account", slug="alpha", identifier=identifier, servicepack_id=pack, ftp_password=FTP_PASSWORD
    )
    return created["account_id"], created["job_id"]


def assert_site_provisioned(stack, domain: str) -> None:
    root = stack.provisioning_root
    assert (root / "sites" / domain / "www" / "index.html").is_file()
    vhost = (root / "vhosts" / f"{domain}.conf").read_text()
    assert f"server_name {domain} www.{domain};" in vhost
    assert "return 503" not in vhost
    ftp_lines = (root / "ftp" / "passwd").read_text().splitlines()
    assert [line.split(":")[1][:3] for line in ftp_lines if line.startswith(f"{domain}:")] == ["$6$"]


def test_worker_takes_account_and_database_from_pending_to_finished(stack):
    stack.arm("slow-linux_hosting")  # holds the job in `running` until the test has seen it there
    account_id, job_id = create_account(stack, "shop.example")

    job = stack.control.call("job", job_id=job_id)
    assert (job["status"], job["attempts"], job["resource_links"], job["error"]) == ("pending", 0, [], None)
    account = stack.control.call("account", account_id=account_id)
    assert account["status"] == "provisioning"
    assert [(a["asset_type"], a["status"]) for a in account["assets"]] == [("linux_hosting", "provisioning")]

    worker = stack.start_worker()
    stack.wait_for_file(stack.faults / "slow-linux_hosting.started")
    job = stack.control.call("job", job_id=job_id)
    assert (job["status"], job["attempts"]) == ("running", 1)
    assert datetime.fromisoformat(job["lease_expires_at"]) > datetime.fromisoformat(job["started_at"])
    assert not (stack.provisioning_root / "sites" / "shop.example").exists()

    stack.disarm("slow-linux_hosting")
    job = stack.wait_for_job(job_id, "finished")
    assert job["resource_links"] == [f"/v2/accounts/{account_id}"]
    assert (job["error"], job["attempts"], job["lease_expires_at"]) == (None, 1, None)
    assert job["finished_at"] is not None
    account = stack.control.call("account", account_id=account_id)
    assert account["status"] == "active"
    assert [(a["asset_type"], a["status"]) for a in account["assets"]] == [("linux_hosting", "active")]
    assert_site_provisioned(stack, "shop.example")

    database = stack.control.call(
        "create_asset",
        slug="alpha",
        account_id=account_id,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password=DB_PASSWORD,
    )
    name = database["name"]
    assert name == f"pn{account_id}_shop"
    job = stack.wait_for_job(database["job_id"], "finished")
    assert (job["resource_links"], job["error"], job["attempts"]) == ([f"/v2/mysqldatabases/{name}"], None, 1)
    assert stack.control.call("asset", asset_id=database["asset_id"])["status"] == "active"
    assert (stack.provisioning_root / "mysql" / name / "db.opt").is_file()
    users = (stack.provisioning_root / "mysql" / name / "users").read_text()
    assert f"\n{name}:read_and_write:enabled:*" in users
    assert DB_PASSWORD not in users

    assert worker.is_alive(), worker.describe()
    assert calls(stack.faults) == ["create linux_hosting shop.example", f"create mysql {name}"]


def test_failed_jobs_record_the_error_and_finish_when_retried(stack):
    stack.arm("fail-linux_hosting")
    account_id, job_id = create_account(stack, "broken.example")
    stack.start_worker()

    job = stack.wait_for_job(job_id, "failed")
    assert job["error"] == {
        "code": FAULT_CODE,
        "detail": "Injected failure: create linux_hosting 'broken.example'.",
        "status": 500,
        "title": "Provisioning failed",
    }
    assert (job["resource_links"], job["attempts"], job["lease_expires_at"]) == ([], 1, None)
    assert job["finished_at"] is not None
    account = stack.control.call("account", account_id=account_id)
    assert account["status"] == "failed"
    assert [a["status"] for a in account["assets"]] == ["failed"]
    assert not (stack.provisioning_root / "sites" / "broken.example").exists()

    stack.disarm("fail-linux_hosting")
    retried = stack.control.call("retry_job", slug="alpha", job_id=job_id)
    assert retried["error"] is None
    job = stack.wait_for_job(job_id, "finished")
    assert (job["resource_links"], job["error"], job["attempts"]) == ([f"/v2/accounts/{account_id}"], None, 2)
    account = stack.control.call("account", account_id=account_id)
    assert account["status"] == "active"
    assert [a["status"] for a in account["assets"]] == ["active"]
    assert_site_provisioned(stack, "broken.example")

    # An asset's job fails alone: the asset is `failed`, its account stays active.
    stack.arm("fail-mysql")
    database = stack.control.call(
        "create_asset",
        slug="alpha",
        account_id=account_id,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password=DB_PASSWORD,
    )
    job = stack.wait_for_job(database["job_id"], "failed")
    assert (job["error"]["code"], job["error"]["status"], job["attempts"]) == (FAULT_CODE, 500, 1)
    assert stack.control.call("asset", asset_id=database["asset_id"])["status"] == "failed"
    assert stack.control.call("account", account_id=account_id)["status"] == "active"
    assert not (stack.provisioning_root / "mysql" / database["name"]).exists()

    stack.disarm("fail-mysql")
    stack.control.call("retry_job", slug="alpha", job_id=database["job_id"])
    job = stack.wait_for_job(database["job_id"], "finished")
    assert (job["resource_links"], job["attempts"]) == ([f"/v2/mysqldatabases/{database['name']}"], 2)
    assert stack.control.call("asset", asset_id=database["asset_id"])["status"] == "active"
    assert (stack.provisioning_root / "mysql" / database["name"] / "users").is_file()


def test_job_of_a_sigkilled_worker_is_finished_by_the_next_worker_after_its_lease(stack):
    lease = 3
    stack.arm("slow-linux_hosting")
    account_id, job_id = create_account(stack, "crash.example")
    first = stack.start_worker(lease_seconds=lease)
    stack.wait_for_file(stack.faults / "slow-linux_hosting.started")
    assert (stack.faults / "slow-linux_hosting.started").read_text().strip() == str(first.pid)

    first.kill()
    job = stack.control.call("job", job_id=job_id)
    assert (job["status"], job["attempts"]) == ("running", 1)
    lease_of_dead_worker = datetime.fromisoformat(job["lease_expires_at"])
    assert stack.control.call("account", account_id=account_id)["status"] == "provisioning"
    assert not (stack.provisioning_root / "vhosts" / "crash.example.conf").exists()

    stack.disarm("slow-linux_hosting")
    second = stack.start_worker(lease_seconds=lease)
    job = stack.wait_for_job(job_id, "finished", timeout=20)
    assert (job["resource_links"], job["error"], job["attempts"]) == ([f"/v2/accounts/{account_id}"], None, 2)
    # Taken over only once the dead worker's lease had run out.
    assert datetime.fromisoformat(job["finished_at"]) >= lease_of_dead_worker
    assert stack.control.call("account", account_id=account_id)["status"] == "active"
    assert_site_provisioned(stack, "crash.example")
    assert second.is_alive(), second.describe()
    assert calls(stack.faults) == ["create linux_hosting crash.example"] * 2
