"""`POST /v2/accounts/bulk` and `POST /v2/mailboxes/bulk`: each item validated and created by the single-create
service in its own transaction, answered 207 with one result per item; quotas hold exactly as for single creates."""

from __future__ import annotations

import re

import pytest

from apps.accounts.models import Account
from apps.assets.models import Asset
from apps.core.models import AuditEvent
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.models import AssetType
from tests.api.conftest import assert_problem

JOB = re.compile(r"^/v2/provisioningjobs/[0-9a-f-]{36}$")


def test_account_bulk_with_one_bad_item_among_good_ones(api_client, tenant_a, servicepack, account_a, run_jobs):
    items = [
        {"identifier": "one.example", "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"},
        {"identifier": "not a domain", "servicepack_id": servicepack.pk},
        {"identifier": "alpha-shop.example", "servicepack_id": servicepack.pk},  # taken: 409
        {"identifier": "two.example"},  # no servicepack: 400 naming it
        {"identifier": "three.example", "servicepack_id": 999999},  # unknown pack: 404
        {"identifier": "four.example", "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"},
    ]
    with run_jobs():
        response = api_client(tenant_a, "write").post("/v2/accounts/bulk", items)

    assert response.status_code == 207, response.content
    results = response.json()
    assert [(r["index"], r["status"]) for r in results] == [(0, 202), (1, 400), (2, 409), (3, 400), (4, 404), (5, 202)]
    assert all(JOB.match(results[i]["location"]) for i in (0, 5))
    assert results[1]["problem"]["code"] == "validation_failed"
    assert results[2]["problem"]["code"] == "duplicate"
    assert [e["field"] for e in results[3]["problem"]["validation_errors"]] == ["servicepack_id"]
    assert results[4]["problem"]["code"] == "not_found"
    assert all("location" not in results[i] for i in (1, 2, 3, 4))
    # The good ones exist and were provisioned; the bad ones left nothing behind.
    made = Account.objects.filter(reseller=tenant_a["reseller"]).exclude(pk=account_a.pk)
    assert sorted(made.values_list("identifier", "status")) == [("four.example", "active"), ("one.example", "active")]
    assert AuditEvent.objects.filter(action="account.create").count() == 3  # account_a's and the two
    job_id = results[0]["location"].rsplit("/", 1)[1]
    assert ProvisioningJob.objects.get(pk=job_id).status == "finished"


def test_mailbox_bulk_holds_the_quota_exactly(api_client, tenant_a, account_a):
    # The pack allows 3 mailboxes per account.
    items = [
        {"email_address": f"user{i}@alpha-shop.example", "account_id": account_a.pk, "password": "Secret123abc"}
        for i in range(5)
    ]
    items.insert(2, {"email_address": "bad@other.example", "account_id": account_a.pk, "password": "Secret123abc"})
    response = api_client(tenant_a, "write").post("/v2/mailboxes/bulk", items)

    assert response.status_code == 207, response.content
    results = response.json()
    assert [r["status"] for r in results] == [201, 201, 400, 201, 409, 409]
    assert [r["location"] for r in results if r["status"] == 201] == [
        "/v2/mailboxes/user0@alpha-shop.example",
        "/v2/mailboxes/user1@alpha-shop.example",
        "/v2/mailboxes/user2@alpha-shop.example",
    ]
    assert {results[4]["problem"]["code"], results[5]["problem"]["code"]} == {"quota_exceeded"}
    assert Asset.objects.filter(account=account_a, asset_type=AssetType.MAILBOX).count() == 3


def test_bulk_items_of_another_resellers_account_are_not_found(api_client, tenant_a, account_b):
    items = [{"email_address": "x@bravo-shop.example", "account_id": account_b.pk, "password": "Secret123abc"}]
    response = api_client(tenant_a, "write").post("/v2/mailboxes/bulk", items)
    assert response.status_code == 207
    assert response.json()[0]["status"] == 404 and response.json()[0]["problem"]["code"] == "not_found"
    assert not Asset.objects.filter(name="x@bravo-shop.example").exists()


@pytest.mark.parametrize("body", [{}, {"identifier": "x.example"}, [], "text", [{}] * 101])
def test_a_body_that_is_not_an_array_of_at_most_100_is_a_400(api_client, tenant_a, body):
    response = api_client(tenant_a, "write").post("/v2/accounts/bulk", body)
    assert_problem(response, 400, "validation_failed")
    assert not Account.objects.exists()


def test_a_read_key_cannot_bulk_create(api_client, tenant_a, servicepack):
    items = [{"identifier": "one.example", "servicepack_id": servicepack.pk}]
    assert_problem(api_client(tenant_a, "read").post("/v2/accounts/bulk", items), 403, "insufficient_level")
    assert not Account.objects.exists()


def test_an_item_that_is_not_an_object_is_that_items_problem(api_client, tenant_a, servicepack):
    items = ["x", {"identifier": "one.example", "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"}]
    results = api_client(tenant_a, "write").post("/v2/accounts/bulk", items).json()
    assert [r["status"] for r in results] == [400, 202]
