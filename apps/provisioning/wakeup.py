"""Waking the worker when a job is enqueued (PostgreSQL `LISTEN/NOTIFY`), instead of waiting for its next poll.

Every enqueue (django-tasks' `task_enqueued` signal, so whatever calls `enqueue`) sends `NOTIFY paneel_jobs` with
the task's queue name once the enqueueing transaction has committed. `manage.py db_worker` sleeps between polls
in `JobListener.sleep`, which returns as soon as a notification for one of its queues arrives (or `'*'`), so the
worker polls again at once. Polling stays as it was: it is the fallback when a notification is lost (a listener
that reconnects), the only way on SQLite, and what finds jobs whose lease expired.
"""

from __future__ import annotations

import logging
import time

from django.db import connection, transaction
from django.dispatch import receiver
from django_tasks.signals import task_enqueued

logger = logging.getLogger(__name__)
CHANNEL = "paneel_jobs"


@receiver(task_enqueued)
def notify_workers(sender, task_result, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return
    queue_name = task_result.task.queue_name

    def notify() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, queue_name])

    transaction.on_commit(notify)


class JobListener:
    """A worker's own autocommit connection that `LISTEN`s on the channel; `sleep` waits on it."""

    def __init__(self, queue_names: list[str]):
        self.queue_names = set(queue_names)
        self.connection = None

    def wanted(self, payload: str) -> bool:
        return "*" in self.queue_names or payload in self.queue_names

    def connect(self):
        if self.connection is None or self.connection.closed:
            import psycopg

            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self.connection = psycopg.connect(**params, autocommit=True)
            self.connection.execute(f"LISTEN {CHANNEL}")
        return self.connection

    def sleep(self, seconds: float) -> None:
        """Wait up to `seconds`, less if a job for one of this worker's queues is enqueued meanwhile."""
        if connection.vendor != "postgresql":
            time.sleep(seconds)
            return
        deadline = time.monotonic() + seconds
        try:
            listener = self.connect()
            while (left := deadline - time.monotonic()) > 0:
                woken = False
                for notify in listener.notifies(timeout=left):
                    woken = woken or self.wanted(notify.payload)
                    break
                if woken:
                    for _ in listener.notifies(timeout=0.001):  # drain a burst: one poll serves all of it
                        pass
                    return
        except Exception:  # the listener is an optimisation: on any trouble, poll as before
            logger.warning("Job listener failed; polling every %s s until it reconnects", seconds, exc_info=True)
            self.close()
            time.sleep(max(0.0, deadline - time.monotonic()))

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None
