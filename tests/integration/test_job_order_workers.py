"""Jobs on one target run in order with real ``manage.py db_worker`` processes (issue 14, DESIGN 8): while a slow
job holds a database, the changes made meanwhile are accepted and queued; two workers are free to pick them up,
yet each starts only once the one before it has ended, and the database ends as the last change left it."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from tests.integration.fault_drivers import calls
from tests.integration.test_worker import DB_PASSWORD, create_account

pytestmark = pytest.mark.slow


def test_changes_made_while_a_job_runs_run_after_it_in_order(stack):
    account_id, account_job = create_account(stack, "order.example")
    workers = [stack.start_worker(), stack.start_worker()]
    stack.wait_for_job(account_job, "finished")

    stack.arm("slow-mysql")  # the database's create job holds its worker until disarmed
    database = stack.control.call(
        "create_asset",
        slug="alpha",
        account_id=account_id,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password=DB_PASSWORD,
    )
    stack.wait_for_file(stack.faults / "slow-mysql.started")
    name, asset_id = database["name"], database["asset_id"]
    changes = [
        ("set_database_user_status", {"user_name": name, "enabled": False}),
        ("resize_asset", {"max_size": 200}),
        ("change_asset_password", {"password": "Changed1234"}),
        ("delete_asset", {}),
    ]
    queued = [
        stack.control.call("change_asset", slug="alpha", service=service, asset_id=asset_id, **kwargs)["job_id"]
        for service, kwargs in changes
    ]
    # The other worker is idle and polls every 0.2 s: given ten polls' time, it must still start none of them.
    time.sleep(2)
    assert [stack.control.call("job", job_id=job_id)["status"] for job_id in queued] == ["pending"] * 4

    stack.disarm("slow-mysql")
    ends = [stack.wait_for_job(job_id, "finished") for job_id in [database["job_id"], *queued]]

    for earlier, later in zip(ends, ends[1:], strict=False):
        assert datetime.fromisoformat(later["started_at"]) >= datetime.fromisoformat(earlier["finished_at"])
    assert [job["attempts"] for job in ends] == [1] * 5
    assert stack.control.call("asset", asset_id=asset_id) is None
    assert calls(stack.faults)[-5:] == [
        f"{verb} mysql {name}" for verb in ("create", "update", "update", "update", "delete")
    ]
    assert not (stack.provisioning_root / "mysql" / name).exists()
    assert all(worker.is_alive() for worker in workers), [worker.describe() for worker in workers]
