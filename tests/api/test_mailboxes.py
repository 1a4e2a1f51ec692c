"""`/v2/mailboxes`, through HMAC-signed requests: 201 + Location on creation (provisioned in the background),
204 for changes, the `domain_name` filter, paging (a Paneel addition here), tenancy, levels, ETags, quotas and
password secrecy."""

from __future__ import annotations

import pytest

from apps.accounts.models import Status
from apps.assets.models import Asset
from apps.assets.passwords import verify_sha512_crypt
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api.conftest import add_asset_rows, row_json

MAIL_PASSWORD = "Mailsecret1"
NEW_PASSWORD = "Newsecret34"
LIST_QUERIES = 5  # authentication (key, whitelist, last_used_at) 3 + count 1 + page 1


def create_body(account, local="info", password=MAIL_PASSWORD) -> dict:
    return {"email_address": f"{local}@{account.identifier}", "account_id": account.pk, "password": password}


def counts() -> tuple[int, int]:
    return Asset.objects.filter(asset_type="mailbox").count(), ProvisioningJob.objects.count()


@pytest.fixture
def mailbox(writer, account_a, run_jobs) -> Asset:
    """An active mailbox info@alpha-shop.example, provisioned by its job."""
    with run_jobs():
        response = writer.post("/v2/mailboxes", create_body(account_a))
    assert response.status_code == 201, response.content
    return Asset.objects.get(asset_type="mailbox", name="info@alpha-shop.example")


def passwd_line(root, address: str) -> str:
    lines = (root / "mail" / "passwd").read_text().splitlines()
    return next(line for line in lines if line.startswith(address + ":"))


# --- POST /v2/mailboxes


def test_create_mailbox_answers_201_with_its_location(writer, account_a, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.post("/v2/mailboxes", create_body(account_a, "Sales"))
    assert response.status_code == 201, response.content
    assert response.content == b""
    assert response["Location"] == "/v2/mailboxes/sales@alpha-shop.example"
    asset = Asset.objects.get(asset_type="mailbox", name="sales@alpha-shop.example")
    assert (asset.status, asset.account_id, asset.max_size) == (Status.ACTIVE, account_a.pk, 2048)
    job = ProvisioningJob.objects.get(action="mailbox.create")
    assert (job.target_id, job.status) == (str(asset.pk), JobStatus.FINISHED)
    assert verify_sha512_crypt(MAIL_PASSWORD, asset.details["password_hash"])
    assert MAIL_PASSWORD not in row_json(asset)
    assert "{SHA512-CRYPT}" in passwd_line(provisioning_root, "sales@alpha-shop.example")
    assert writer.get(response["Location"]).json()["name"] == "sales@alpha-shop.example"


def test_created_mailbox_is_provisioning_until_its_job_runs(writer, account_a):
    response = writer.post("/v2/mailboxes", create_body(account_a))
    assert response.status_code == 201
    assert ProvisioningJob.objects.get(action="mailbox.create").status == JobStatus.PENDING
    assert writer.get(response["Location"]).json()["status"] == "provisioning"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email_address": "info@elsewhere.example"}, "email_address"),
        ({"email_address": "info@bravo-shop.example"}, "email_address"),
        ({"email_address": "no-at-sign"}, "email_address"),
        ({"email_address": ".dot@alpha-shop.example"}, "email_address"),
        ({"password": "short1"}, "password"),
        ({"password": "onlyletters"}, "password"),
        ({"password": "Secret12{"}, "password"),
        ({"account_id": "x"}, "account_id"),
    ],
)
def test_create_mailbox_validation_names_the_field(writer, account_a, change, field):
    before = counts()
    response = writer.post("/v2/mailboxes", {**create_body(account_a), **change})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {error["field"] for error in body["validation_errors"]} == {field}
    assert counts() == before


@pytest.mark.parametrize("missing", ["email_address", "account_id", "password"])
def test_create_mailbox_without_a_field_is_refused(writer, account_a, missing):
    body = create_body(account_a)
    del body[missing]
    before = counts()
    response = writer.post("/v2/mailboxes", body)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["validation_errors"]] == [missing]
    assert counts() == before


def test_fourth_mailbox_exceeds_the_servicepack_quota(writer, account_a):
    for local in ("one", "two", "three"):
        assert writer.post("/v2/mailboxes", create_body(account_a, local)).status_code == 201
    before = counts()
    response = writer.post("/v2/mailboxes", create_body(account_a, "four"))
    assert response.status_code == 409
    assert response.json()["code"] == "quota_exceeded"
    assert counts() == before


def test_same_mailbox_twice_is_a_duplicate(writer, account_a, mailbox):
    before = counts()
    response = writer.post("/v2/mailboxes", create_body(account_a, "INFO"))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert response.json()["validation_errors"][0]["field"] == "email_address"
    assert counts() == before


def test_another_resellers_account_id_is_not_found_and_creates_nothing(writer, account_b):
    before = counts()
    response = writer.post("/v2/mailboxes", create_body(account_b))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert counts() == before


# --- Levels and tenancy


def write_requests(account, name):
    return [
        ("POST", "/v2/mailboxes", create_body(account, "another")),
        ("DELETE", f"/v2/mailboxes/{name}", None),
        ("PUT", f"/v2/mailboxes/{name}/password", {"password": NEW_PASSWORD}),
    ]


def test_read_key_cannot_change_mailboxes(reader, account_a, mailbox):
    before = (counts(), row_json(mailbox))
    for method, target, body in write_requests(account_a, mailbox.name):
        response = reader.request(method, target, body)
        assert response.status_code == 403, (method, target)
        assert response.json()["code"] == "insufficient_level"
    assert (counts(), row_json(mailbox)) == before
    assert reader.get(f"/v2/mailboxes/{mailbox.name}").status_code == 200


def test_another_resellers_mailbox_is_not_found_on_every_route(other, account_a, mailbox):
    before = (counts(), row_json(mailbox))
    requests = [("GET", f"/v2/mailboxes/{mailbox.name}", None), *write_requests(account_a, mailbox.name)[1:]]
    for method, target, body in requests:
        response = other.request(method, target, body)
        assert response.status_code == 404, (method, target)
        assert response.json()["code"] == "not_found"
    assert (counts(), row_json(mailbox)) == before
    assert other.get("/v2/mailboxes").json() == []
    assert other.get("/v2/mailboxes?domain_name=alpha-shop.example").json() == []


# --- GET /v2/mailboxes


def make_mailboxes(account, count: int) -> None:
    """Mailbox rows written directly (list set-up; quotas are the services' tests)."""
    hashed = {"password_hash": "$6$x$" + "a" * 86}
    add_asset_rows("mailbox", ((account, f"box{index:03d}@{account.identifier}", hashed) for index in range(count)))


def test_list_has_the_reference_fields_and_no_paging(writer, account_a, mailbox):
    response = writer.get("/v2/mailboxes")
    assert response.status_code == 200
    assert response.json() == [
        {
            "name": "info@alpha-shop.example",
            "max_size": 2048,
            "actual_size": mailbox.actual_size,
            "account_id": account_a.pk,
            "status": "active",
        }
    ]
    assert not response.has_header("X-Paging-TotalResults")


def test_list_filters_by_domain_name(writer, account_a, full_a, servicepack, run_jobs):
    from apps.accounts.services import create_account

    with run_jobs():
        second, _ = create_account(principal=full_a, identifier="alpha-two.example", servicepack=servicepack)
    make_mailboxes(account_a, 2)
    make_mailboxes(second, 3)
    response = writer.get("/v2/mailboxes?domain_name=Alpha-Two.example")
    assert [item["name"] for item in response.json()] == [f"box{i:03d}@alpha-two.example" for i in range(3)]
    assert len(writer.get("/v2/mailboxes").json()) == 5


def test_list_is_not_paged_as_in_the_reference(writer, account_a):
    """The reference does not page GET /mailboxes: its clients read the one answer, so every mailbox is in it."""
    make_mailboxes(account_a, 103)
    everything = writer.get("/v2/mailboxes")
    assert [item["name"] for item in everything.json()] == [f"box{i:03d}@alpha-shop.example" for i in range(103)]
    assert not everything.has_header("Link")
    assert len(writer.get("/v2/mailboxes?take=5&skip=2").json()) == 103  # not parameters of this route


def test_list_shows_only_the_resellers_own_mailboxes(writer, account_a, account_b):
    make_mailboxes(account_a, 1)
    make_mailboxes(account_b, 2)
    assert [item["account_id"] for item in writer.get("/v2/mailboxes").json()] == [account_a.pk]


@pytest.mark.parametrize("count", [1, 100])
def test_list_query_count_does_not_grow_with_the_list(
    writer, account_a, account_b, count, django_assert_max_num_queries
):
    make_mailboxes(account_a, count)
    make_mailboxes(account_b, 5)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = writer.get("/v2/mailboxes?domain_name=alpha-shop.example")
    assert len(response.json()) == count


# --- GET /v2/mailboxes/{mailbox_name}


def test_detail_has_the_reference_fields(writer, account_a, mailbox):
    response = writer.get("/v2/mailboxes/info@alpha-shop.example")
    assert response.status_code == 200
    assert response.json() == {
        "name": "info@alpha-shop.example",
        "login": "info@alpha-shop.example",
        "max_size": 2048,
        "actual_size": mailbox.actual_size,
        "account_id": account_a.pk,
        "status": "active",
        "auto_reply": {"enabled": False, "subject": "", "message": ""},
        "auto_forward": {"enabled": False, "email_addresses": [], "copy_to_myself": False},
    }
    assert "password_hash" not in response.content.decode()


def test_detail_lookup_ignores_case(writer, mailbox):
    assert writer.get("/v2/mailboxes/INFO@Alpha-Shop.example").json()["name"] == mailbox.name


def test_detail_has_an_etag_and_answers_304_when_unchanged(writer, mailbox):
    etag = writer.get(f"/v2/mailboxes/{mailbox.name}")["ETag"]
    unchanged = writer.get(f"/v2/mailboxes/{mailbox.name}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    Asset.objects.filter(pk=mailbox.pk).update(actual_size=12)
    assert writer.get(f"/v2/mailboxes/{mailbox.name}", headers={"If-None-Match": etag}).status_code == 200


def test_unknown_mailbox_is_not_found(writer, db):
    assert writer.get("/v2/mailboxes/nobody@nowhere.example").status_code == 404


# --- DELETE /v2/mailboxes/{mailbox_name}


def test_delete_answers_204_and_marks_the_mailbox_deleting(writer, mailbox):
    response = writer.delete(f"/v2/mailboxes/{mailbox.name}")
    assert response.status_code == 204
    assert response.content == b""
    mailbox.refresh_from_db()
    assert mailbox.status == Status.DELETING
    job = ProvisioningJob.objects.get(action="mailbox.delete")
    assert (job.target_id, job.status) == (str(mailbox.pk), JobStatus.PENDING)
    assert writer.get(f"/v2/mailboxes/{mailbox.name}").json()["status"] == "deleting"


def test_delete_job_removes_the_mailbox(writer, mailbox, run_jobs, provisioning_root):
    with run_jobs():
        assert writer.delete(f"/v2/mailboxes/{mailbox.name}").status_code == 204
    assert not Asset.objects.filter(pk=mailbox.pk).exists()
    assert mailbox.name not in (provisioning_root / "mail" / "passwd").read_text()
    assert writer.get(f"/v2/mailboxes/{mailbox.name}").status_code == 404


def test_delete_with_a_stale_if_match_is_412_and_deletes_nothing(writer, mailbox):
    etag = writer.get(f"/v2/mailboxes/{mailbox.name}")["ETag"]
    Asset.objects.filter(pk=mailbox.pk).update(actual_size=9)
    jobs = ProvisioningJob.objects.count()
    response = writer.delete(f"/v2/mailboxes/{mailbox.name}", headers={"If-Match": etag})
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    mailbox.refresh_from_db()
    assert mailbox.status == Status.ACTIVE and ProvisioningJob.objects.count() == jobs
    fresh = writer.get(f"/v2/mailboxes/{mailbox.name}")["ETag"]
    assert writer.delete(f"/v2/mailboxes/{mailbox.name}", headers={"If-Match": fresh}).status_code == 204


# --- PUT /v2/mailboxes/{mailbox_name}/password


def test_change_password_answers_204_and_stores_only_the_new_hash(writer, mailbox, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.put(f"/v2/mailboxes/{mailbox.name}/password", {"password": NEW_PASSWORD})
    assert response.status_code == 204
    assert response.content == b""
    mailbox.refresh_from_db()
    assert verify_sha512_crypt(NEW_PASSWORD, mailbox.details["password_hash"])
    assert NEW_PASSWORD not in row_json(mailbox)
    assert ProvisioningJob.objects.get(action="mailbox.update").status == JobStatus.FINISHED
    assert mailbox.details["password_hash"] in passwd_line(provisioning_root, mailbox.name)


def test_change_password_applies_the_password_rules(writer, mailbox):
    before = row_json(mailbox)
    response = writer.put(f"/v2/mailboxes/{mailbox.name}/password", {"password": " Spaced12 "})
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["validation_errors"]} == {"password"}
    assert row_json(mailbox) == before
    assert not ProvisioningJob.objects.filter(action="mailbox.update").exists()


def test_change_password_with_a_stale_if_match_is_412(writer, mailbox):
    response = writer.put(
        f"/v2/mailboxes/{mailbox.name}/password", {"password": NEW_PASSWORD}, headers={"If-Match": '"stale"'}
    )
    assert response.status_code == 412
    assert not ProvisioningJob.objects.filter(action="mailbox.update").exists()


def test_password_never_appears_in_any_response(writer, account_a, run_jobs):
    with run_jobs():
        created = writer.post("/v2/mailboxes", create_body(account_a))
    responses = [
        created,
        writer.get("/v2/mailboxes"),
        writer.get(created["Location"]),
        writer.put(f"{created['Location']}/password", {"password": NEW_PASSWORD}),
        writer.post("/v2/mailboxes", create_body(account_a)),  # 409, with the password in its body
    ]
    for response in responses:
        text = response.content.decode() + " ".join(f"{k}: {v}" for k, v in response.items())
        assert MAIL_PASSWORD not in text and NEW_PASSWORD not in text
