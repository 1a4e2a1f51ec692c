"""Issue 11: a `db_worker` on PostgreSQL wakes when a job is enqueued (LISTEN/NOTIFY), so a job starts at once
even while the worker sleeps a long poll interval; polling stays the fallback (and SQLite's only way)."""

from __future__ import annotations

import os
import time

import pytest

from apps.provisioning.wakeup import JobListener
from tests.integration.test_worker import create_account

LONG_INTERVAL = 30.0  # far longer than the test waits: only a notification can wake the worker in time


def test_listener_wakes_for_its_own_queues_only():
    assert JobListener(["default"]).wanted("default")
    assert not JobListener(["default"]).wanted("web-2")
    assert JobListener(["web-1", "web-2"]).wanted("web-2")
    assert JobListener(["*"]).wanted("anything")


@pytest.mark.postgres
@pytest.mark.slow
def test_sleeping_worker_is_woken_by_an_enqueued_job(stack):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("LISTEN/NOTIFY needs PostgreSQL: set DATABASE_URL=postgres://... to run this test")
    worker = stack.start_worker(interval=LONG_INTERVAL)
    stack.wait_for("the worker to start", lambda: "Starting worker" in worker.log.read_text(errors="replace"))
    time.sleep(2.0)  # the worker has polled an empty queue and sleeps its 30 s
    _, job_id = create_account(stack, "woken.example")
    started = time.monotonic()
    stack.wait_for_job(job_id, "finished", timeout=LONG_INTERVAL - 10)
    assert time.monotonic() - started < 10, "the job waited for the worker's poll instead of waking it"
    assert worker.is_alive(), worker.describe()
