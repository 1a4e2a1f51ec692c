"""`/v2/accounts`, `/v2/accounts/{account_id}` (+ `/servicepack`, `/suspension`) through the HMAC-signed client."""

from __future__ import annotations

import re

import pytest

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.assets.services import create_asset
from apps.core.models import AuditEvent
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem
from tests.api.conftest import assert_problem

JOB_LOCATION = re.compile(r"^/v2/provisioningjobs/([0-9a-f-]{36})$")


def job_of(response) -> ProvisioningJob:
    assert response.status_code == 202, response.content
    assert response.content == b""
    match = JOB_LOCATION.match(response["Location"])
    assert match, response["Location"]
    return ProvisioningJob.objects.get(pk=match.group(1))


def make_accounts(tenant: dict, pack: ServicePack, count: int, *, prefix: str = "site") -> list[Account]:
    return Account.objects.bulk_create(
        Account(reseller=tenant["reseller"], servicepack=pack, identifier=f"{prefix}{i:03}.example", status="active")
        for i in range(count)
    )


@pytest.fixture
def foreign_pack(tenant_b) -> ServicePack:
    """A pack restricted to reseller B: for reseller A it does not exist."""
    pack = ServicePack.objects.create(name="Bravo only", is_restricted=True)
    pack.allowed_resellers.add(tenant_b["reseller"])
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.LINUX_HOSTING, max_size_mb=9999)
    return pack


# --- GET /v2/accounts


def test_list_shows_only_own_accounts_in_reference_shape(api_client, tenant_a, account_a, account_b):
    response = api_client(tenant_a, "read").get("/v2/accounts")

    assert response.status_code == 200, response.content
    assert response.json() == [
        {
            "id": account_a.pk,
            "identifier": "alpha-shop.example",
            "servicepack_id": account_a.servicepack_id,
            "status": "active",
            "created_at": account_a.created_at.isoformat().replace("+00:00", "Z"),
        }
    ]
    assert response["X-Paging-Skipped"] == "0"
    assert response["X-Paging-Take"] == "1"
    assert response["X-Paging-TotalResults"] == "1"
    assert not response.has_header("Link")


def test_list_pages_with_headers_and_links(api_client, tenant_a, servicepack):
    accounts = make_accounts(tenant_a, servicepack, 5)

    response = api_client(tenant_a, "read").get("/v2/accounts?skip=1&take=2")

    assert response.status_code == 200
    assert [a["identifier"] for a in response.json()] == [a.identifier for a in accounts[1:3]]
    assert response["X-Paging-Skipped"] == "1"
    assert response["X-Paging-Take"] == "2"
    assert response["X-Paging-TotalResults"] == "5"
    assert response["Link"] == ('</v2/accounts?skip=3&take=2>; rel="next", </v2/accounts?skip=0&take=2>; rel="prev"')


def test_list_last_page_has_only_prev_link_and_keeps_filters(api_client, tenant_a, servicepack):
    make_accounts(tenant_a, servicepack, 5)

    response = api_client(tenant_a, "read").get("/v2/accounts?status=active&skip=4&take=2")

    assert response["X-Paging-Take"] == "1"
    assert response["Link"] == '</v2/accounts?status=active&skip=2&take=2>; rel="prev"'


def test_take_is_clamped_at_100(api_client, tenant_a, servicepack):
    make_accounts(tenant_a, servicepack, 101)

    response = api_client(tenant_a, "read").get("/v2/accounts?take=1000")

    assert response.status_code == 200
    assert len(response.json()) == 100
    assert response["X-Paging-Take"] == "100"
    assert response["X-Paging-TotalResults"] == "101"
    assert 'skip=100&take=100>; rel="next"' in response["Link"]


def test_default_take_is_25(api_client, tenant_a, servicepack):
    make_accounts(tenant_a, servicepack, 30)

    response = api_client(tenant_a, "read").get("/v2/accounts")

    assert len(response.json()) == 25
    assert response["X-Paging-Take"] == "25"


@pytest.mark.parametrize(
    "query,field", [("skip=-1", "skip"), ("take=-5", "take"), ("take=ten", "take"), ("skip=1.5", "skip")]
)
def test_negative_or_non_numeric_paging_is_400(api_client, tenant_a, query, field):
    response = api_client(tenant_a, "read").get(f"/v2/accounts?{query}")

    assert_problem(response, 400, "validation_failed", field)


@pytest.mark.parametrize("query,field", [("skip=%C2%B2", "skip"), ("take=%D9%A3", "take")])
def test_non_ascii_digits_in_paging_are_400_not_500(api_client, tenant_a, query, field):
    # "²" and "٣" pass str.isdigit(); int() refuses the first, and neither is a number a client means.
    response = api_client(tenant_a, "read").get(f"/v2/accounts?{query}")

    assert_problem(response, 400, "validation_failed", field)


@pytest.mark.parametrize("skip", ["9223372036854775808", "99999999999999999999999", "9" * 5000])
def test_skip_beyond_every_database_integer_is_an_empty_page(api_client, tenant_a, account_a, skip):
    # Regression: an offset past SQLite's 64-bit integers was a 500.
    response = api_client(tenant_a, "read").get(f"/v2/accounts?skip={skip}&take=5")

    assert response.status_code == 200, response.content
    assert response.json() == []
    assert response["X-Paging-Take"] == "0"
    assert response["X-Paging-TotalResults"] == "1"
    assert 'rel="prev"' in response["Link"] and 'rel="next"' not in response["Link"]


def test_filter_identifier_ignores_case(api_client, tenant_a, account_a, servicepack):
    make_accounts(tenant_a, servicepack, 3)

    response = api_client(tenant_a, "read").get("/v2/accounts?identifier=ALPHA-shop.Example")

    assert [a["id"] for a in response.json()] == [account_a.pk]
    assert response["X-Paging-TotalResults"] == "1"


def test_filter_asset_type(api_client, tenant_a, full_a, account_a, servicepack):
    make_accounts(tenant_a, servicepack, 2)  # no assets at all
    create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password="Secret123x",
    )
    client = api_client(tenant_a, "read")

    assert [a["id"] for a in client.get("/v2/accounts?asset_type=mysql").json()] == [account_a.pk]
    assert [a["id"] for a in client.get("/v2/accounts?asset_type=linux_hosting").json()] == [account_a.pk]
    assert client.get("/v2/accounts?asset_type=mailbox").json() == []


def test_filter_status_and_servicepack(api_client, tenant_a, account_a, servicepack, big_servicepack):
    others = make_accounts(tenant_a, big_servicepack, 2)
    Account.objects.filter(pk=others[0].pk).update(status=Status.SUSPENDED)
    client = api_client(tenant_a, "read")

    suspended = client.get("/v2/accounts?status=suspended").json()
    on_big = client.get(f"/v2/accounts?servicepack_id={big_servicepack.pk}").json()
    on_small_active = client.get(f"/v2/accounts?servicepack_id={servicepack.pk}&status=active").json()

    assert [a["id"] for a in suspended] == [others[0].pk]
    assert [a["id"] for a in on_big] == [a.pk for a in others]
    assert [a["id"] for a in on_small_active] == [account_a.pk]


def test_filter_on_foreign_servicepack_finds_nothing(api_client, tenant_a, tenant_b, account_a, foreign_pack):
    make_accounts(tenant_b, foreign_pack, 2)

    response = api_client(tenant_a, "read").get(f"/v2/accounts?servicepack_id={foreign_pack.pk}")

    assert response.status_code == 200
    assert response.json() == []
    assert response["X-Paging-TotalResults"] == "0"


@pytest.mark.parametrize("query,field", [("status=gone", "status"), ("servicepack_id=abc", "servicepack_id")])
def test_invalid_filter_values_are_400(api_client, tenant_a, query, field):
    response = api_client(tenant_a, "read").get(f"/v2/accounts?{query}")

    assert_problem(response, 400, "validation_failed", field)


def test_ordering_param_and_stable_default(api_client, tenant_a, servicepack):
    accounts = make_accounts(tenant_a, servicepack, 4)
    client = api_client(tenant_a, "read")

    default = [a["id"] for a in client.get("/v2/accounts").json()]
    by_identifier_desc = [a["identifier"] for a in client.get("/v2/accounts?ordering=-identifier").json()]

    assert default == [a.pk for a in accounts]
    assert by_identifier_desc == sorted((a.identifier for a in accounts), reverse=True)


def test_ordering_by_equal_values_pages_by_id(api_client, tenant_a, servicepack):
    accounts = make_accounts(tenant_a, servicepack, 4)
    Account.objects.update(created_at=accounts[0].created_at)
    client = api_client(tenant_a, "read")

    newest_first = [a["id"] for a in client.get("/v2/accounts?ordering=-created_at").json()]
    unknown_field = client.get("/v2/accounts?ordering=reseller__name")

    assert newest_first == [a.pk for a in reversed(accounts)]
    assert unknown_field.status_code == 200
    assert [a["id"] for a in unknown_field.json()] == [a.pk for a in accounts]


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(
    api_client, tenant_a, servicepack, django_assert_max_num_queries, take
):
    make_accounts(tenant_a, servicepack, 120)
    client = api_client(tenant_a, "read")

    # 3 for authentication (key, whitelist, last_used_at), count, page.
    with django_assert_max_num_queries(5):
        response = client.get(f"/v2/accounts?take={take}&asset_type=linux_hosting&status=active")
    with django_assert_max_num_queries(5):
        response = client.get(f"/v2/accounts?take={take}")

    assert len(response.json()) == take


# --- POST /v2/accounts


def test_create_account_answers_202_with_the_job(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")

    response = client.post(
        "/v2/accounts",
        {"identifier": "New-Site.example", "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"},
    )

    job = job_of(response)
    account = Account.objects.get(identifier="new-site.example")
    assert account.reseller == tenant_a["reseller"]
    assert account.servicepack == servicepack
    assert account.status == Status.PROVISIONING
    assert (job.action, job.target_id, job.status) == ("account.create", str(account.pk), JobStatus.PENDING)
    assert job.reseller == tenant_a["reseller"]
    hosting = account.assets.get()
    assert (hosting.asset_type, hosting.name) == ("linux_hosting", "new-site.example")
    assert "Ftpsecret1" not in str(hosting.details)
    event = AuditEvent.objects.get(action="account.create", object_id=str(account.pk))
    assert (event.via, event.actor_kind, event.actor_id) == ("api", "api_key", str(client.api_key.pk))


def test_created_account_becomes_active_when_its_job_runs(
    api_client, tenant_a, servicepack, django_capture_on_commit_callbacks
):
    client = api_client(tenant_a, "write")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/v2/accounts", {"identifier": "ready.example", "servicepack_id": servicepack.pk})
    job_response = client.get(response["Location"])

    account = Account.objects.get(identifier="ready.example")
    assert account.status == Status.ACTIVE
    assert job_response.status_code == 201
    assert job_response["Location"] == f"/v2/accounts/{account.pk}"
    assert job_response.json()["resource_links"] == [f"/v2/accounts/{account.pk}"]


@pytest.mark.parametrize(
    "body,field",
    [
        ({"servicepack_id": 1}, "identifier"),
        ({"identifier": "x.example"}, "servicepack_id"),
        ({"identifier": "x.example", "servicepack_id": "one"}, "servicepack_id"),
        ({"identifier": "not a domain", "servicepack_id": None}, "servicepack_id"),
        ({"identifier": "nodots", "servicepack_id": "PACK"}, "identifier"),
        ({"identifier": "x.example", "servicepack_id": "PACK", "ftp_password": "short"}, "ftp_password"),
        ({"identifier": "x.example", "servicepack_id": "PACK", "ftp_password": 12345678}, "ftp_password"),
    ],
)
def test_create_account_validation_errors_name_the_field(api_client, tenant_a, servicepack, body, field):
    body = {key: servicepack.pk if value == "PACK" else value for key, value in body.items()}

    response = api_client(tenant_a, "write").post("/v2/accounts", body)

    assert_problem(response, 400, "validation_failed", field)
    assert not Account.objects.exists()
    assert not ProvisioningJob.objects.exists()


def test_create_account_with_malformed_json_is_400(api_client, tenant_a):
    response = api_client(tenant_a, "write").post("/v2/accounts", body=b"{not json")

    assert_problem(response, 400, "validation_failed")


def test_create_account_with_taken_identifier_is_409(api_client, tenant_a, account_a, account_b, servicepack):
    client = api_client(tenant_a, "write")

    own = client.post("/v2/accounts", {"identifier": "alpha-shop.example", "servicepack_id": servicepack.pk})
    other = client.post("/v2/accounts", {"identifier": "BRAVO-shop.example.", "servicepack_id": servicepack.pk})

    assert_problem(own, 409, "duplicate", "identifier")
    assert_problem(other, 409, "duplicate", "identifier")
    assert Account.objects.count() == 2


def test_create_account_on_foreign_servicepack_is_404(api_client, tenant_a, foreign_pack):
    response = api_client(tenant_a, "write").post(
        "/v2/accounts", {"identifier": "sneaky.example", "servicepack_id": foreign_pack.pk}
    )

    body = assert_problem(response, 404, "not_found")
    assert "Bravo" not in body["detail"]
    assert not Account.objects.exists()


def test_create_account_on_inactive_or_unknown_servicepack_is_404(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    retired = ServicePack.objects.create(name="Retired", is_active=False)

    for pack_id in (retired.pk, 987654):
        response = client.post("/v2/accounts", {"identifier": "x.example", "servicepack_id": pack_id})
        assert_problem(response, 404, "not_found")
    assert not Account.objects.exists()


def test_read_key_cannot_create_account(api_client, tenant_a, servicepack):
    response = api_client(tenant_a, "read").post(
        "/v2/accounts", {"identifier": "x.example", "servicepack_id": servicepack.pk}
    )

    assert_problem(response, 403, "insufficient_level")
    assert not Account.objects.exists()


def test_idempotency_key_replays_the_first_202(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    body = {"identifier": "once.example", "servicepack_id": servicepack.pk}
    headers = {"Idempotency-Key": "create-once-1"}

    first = client.post("/v2/accounts", body, headers=headers)
    second = client.post("/v2/accounts", body, headers=headers)

    assert first.status_code == second.status_code == 202
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert second.content == b""
    assert Account.objects.filter(identifier="once.example").count() == 1
    assert ProvisioningJob.objects.filter(action="account.create").count() == 1


def test_idempotency_key_replay_of_a_problem_is_still_problem_json(api_client, tenant_a, servicepack):
    # Regression (found by schemathesis): the replay kept status and body but answered application/json.
    client = api_client(tenant_a, "write")
    body = {"identifier": "nopack.example", "servicepack_id": 999999}
    headers = {"Idempotency-Key": "create-once-3"}

    first = client.post("/v2/accounts", body, headers=headers)
    second = client.post("/v2/accounts", body, headers=headers)

    assert_problem(first, 404, "not_found")
    assert_problem(second, 404, "not_found")
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()


def test_idempotency_key_with_another_body_is_400(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "write")
    headers = {"Idempotency-Key": "create-once-2"}
    client.post("/v2/accounts", {"identifier": "one.example", "servicepack_id": servicepack.pk}, headers=headers)

    response = client.post(
        "/v2/accounts", {"identifier": "two.example", "servicepack_id": servicepack.pk}, headers=headers
    )

    assert_problem(response, 400, "validation_failed", "Idempotency-Key")
    assert list(Account.objects.values_list("identifier", flat=True)) == ["one.example"]


# --- GET /v2/accounts/{account_id}


def test_detail_shows_servicepack_addons_and_assets_with_usage(api_client, tenant_a, account_a, servicepack):
    Asset.objects.filter(account=account_a).update(actual_size=17)

    response = api_client(tenant_a, "read").get(f"/v2/accounts/{account_a.pk}")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "id": account_a.pk,
        "identifier": "alpha-shop.example",
        "servicepack": {"id": servicepack.pk, "name": "Starter"},
        "addons": [],
        "status": "active",
        "created_at": account_a.created_at.isoformat().replace("+00:00", "Z"),
        "assets": [
            {
                "asset_type": "linux_hosting",
                "name": "alpha-shop.example",
                "max_size": 1024,
                "actual_size": 17,
                "status": "active",
            }
        ],
    }
    assert response["ETag"].startswith('"')


def test_detail_etag_and_if_none_match(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "read")
    etag = client.get(f"/v2/accounts/{account_a.pk}")["ETag"]

    unchanged = client.get(f"/v2/accounts/{account_a.pk}", headers={"If-None-Match": etag})
    Asset.objects.filter(account=account_a).update(actual_size=99)
    changed = client.get(f"/v2/accounts/{account_a.pk}", headers={"If-None-Match": etag})

    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_detail_of_another_resellers_account_is_404(api_client, tenant_a, account_b):
    client = api_client(tenant_a, "full")

    assert_problem(client.get(f"/v2/accounts/{account_b.pk}"), 404, "not_found")
    assert_problem(client.get("/v2/accounts/987654"), 404, "not_found")
    assert_problem(client.get("/v2/accounts/abc"), 404, "not_found")


# --- DELETE /v2/accounts/{account_id}


def test_delete_account_answers_202_and_marks_it_deleting(
    api_client, tenant_a, account_a, django_capture_on_commit_callbacks
):
    client = api_client(tenant_a, "write")
    etag = client.get(f"/v2/accounts/{account_a.pk}")["ETag"]

    response = client.delete(f"/v2/accounts/{account_a.pk}", headers={"If-Match": etag})

    job = job_of(response)
    assert (job.action, job.target_id) == ("account.delete", str(account_a.pk))
    account_a.refresh_from_db()
    assert account_a.status == Status.DELETING
    assert set(account_a.assets.values_list("status", flat=True)) == {Status.DELETING}


def test_deleted_account_is_gone_when_its_job_runs(api_client, tenant_a, account_a, django_capture_on_commit_callbacks):
    client = api_client(tenant_a, "write")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete(f"/v2/accounts/{account_a.pk}")

    assert response.status_code == 202
    assert not Account.objects.filter(pk=account_a.pk).exists()
    assert_problem(client.get(f"/v2/accounts/{account_a.pk}"), 404, "not_found")
    finished = client.get(response["Location"])
    assert finished.status_code == 201
    assert finished.json()["resource_links"] == []


def test_delete_with_stale_if_match_is_412_and_changes_nothing(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "write")
    etag = client.get(f"/v2/accounts/{account_a.pk}")["ETag"]
    Asset.objects.filter(account=account_a).update(actual_size=5)  # the representation moved on

    response = client.delete(f"/v2/accounts/{account_a.pk}", headers={"If-Match": etag})

    assert_problem(response, 412, "precondition_failed")
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE
    assert not ProvisioningJob.objects.filter(action="account.delete").exists()


def test_delete_twice_is_409(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "write")
    client.delete(f"/v2/accounts/{account_a.pk}")

    response = client.delete(f"/v2/accounts/{account_a.pk}")

    assert_problem(response, 409, "invalid_state")
    assert ProvisioningJob.objects.filter(action="account.delete").count() == 1


def test_delete_another_resellers_account_is_404_and_changes_nothing(api_client, tenant_a, account_b):
    response = api_client(tenant_a, "full").delete(f"/v2/accounts/{account_b.pk}")

    assert_problem(response, 404, "not_found")
    account_b.refresh_from_db()
    assert account_b.status == Status.ACTIVE
    assert not ProvisioningJob.objects.filter(action="account.delete").exists()


def test_read_key_cannot_delete_account(api_client, tenant_a, account_a):
    response = api_client(tenant_a, "read").delete(f"/v2/accounts/{account_a.pk}")

    assert_problem(response, 403, "insufficient_level")
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE


# --- PUT /v2/accounts/{account_id}/servicepack


def test_change_servicepack_answers_202(api_client, tenant_a, account_a, big_servicepack):
    client = api_client(tenant_a, "write")
    etag = client.get(f"/v2/accounts/{account_a.pk}")["ETag"]

    response = client.put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": big_servicepack.pk}, headers={"If-Match": etag}
    )

    job = job_of(response)
    assert job.action == "account.change_servicepack"
    account_a.refresh_from_db()
    assert account_a.servicepack == big_servicepack
    detail = client.get(f"/v2/accounts/{account_a.pk}").json()
    assert detail["servicepack"] == {"id": big_servicepack.pk, "name": "Business"}


def test_change_servicepack_over_quota_is_409(api_client, tenant_a, full_a, account_a):
    create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password="Secret123x",
    )
    hosting_only = ServicePack.objects.create(name="Hosting only")
    ServicePackItem.objects.create(servicepack=hosting_only, asset_type=AssetType.LINUX_HOSTING, max_size_mb=4096)

    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": hosting_only.pk}
    )

    assert_problem(response, 409, "quota_exceeded", "servicepack_id")
    account_a.refresh_from_db()
    assert account_a.servicepack.name == "Starter"
    assert not ProvisioningJob.objects.filter(action="account.change_servicepack").exists()


def test_change_servicepack_to_smaller_sizes_is_409(api_client, tenant_a, account_a):
    tiny = ServicePack.objects.create(name="Tiny")
    ServicePackItem.objects.create(servicepack=tiny, asset_type=AssetType.LINUX_HOSTING, max_size_mb=100)

    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": tiny.pk}
    )

    assert_problem(response, 409, "size_exceeds_servicepack", "servicepack_id")
    account_a.refresh_from_db()
    assert account_a.servicepack.name == "Starter"


def test_change_to_foreign_servicepack_is_404(api_client, tenant_a, account_a, foreign_pack):
    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": foreign_pack.pk}
    )

    assert_problem(response, 404, "not_found")
    account_a.refresh_from_db()
    assert account_a.servicepack.name == "Starter"


def test_change_servicepack_of_another_resellers_account_is_404(api_client, tenant_a, account_b, big_servicepack):
    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_b.pk}/servicepack", {"servicepack_id": big_servicepack.pk}
    )

    assert_problem(response, 404, "not_found")
    account_b.refresh_from_db()
    assert account_b.servicepack.name == "Starter"


@pytest.mark.parametrize("body", [{}, {"servicepack_id": "big"}, {"servicepack_id": None}])
def test_change_servicepack_validation(api_client, tenant_a, account_a, body):
    response = api_client(tenant_a, "write").put(f"/v2/accounts/{account_a.pk}/servicepack", body)

    assert_problem(response, 400, "validation_failed", "servicepack_id")


def test_change_servicepack_while_provisioning_is_409(api_client, tenant_a, servicepack, big_servicepack):
    client = api_client(tenant_a, "write")
    job_of(client.post("/v2/accounts", {"identifier": "busy.example", "servicepack_id": servicepack.pk}))
    account = Account.objects.get(identifier="busy.example")

    response = client.put(f"/v2/accounts/{account.pk}/servicepack", {"servicepack_id": big_servicepack.pk})

    assert_problem(response, 409, "invalid_state")


def test_change_servicepack_with_stale_if_match_is_412(api_client, tenant_a, account_a, big_servicepack):
    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_a.pk}/servicepack",
        {"servicepack_id": big_servicepack.pk},
        headers={"If-Match": '"stale"'},
    )

    assert_problem(response, 412, "precondition_failed")
    account_a.refresh_from_db()
    assert account_a.servicepack.name == "Starter"


def test_read_key_cannot_change_servicepack(api_client, tenant_a, account_a, big_servicepack):
    response = api_client(tenant_a, "read").put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": big_servicepack.pk}
    )

    assert_problem(response, 403, "insufficient_level")


# --- PUT/DELETE /v2/accounts/{account_id}/suspension


def test_suspend_and_unsuspend(api_client, tenant_a, account_a, django_capture_on_commit_callbacks):
    client = api_client(tenant_a, "write")

    with django_capture_on_commit_callbacks(execute=True):
        suspended = client.put(f"/v2/accounts/{account_a.pk}/suspension")
    assert job_of(suspended).action == "account.suspend"
    account_a.refresh_from_db()
    assert account_a.status == Status.SUSPENDED
    assert client.get(f"/v2/accounts/{account_a.pk}").json()["assets"][0]["status"] == "suspended"

    with django_capture_on_commit_callbacks(execute=True):
        resumed = client.delete(f"/v2/accounts/{account_a.pk}/suspension")
    assert job_of(resumed).action == "account.unsuspend"
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE


def test_suspend_twice_and_unsuspend_active_are_409(
    api_client, tenant_a, account_a, django_capture_on_commit_callbacks
):
    client = api_client(tenant_a, "write")

    assert_problem(client.delete(f"/v2/accounts/{account_a.pk}/suspension"), 409, "invalid_state")
    with django_capture_on_commit_callbacks(execute=True):
        client.put(f"/v2/accounts/{account_a.pk}/suspension")
    assert_problem(client.put(f"/v2/accounts/{account_a.pk}/suspension"), 409, "invalid_state")


def test_a_delete_while_a_job_runs_is_queued_behind_it(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "write")
    suspension = job_of(client.put(f"/v2/accounts/{account_a.pk}/suspension"))  # pending: no worker in this test

    response = client.delete(f"/v2/accounts/{account_a.pk}")

    deletion = job_of(response)
    assert (suspension.status, deletion.status) == (JobStatus.PENDING, JobStatus.PENDING)
    assert deletion.created_at >= suspension.created_at


def test_suspend_another_resellers_account_is_404(api_client, tenant_a, account_b):
    client = api_client(tenant_a, "full")

    assert_problem(client.put(f"/v2/accounts/{account_b.pk}/suspension"), 404, "not_found")
    assert_problem(client.delete(f"/v2/accounts/{account_b.pk}/suspension"), 404, "not_found")
    account_b.refresh_from_db()
    assert account_b.status == Status.ACTIVE
    assert (
        not ProvisioningJob.objects.filter(target_type="account", target_id=str(account_b.pk))
        .exclude(action="account.create")
        .exists()
    )


def test_suspend_with_stale_if_match_is_412(api_client, tenant_a, account_a):
    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_a.pk}/suspension", headers={"If-Match": '"stale"'}
    )

    assert_problem(response, 412, "precondition_failed")
    assert not ProvisioningJob.objects.filter(action="account.suspend").exists()


def test_read_key_cannot_suspend(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "read")

    assert_problem(client.put(f"/v2/accounts/{account_a.pk}/suspension"), 403, "insufficient_level")
    assert_problem(client.delete(f"/v2/accounts/{account_a.pk}/suspension"), 403, "insufficient_level")
