"""The background task the worker (`manage.py db_worker`) runs for each provisioning job."""

from django_tasks import task

from apps.provisioning.runner import run_job


@task()
def run_provisioning_job(job_id: str) -> str | None:
    """Run provisioning job `job_id` (a no-op if it has ended or another worker holds it)."""
    return run_job(job_id)
