"""`GET /v2/provisioningjobs/{job_id}` (the reference's polling shapes) and Paneel's `GET /v2/provisioningjobs`."""

from __future__ import annotations

import uuid

import pytest

from apps.accounts.models import Account, Status
from apps.accounts.services import suspend_account
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.runner import claim, fail


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status
    return body


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def create_through_api(client, servicepack, identifier: str = "polled.example"):
    response = client.post("/v2/accounts", {"identifier": identifier, "servicepack_id": servicepack.pk})
    assert response.status_code == 202, response.content
    return response["Location"], ProvisioningJob.objects.get(pk=response["Location"].rsplit("/", 1)[1])


# --- GET /v2/provisioningjobs/{job_id}


def test_pending_job_is_200_ongoing_with_estimate(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    location, job = create_through_api(client, servicepack)

    response = client.get(location)

    assert response.status_code == 200, response.content
    assert response.json() == {"id": str(job.pk), "status": "ongoing", "completion": {"estimate": iso(job.estimate)}}
    assert response.json()["completion"]["estimate"].endswith("Z")
    assert not response.has_header("Location")


def test_ongoing_job_without_estimate_leaves_it_out_instead_of_null(api_client, tenant_a, servicepack):
    # The reference's `completion.estimate` is a date-time string; null would break its clients' parsers.
    client = api_client(tenant_a, "write")
    location, job = create_through_api(client, servicepack)
    ProvisioningJob.objects.filter(pk=job.pk).update(estimate=None)

    response = client.get(location)

    assert response.status_code == 200, response.content
    assert response.json() == {"id": str(job.pk), "status": "ongoing", "completion": {}}


def test_running_job_is_still_ongoing(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    location, job = create_through_api(client, servicepack)
    ProvisioningJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    assert client.get(location).json()["status"] == "ongoing"


def test_finished_job_is_201_with_location_and_resource_links(
    api_client, tenant_a, servicepack, django_capture_on_commit_callbacks
):
    client = api_client(tenant_a, "write")
    with django_capture_on_commit_callbacks(execute=True):
        location, job = create_through_api(client, servicepack)
    account = Account.objects.get(identifier="polled.example")

    response = client.get(location)

    assert response.status_code == 201, response.content
    assert response.json() == {"id": str(job.pk), "resource_links": [f"/v2/accounts/{account.pk}"]}
    assert response["Location"] == f"/v2/accounts/{account.pk}"
    assert client.get(response["Location"]).json()["status"] == "active"


def test_failed_job_is_200_with_a_problem_object(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    location, job = create_through_api(client, servicepack)
    fail(claim(job.pk), "driver_error", "The disk is full.")  # as a worker records a driver's failure

    response = client.get(location)

    assert response.status_code == 200, response.content
    job.refresh_from_db()
    assert response.json() == {
        "id": str(job.pk),
        "status": "failed",
        "error": {"code": "driver_error", "detail": "The disk is full.", "status": 500, "title": "Provisioning failed"},
        # The reference's clients read `completion` on every status: when the job ended.
        "completion": {"estimate": job.finished_at.isoformat().replace("+00:00", "Z")},
    }
    assert Account.objects.get(identifier="polled.example").status == Status.FAILED


def test_cancelled_job_is_200_cancelled(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    location, job = create_through_api(client, servicepack)
    ProvisioningJob.objects.filter(pk=job.pk).update(status=JobStatus.CANCELLED)

    response = client.get(location)

    assert response.status_code == 200
    job.refresh_from_db()  # never started: its estimate stands for when it would have ended
    estimate = job.estimate.isoformat().replace("+00:00", "Z")
    assert response.json() == {
        "id": str(job.pk),
        "status": "cancelled",
        "error": {},
        "completion": {"estimate": estimate},
    }


def test_read_key_may_poll(api_client, tenant_a, servicepack):
    location, _ = create_through_api(api_client(tenant_a, "write"), servicepack)

    assert api_client(tenant_a, "read").get(location).status_code == 200


def test_another_resellers_job_is_404(api_client, tenant_a, tenant_b, servicepack):
    location, _ = create_through_api(api_client(tenant_b, "write", ip="203.0.113.9"), servicepack)
    client = api_client(tenant_a, "full")

    assert_problem(client.get(location), 404, "not_found")
    assert_problem(client.get(f"/v2/provisioningjobs/{uuid.uuid4()}"), 404, "not_found")


def test_malformed_job_id_is_404_not_500(api_client, tenant_a):
    assert_problem(api_client(tenant_a, "read").get("/v2/provisioningjobs/not-a-uuid"), 404, "not_found")


# --- GET /v2/provisioningjobs


def test_list_is_newest_first_and_own_only(
    api_client, tenant_a, tenant_b, full_a, account_a, account_b, django_capture_on_commit_callbacks
):
    _, suspension = suspend_account(principal=full_a, account_id=account_a.pk)

    response = api_client(tenant_a, "read").get("/v2/provisioningjobs")

    assert response.status_code == 200, response.content
    body = response.json()
    body = [job for job in body if job["action"] != "dns_zone.sync"]  # the account's zone (apps.dns)
    assert [job["action"] for job in body] == ["account.suspend", "account.create"]
    assert body[0]["id"] == str(suspension.pk)
    assert body[0]["status"] == "pending"
    assert body[1]["status"] == "finished"
    assert body[1]["resource_links"] == [f"/v2/accounts/{account_a.pk}"]
    assert response["X-Paging-TotalResults"] == "3"


def test_list_filters(api_client, tenant_a, full_a, account_a):
    suspend_account(principal=full_a, account_id=account_a.pk)
    client = api_client(tenant_a, "read")

    def actions(query: str) -> list[str]:
        response = client.get(f"/v2/provisioningjobs?{query}")
        assert response.status_code == 200, response.content
        return [job["action"] for job in response.json()]

    assert actions("status=pending") == ["account.suspend"]
    assert actions("action=account.create") == ["account.create"]
    assert actions(f"target_type=account&target_id={account_a.pk}") == ["account.suspend", "account.create"]
    assert_problem(client.get("/v2/provisioningjobs?status=ongoing"), 400, "validation_failed")


def test_list_pages(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    for number in range(5):
        create_through_api(client, servicepack, f"site{number}.example")

    response = client.get("/v2/provisioningjobs?action=account.create&skip=1&take=2")  # not the zones' jobs

    assert [job["target_repr"] for job in response.json()] == ["site3.example", "site2.example"]
    assert (response["X-Paging-Skipped"], response["X-Paging-Take"], response["X-Paging-TotalResults"]) == (
        "1",
        "2",
        "5",
    )
    assert_problem(client.get("/v2/provisioningjobs?take=-1"), 400, "validation_failed")


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(api_client, tenant_a, account_a, django_assert_max_num_queries, take):
    ProvisioningJob.objects.bulk_create(
        ProvisioningJob(reseller=tenant_a["reseller"], action="account.suspend", target_type="account", target_id="1")
        for _ in range(110)
    )
    client = api_client(tenant_a, "read")

    with django_assert_max_num_queries(5):
        response = client.get(f"/v2/provisioningjobs?take={take}&status=pending")

    assert len(response.json()) == take
