"""`/v2/mysqldatabases` and its users, through HMAC-signed requests: shapes as in the reference, 202 + job for
creations, 204 for changes, tenancy (404), levels (403), paging, ETags, quotas and password secrecy."""

from __future__ import annotations

import re

import pytest

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.assets.passwords import mysql_native_hash
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api.conftest import add_asset_rows, row_json

DB_PASSWORD = "Dbsecret12"
NEW_PASSWORD = "Newsecret34"
LIST_QUERIES = 5
JOB_LOCATION = re.compile(r"^/v2/provisioningjobs/([0-9a-f-]{36})$")


def create_body(account, database_name="shop", password=DB_PASSWORD) -> dict:
    return {"database_name": database_name, "account_id": account.pk, "password": password}


def counts() -> tuple[int, int]:
    return Asset.objects.filter(asset_type="mysql").count(), ProvisioningJob.objects.count()


@pytest.fixture
def database(writer, account_a, run_jobs) -> Asset:
    """An active MySQL database `pn<account>_shop` of reseller A, provisioned by its job."""
    with run_jobs():
        response = writer.post("/v2/mysqldatabases", create_body(account_a))
    assert response.status_code == 202, response.content
    return Asset.objects.get(asset_type="mysql", name=f"pn{account_a.pk}_shop")


def add_user_row(asset: Asset, name: str, rights: str = "read_only") -> None:
    """A second database user, written directly (test set-up, not the behaviour under test)."""
    user = {"name": name, "rights": rights, "enabled": True, "password_hash": mysql_native_hash(DB_PASSWORD)}
    asset.details = {**asset.details, "users": [*asset.details["users"], user]}
    asset.save(update_fields=["details"])


# --- POST /v2/mysqldatabases


def test_create_database_answers_202_with_the_job_and_provisions_it(writer, account_a, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.post("/v2/mysqldatabases", create_body(account_a))
    assert response.status_code == 202, response.content
    assert response.content == b""
    job_id = JOB_LOCATION.match(response["Location"]).group(1)
    name = f"pn{account_a.pk}_shop"
    asset = Asset.objects.get(asset_type="mysql", name=name)
    job = ProvisioningJob.objects.get(pk=job_id)
    assert (job.action, job.target_id, job.status) == ("mysql.create", str(asset.pk), JobStatus.FINISHED)
    assert asset.status == Status.ACTIVE and asset.account_id == account_a.pk
    assert asset.details["users"] == [
        {"name": name, "rights": "read_and_write", "enabled": True, "password_hash": mysql_native_hash(DB_PASSWORD)}
    ]
    assert DB_PASSWORD not in row_json(asset)
    assert (provisioning_root / "mysql" / name / "users").read_text().count(name) >= 1
    polled = writer.get(response["Location"])
    assert polled.status_code == 201
    assert polled.json()["resource_links"] == [f"/v2/mysqldatabases/{name}"]


def test_created_database_is_provisioning_until_its_job_runs(writer, account_a):
    response = writer.post("/v2/mysqldatabases", create_body(account_a))
    assert response.status_code == 202
    job = ProvisioningJob.objects.get(pk=JOB_LOCATION.match(response["Location"]).group(1))
    assert job.status == JobStatus.PENDING
    detail = writer.get(f"/v2/mysqldatabases/pn{account_a.pk}_shop")
    assert detail.json()["status"] == "provisioning"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "short1"}, "password"),
        ({"password": "no digits here"}, "password"),
        ({"password": "Secret12$"}, "password"),
        ({"database_name": "Shop-DB!"}, "database_name"),
        ({"database_name": "x" * 40}, "database_name"),
        ({"account_id": "abc"}, "account_id"),
        ({"database_name": None}, "database_name"),
    ],
)
def test_create_database_validation_names_the_field(writer, account_a, change, field):
    before = counts()
    response = writer.post("/v2/mysqldatabases", {**create_body(account_a), **change})
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_failed"
    assert {error["field"] for error in body["validation_errors"]} == {field}
    assert counts() == before


@pytest.mark.parametrize("missing", ["database_name", "account_id", "password"])
def test_create_database_without_a_field_is_refused(writer, account_a, missing):
    body = create_body(account_a)
    del body[missing]
    before = counts()
    response = writer.post("/v2/mysqldatabases", body)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["validation_errors"]] == [missing]
    assert counts() == before


def test_third_database_exceeds_the_servicepack_quota(writer, account_a, run_jobs):
    with run_jobs():
        assert writer.post("/v2/mysqldatabases", create_body(account_a, "one")).status_code == 202
        assert writer.post("/v2/mysqldatabases", create_body(account_a, "two")).status_code == 202
    before = counts()
    response = writer.post("/v2/mysqldatabases", create_body(account_a, "three"))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "quota_exceeded"
    assert body["validation_errors"][0]["error_code"] == "quota_exceeded"
    assert counts() == before


def test_same_database_name_twice_is_a_duplicate(writer, account_a, database):
    before = counts()
    response = writer.post("/v2/mysqldatabases", create_body(account_a))
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert response.json()["validation_errors"][0]["field"] == "database_name"
    assert counts() == before


def test_another_resellers_account_id_is_not_found_and_creates_nothing(writer, account_b):
    before = counts()
    response = writer.post("/v2/mysqldatabases", create_body(account_b))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert counts() == before
    assert not Asset.objects.filter(account=account_b, asset_type="mysql").exists()


def test_unknown_account_id_is_not_found(writer, db, tenant_a):
    response = writer.post(
        "/v2/mysqldatabases", {"database_name": "shop", "account_id": 999999, "password": DB_PASSWORD}
    )
    assert response.status_code == 404


def test_database_on_an_account_being_created_is_invalid_state(writer, account_a):
    Account.objects.filter(pk=account_a.pk).update(status=Status.PROVISIONING)
    response = writer.post("/v2/mysqldatabases", create_body(account_a))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"


def test_idempotency_key_replays_the_first_answer(writer, account_a):
    headers = {"Idempotency-Key": "create-shop-1"}
    first = writer.post("/v2/mysqldatabases", create_body(account_a), headers=headers)
    second = writer.post("/v2/mysqldatabases", create_body(account_a), headers=headers)
    assert first.status_code == second.status_code == 202
    assert second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true"
    assert counts() == (1, ProvisioningJob.objects.count())


# --- Levels: a read key may look, never change.


def write_requests(account, database_name):
    base = f"/v2/mysqldatabases/{database_name}"
    user = f"{base}/users/{database_name}"
    return [
        ("POST", "/v2/mysqldatabases", create_body(account, "another")),
        ("DELETE", base, None),
        ("POST", f"{base}/users", {"name": "report", "password": NEW_PASSWORD}),
        ("DELETE", user, None),
        ("PUT", f"{user}/status", {"enabled": False}),
        ("PUT", f"{user}/password", {"password": NEW_PASSWORD}),
    ]


def test_read_key_cannot_change_databases(reader, account_a, database):
    before = (counts(), row_json(database))
    for method, target, body in write_requests(account_a, database.name):
        response = reader.request(method, target, body)
        assert response.status_code == 403, (method, target, response.content)
        assert response.json()["code"] == "insufficient_level"
    assert (counts(), row_json(database)) == before


def test_read_key_can_read(reader, database):
    assert reader.get("/v2/mysqldatabases").status_code == 200
    assert reader.get(f"/v2/mysqldatabases/{database.name}").status_code == 200
    assert reader.get(f"/v2/mysqldatabases/{database.name}/users").status_code == 200


# --- Tenancy: another reseller's database is not found, on every route, and stays as it was.


def test_another_resellers_database_is_not_found_on_every_route(other, account_a, database):
    before = (counts(), row_json(database))
    requests = [("GET", f"/v2/mysqldatabases/{database.name}", None)]
    requests += [("GET", f"/v2/mysqldatabases/{database.name}/users", None)]
    requests += write_requests(account_a, database.name)[1:]
    for method, target, body in requests:
        response = other.request(method, target, body)
        assert response.status_code == 404, (method, target, response.content)
        assert response.json()["code"] == "not_found"
    assert (counts(), row_json(database)) == before
    assert other.get("/v2/mysqldatabases").json() == []


# --- GET /v2/mysqldatabases


def make_databases(account, count: int) -> None:
    """Database rows written directly (list set-up; quotas are the services' tests)."""
    names = [f"db{index:03d}" for index in range(count)]
    add_asset_rows(
        "mysql", [(account, f"pn{account.pk}_{name}", {"database_name": name, "users": []}) for name in names]
    )


def test_list_has_the_reference_fields(writer, account_a, database, settings):
    settings.PANEEL_MYSQL_HOSTNAME = "mysql.paneel.test"
    response = writer.get("/v2/mysqldatabases")
    assert response.status_code == 200
    assert response.json() == [
        {
            "name": database.name,
            "hostname": "mysql.paneel.test",
            "user_count": 1,
            "max_size": 500,
            "actual_size": database.actual_size,
            "account_id": account_a.pk,
            "status": "active",
        }
    ]
    assert response["X-Paging-Skipped"] == "0"
    assert response["X-Paging-Take"] == "1"
    assert response["X-Paging-TotalResults"] == "1"


def test_list_shows_only_the_resellers_own_databases(writer, account_a, account_b):
    make_databases(account_a, 2)
    make_databases(account_b, 3)
    response = writer.get("/v2/mysqldatabases")
    assert {item["account_id"] for item in response.json()} == {account_a.pk}
    assert response["X-Paging-TotalResults"] == "2"


def test_list_pages_with_skip_and_take(writer, account_a):
    make_databases(account_a, 5)
    response = writer.get("/v2/mysqldatabases?skip=1&take=2")
    assert [item["name"] for item in response.json()] == [f"pn{account_a.pk}_db001", f"pn{account_a.pk}_db002"]
    assert (response["X-Paging-Skipped"], response["X-Paging-Take"], response["X-Paging-TotalResults"]) == (
        "1",
        "2",
        "5",
    )
    assert 'rel="next"' in response["Link"] and 'rel="prev"' in response["Link"]


def test_list_clamps_take_to_100(writer, account_a):
    make_databases(account_a, 105)
    response = writer.get("/v2/mysqldatabases?take=1000")
    assert response.status_code == 200
    assert len(response.json()) == 100
    assert response["X-Paging-Take"] == "100"
    assert response["X-Paging-TotalResults"] == "105"


@pytest.mark.parametrize("query", ["take=-1", "skip=abc"])
def test_list_refuses_bad_paging(writer, db, query):
    response = writer.get(f"/v2/mysqldatabases?{query}")
    assert response.status_code == 400
    assert response.json()["validation_errors"][0]["field"] == query.split("=")[0]


def test_list_filters_by_account(writer, account_a, full_a, servicepack, run_jobs):
    from apps.accounts.services import create_account

    with run_jobs():
        second, _ = create_account(principal=full_a, identifier="alpha-two.example", servicepack=servicepack)
    make_databases(account_a, 2)
    make_databases(second, 1)
    response = writer.get(f"/v2/mysqldatabases?account_id={second.pk}")
    assert [item["account_id"] for item in response.json()] == [second.pk]


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(writer, account_a, account_b, take, django_assert_max_num_queries):
    make_databases(account_a, 100)
    make_databases(account_b, 5)
    # Authentication (key, whitelist, last_used_at) 3 + count 1 + page 1, whatever `take` is.
    with django_assert_max_num_queries(LIST_QUERIES):
        response = writer.get(f"/v2/mysqldatabases?take={take}")
    assert len(response.json()) == take


# --- GET /v2/mysqldatabases/{database_name}


def test_detail_has_an_etag_and_answers_304_when_unchanged(writer, database):
    response = writer.get(f"/v2/mysqldatabases/{database.name}")
    assert response.status_code == 200
    assert response.json()["name"] == database.name
    assert response.json()["user_count"] == 1
    etag = response["ETag"]
    unchanged = writer.get(f"/v2/mysqldatabases/{database.name}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag
    Asset.objects.filter(pk=database.pk).update(actual_size=7)
    changed = writer.get(f"/v2/mysqldatabases/{database.name}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json()["actual_size"] == 7


def test_unknown_database_is_not_found(writer, db):
    response = writer.get("/v2/mysqldatabases/pn1_nothing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


# --- DELETE /v2/mysqldatabases/{database_name}


def test_delete_answers_204_and_marks_the_database_deleting(writer, database):
    response = writer.delete(f"/v2/mysqldatabases/{database.name}")
    assert response.status_code == 204
    assert response.content == b""
    database.refresh_from_db()
    assert database.status == Status.DELETING
    job = ProvisioningJob.objects.get(action="mysql.delete")
    assert (job.target_id, job.status) == (str(database.pk), JobStatus.PENDING)
    assert writer.get(f"/v2/mysqldatabases/{database.name}").json()["status"] == "deleting"
    again = writer.delete(f"/v2/mysqldatabases/{database.name}")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"


def test_delete_job_removes_the_database(writer, database, run_jobs, provisioning_root):
    assert (provisioning_root / "mysql" / database.name).is_dir()
    with run_jobs():
        response = writer.delete(f"/v2/mysqldatabases/{database.name}")
    assert response.status_code == 204
    assert not Asset.objects.filter(pk=database.pk).exists()
    assert not (provisioning_root / "mysql" / database.name).exists()
    assert writer.get(f"/v2/mysqldatabases/{database.name}").status_code == 404


def test_delete_with_a_stale_if_match_is_412_and_deletes_nothing(writer, database):
    etag = writer.get(f"/v2/mysqldatabases/{database.name}")["ETag"]
    Asset.objects.filter(pk=database.pk).update(actual_size=3)
    jobs = ProvisioningJob.objects.count()
    response = writer.delete(f"/v2/mysqldatabases/{database.name}", headers={"If-Match": etag})
    assert response.status_code == 412
    assert response.json()["code"] == "precondition_failed"
    database.refresh_from_db()
    assert database.status == Status.ACTIVE
    assert ProvisioningJob.objects.count() == jobs


def test_delete_with_the_current_if_match_is_accepted(writer, database):
    etag = writer.get(f"/v2/mysqldatabases/{database.name}")["ETag"]
    response = writer.delete(f"/v2/mysqldatabases/{database.name}", headers={"If-Match": etag})
    assert response.status_code == 204


# --- /v2/mysqldatabases/{database_name}/users


def test_users_list_has_the_reference_fields_and_an_etag(writer, database):
    add_user_row(database, f"pn{database.account_id}_report")
    response = writer.get(f"/v2/mysqldatabases/{database.name}/users")
    assert response.status_code == 200
    assert response.json() == [
        {"name": database.name, "rights": "read_and_write", "enabled": True},
        {"name": f"pn{database.account_id}_report", "rights": "read_only", "enabled": True},
    ]
    assert "password_hash" not in response.content.decode()
    assert "X-Paging-Take" not in response  # the reference does not page users
    assert writer.get(response.wsgi_request.path, headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_create_user_validation_names_the_field(writer, database):
    before = row_json(database)
    response = writer.post(f"/v2/mysqldatabases/{database.name}/users", {"name": "Not Valid", "password": DB_PASSWORD})
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["validation_errors"]] == ["name"]
    assert row_json(database) == before


def test_create_user_answers_202_and_adds_a_read_only_user(writer, database, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.post(
            f"/v2/mysqldatabases/{database.name}/users", {"name": "report", "password": NEW_PASSWORD}
        )
    assert response.status_code == 202, response.content
    assert response.content == b""
    job = ProvisioningJob.objects.get(pk=JOB_LOCATION.match(response["Location"]).group(1))
    assert (job.action, job.status) == ("mysql.update", JobStatus.FINISHED)
    users = writer.get(f"/v2/mysqldatabases/{database.name}/users").json()
    assert {"name": f"pn{database.account_id}_report", "rights": "read_only", "enabled": True} in users
    database.refresh_from_db()
    assert NEW_PASSWORD not in row_json(database)
    assert (
        f"pn{database.account_id}_report:read_only:enabled"
        in (provisioning_root / "mysql" / database.name / "users").read_text()
    )


def test_create_user_with_a_weak_password_names_the_password(writer, database):
    response = writer.post(f"/v2/mysqldatabases/{database.name}/users", {"name": "report", "password": "weak"})
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["validation_errors"]} == {"password"}


def test_create_same_user_twice_is_a_duplicate(writer, database, run_jobs):
    body = {"name": "report", "password": NEW_PASSWORD}
    with run_jobs():
        assert writer.post(f"/v2/mysqldatabases/{database.name}/users", body).status_code == 202
    database.refresh_from_db()
    before = (row_json(database), ProvisioningJob.objects.count())
    response = writer.post(f"/v2/mysqldatabases/{database.name}/users", body)
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert response.json()["validation_errors"][0]["field"] == "name"
    assert (row_json(database), ProvisioningJob.objects.count()) == before


def test_disable_user_answers_204_and_records_the_job(writer, database, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.put(f"/v2/mysqldatabases/{database.name}/users/{database.name}/status", {"enabled": False})
    assert response.status_code == 204
    assert response.content == b""
    job = ProvisioningJob.objects.filter(action="mysql.update").get()
    assert (job.target_id, job.status) == (str(database.pk), JobStatus.FINISHED)
    assert writer.get(f"/v2/mysqldatabases/{database.name}/users").json()[0]["enabled"] is False
    assert (
        f"{database.name}:read_and_write:disabled"
        in (provisioning_root / "mysql" / database.name / "users").read_text()
    )


def test_user_status_needs_a_boolean(writer, database):
    response = writer.put(f"/v2/mysqldatabases/{database.name}/users/{database.name}/status", {"enabled": "maybe"})
    assert response.status_code == 400
    assert response.json()["validation_errors"][0]["field"] == "enabled"


def test_user_status_with_a_stale_if_match_is_412(writer, database):
    etag = writer.get(f"/v2/mysqldatabases/{database.name}/users")["ETag"]
    add_user_row(database, f"pn{database.account_id}_report")
    response = writer.put(
        f"/v2/mysqldatabases/{database.name}/users/{database.name}/status",
        {"enabled": False},
        headers={"If-Match": etag},
    )
    assert response.status_code == 412
    assert not ProvisioningJob.objects.filter(action="mysql.update").exists()


def test_change_user_password_stores_only_the_new_hash(writer, database):
    response = writer.put(
        f"/v2/mysqldatabases/{database.name}/users/{database.name}/password", {"password": NEW_PASSWORD}
    )
    assert response.status_code == 204
    database.refresh_from_db()
    assert database.details["users"][0]["password_hash"] == mysql_native_hash(NEW_PASSWORD)
    assert NEW_PASSWORD not in row_json(database)
    assert ProvisioningJob.objects.filter(action="mysql.update", target_id=str(database.pk)).exists()


def test_change_user_password_applies_the_password_rules(writer, database):
    before = row_json(database)
    response = writer.put(
        f"/v2/mysqldatabases/{database.name}/users/{database.name}/password", {"password": "has space 1"}
    )
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["validation_errors"]} == {"password"}
    assert "has space 1" not in response.content.decode()
    assert row_json(database) == before


@pytest.mark.parametrize("suffix", ["", "/status", "/password"])
def test_unknown_user_is_not_found(writer, database, suffix):
    body = {"": None, "/status": {"enabled": False}, "/password": {"password": NEW_PASSWORD}}[suffix]
    method = "DELETE" if suffix == "" else "PUT"
    before = row_json(database)
    response = writer.request(method, f"/v2/mysqldatabases/{database.name}/users/pn0_nobody{suffix}", body)
    assert response.status_code == 404
    assert row_json(database) == before
    assert not ProvisioningJob.objects.filter(action="mysql.update").exists()


def test_delete_read_only_user_answers_204_and_removes_it(writer, database, run_jobs):
    report = f"pn{database.account_id}_report"
    add_user_row(database, report)
    with run_jobs():
        response = writer.delete(f"/v2/mysqldatabases/{database.name}/users/{report}")
    assert response.status_code == 204
    assert [user["name"] for user in writer.get(f"/v2/mysqldatabases/{database.name}/users").json()] == [database.name]
    assert ProvisioningJob.objects.get(action="mysql.update").status == JobStatus.FINISHED


def test_deleting_the_read_and_write_user_is_refused(writer, database):
    # 400 as in the reference, whose only failure status for this operation it is (not 409: it never passes).
    response = writer.delete(f"/v2/mysqldatabases/{database.name}/users/{database.name}")
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"
    assert response.json()["validation_errors"][0]["field"] == "user_name"
    database.refresh_from_db()
    assert [user["name"] for user in database.details["users"]] == [database.name]


def test_database_write_is_queued_behind_the_unfinished_job(writer, account_a):
    writer.post("/v2/mysqldatabases", create_body(account_a))  # job left pending
    name = f"pn{account_a.pk}_shop"
    response = writer.put(f"/v2/mysqldatabases/{name}/users/{name}/status", {"enabled": False})
    assert response.status_code == 204, response.content
    assert ProvisioningJob.objects.filter(action="mysql.update", status=JobStatus.PENDING).count() == 1


def test_password_never_appears_in_any_response(writer, account_a, run_jobs):
    bodies = []
    with run_jobs():
        created = writer.post("/v2/mysqldatabases", create_body(account_a))
    name = f"pn{account_a.pk}_shop"
    bodies.append(created)
    bodies.append(writer.get(created["Location"]))
    bodies.append(writer.get("/v2/mysqldatabases"))
    bodies.append(writer.get(f"/v2/mysqldatabases/{name}"))
    bodies.append(writer.get(f"/v2/mysqldatabases/{name}/users"))
    bodies.append(writer.put(f"/v2/mysqldatabases/{name}/users/{name}/password", {"password": NEW_PASSWORD}))
    for response in bodies:
        text = response.content.decode() + " ".join(f"{k}: {v}" for k, v in response.items())
        assert DB_PASSWORD not in text and NEW_PASSWORD not in text
        assert mysql_native_hash(DB_PASSWORD) not in text
