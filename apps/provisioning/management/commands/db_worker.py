"""`manage.py db_worker`: django-tasks-db's worker, plus the sweep that requeues jobs of dead workers.

Paneel's app is listed before `django_tasks_db` in INSTALLED_APPS, so this command is the one Django runs.
A daemon thread calls `requeue_stale_jobs` at start and then every half lease, so a job whose worker was
killed is picked up by whichever worker is alive once the lease has expired; the same sweep measures the
assets whose usage measurement is due (`apps.provisioning.usage.measure_due_usage`), enqueues the webhook
deliveries that are due (`apps.events.tasks.deliver_due`) and deletes events past their 30 days.

Between polls the worker sleeps in `apps.provisioning.wakeup.JobListener.sleep`, which on PostgreSQL returns as
soon as a job for one of its queues (`--queue-name`) is enqueued (`LISTEN/NOTIFY`), so a job starts within
milliseconds at the default `--interval`; on SQLite it sleeps the whole interval, as before.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands import db_worker as database_worker
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from apps.events.selectors import purge_old_events
from apps.events.tasks import deliver_due
from apps.provisioning.models import DEFAULT_QUEUE
from apps.provisioning.runner import SWEEPS
from apps.provisioning.tasks import requeue_stale_jobs
from apps.provisioning.usage import measure_due_usage
from apps.provisioning.wakeup import JobListener

logger = logging.getLogger(__name__)


def sweep_forever(stop: threading.Event, every: float, queues: list[str]) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            requeue_stale_jobs()
            measure_due_usage(queues=queues)  # only this machine's servers: their files are here
            if DEFAULT_QUEUE in queues or "*" in queues:  # the platform's own work runs on the default queue
                deliver_due()  # webhook deliveries whose attempt is due but not (or no longer) enqueued
                purge_old_events()
                for sweep in SWEEPS:  # registered by other apps, e.g. certificate renewal
                    sweep()
        except Exception:  # the sweep must never take the worker down; it tries again next round
            logger.exception("Worker sweep failed")
        finally:
            connection.close()
        stop.wait(every)


class Command(DatabaseWorkerCommand):
    help = "Run provisioning jobs (django-tasks database worker) and requeue jobs whose worker died."

    def handle(self, *args, **options):
        stop = threading.Event()
        every = max(1.0, settings.PANEEL_JOB_LEASE_SECONDS / 2)
        queues = [name for name in options.get("queue_name", "default").split(",") if name]
        sweeper = threading.Thread(
            target=sweep_forever, args=(stop, every, queues), name="stale-job-sweep", daemon=True
        )
        sweeper.start()
        listener = JobListener(options.get("queue_name", "default").split(","))
        # The stock worker's only waits are `time.sleep` calls of its module: they become the listener's wait.
        database_worker.time = WakingClock(listener)
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
            database_worker.time = time
            listener.close()


class WakingClock:
    """`time` for the stock worker's module, whose `sleep` returns early when a job is enqueued."""

    def __init__(self, listener: JobListener):
        self.sleep = listener.sleep

    def __getattr__(self, name):
        return getattr(time, name)
