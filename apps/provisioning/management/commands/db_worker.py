"""`manage.py db_worker`: django-tasks-db's worker, plus the sweep that requeues jobs of dead workers.

Paneel's app is listed before `django_tasks_db` in INSTALLED_APPS, so this command is the one Django runs.
A daemon thread calls `requeue_stale_jobs` at start and then every half lease, so a job whose worker was
killed is picked up by whichever worker is alive once the lease has expired; the same sweep measures the
assets whose usage measurement is due (`apps.provisioning.usage.measure_due_usage`).
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from apps.provisioning.runner import SWEEPS, requeue_stale_jobs
from apps.provisioning.usage import measure_due_usage

logger = logging.getLogger(__name__)


def sweep_forever(stop: threading.Event, every: float) -> None:
    while not stop.is_set():
        try:
            close_old_connections()
            requeue_stale_jobs()
            measure_due_usage()
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
        sweeper = threading.Thread(target=sweep_forever, args=(stop, every), name="stale-job-sweep", daemon=True)
        sweeper.start()
        try:
            return super().handle(*args, **options)
        finally:
            stop.set()
