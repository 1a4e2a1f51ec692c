"""Provisioning jobs in the panel: list, detail (refreshing while running), retry."""

from __future__ import annotations

import pytest

from apps.accounts.models import Account, Status
from apps.accounts.services import create_account
from apps.provisioning.models import JobStatus, ProvisioningJob

from .conftest import messages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_job(full_a, servicepack):
    _, job = create_account(principal=full_a, identifier="pending.example", servicepack=servicepack)
    return job


@pytest.fixture
def failed_job(pending_job):
    """What the runner leaves behind when a driver fails."""
    ProvisioningJob.objects.filter(pk=pending_job.pk).update(
        status=JobStatus.FAILED,
        attempts=1,
        error={"code": "driver_error", "detail": "The disk is full.", "status": 500, "title": "Provisioning failed"},
    )
    Account.objects.filter(pk=pending_job.target_id).update(status=Status.FAILED)
    pending_job.refresh_from_db()
    return pending_job


def test_list_shows_own_jobs_newest_first(reader, account_a, account_b, pending_job):
    response = reader.get("/jobs/?action=account.create")  # the accounts' jobs, not their zones' (apps.dns)
    items = response.context["page"].items
    assert [job.target_repr for job in items] == ["pending.example", "alpha-shop.example"]
    assert b"bravo-shop.example" not in response.content


def test_list_filters_by_status(reader, account_a, pending_job):
    items = reader.get("/jobs/?status=pending&action=account.create").context["page"].items
    assert [job.pk for job in items] == [pending_job.pk]
    assert b"Some filters are not valid" in reader.get("/jobs/?status=nope").content


def test_running_job_refreshes_itself_with_a_link_for_no_javascript(reader, pending_job):
    html = reader.get(f"/jobs/{pending_job.pk}/").content.decode()
    assert 'data-refresh-seconds="2"' in html
    assert f'<a href="/jobs/{pending_job.pk}/">Refresh</a>' in html
    assert "refresh.js" in html


def test_finished_job_stops_refreshing_and_links_its_target(reader, account_a):
    job = ProvisioningJob.objects.get(action="account.create")
    html = reader.get(f"/jobs/{job.pk}/").content.decode()
    assert job.status == JobStatus.FINISHED
    assert "data-refresh-seconds" not in html
    assert f'href="/accounts/{account_a.pk}/"' in html


def test_failed_job_shows_its_error_and_a_retry_for_writers(writer, reader, failed_job):
    html = writer.get(f"/jobs/{failed_job.pk}/").content.decode()
    assert "The disk is full." in html and ">Retry<" in html
    assert ">Retry<" not in reader.get(f"/jobs/{failed_job.pk}/").content.decode()


def test_retry(writer, failed_job, run_jobs):
    with run_jobs():
        response = writer.post(f"/jobs/{failed_job.pk}/retry/")
    assert response["Location"] == f"/jobs/{failed_job.pk}/"
    failed_job.refresh_from_db()
    assert failed_job.status == JobStatus.FINISHED


def test_retry_of_a_job_that_did_not_fail_is_a_message(writer, account_a):
    job = ProvisioningJob.objects.get(action="account.create")
    response = writer.post(f"/jobs/{job.pk}/retry/", follow=True)
    assert any("Only failed jobs can be retried" in message for message in messages_of(response))


def test_unknown_job_is_not_found(reader, db):
    assert reader.get("/jobs/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert reader.get("/jobs/not-a-uuid/").status_code == 404
