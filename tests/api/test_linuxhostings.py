"""`/v2/linuxhostings` and its PHP settings, through HMAC-signed requests: the reference's shapes (filled only with
what Paneel truly has), 204 for the PHP version change, paging, tenancy, levels and ETags."""

from __future__ import annotations

import pytest

from apps.accounts.models import Account, Status
from apps.assets.kinds import PHP_VERSIONS
from apps.assets.models import Asset
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api.conftest import add_asset_rows, row_json

HOSTING = "alpha-shop.example"
LIST_QUERIES = 5  # authentication (key, whitelist, last_used_at) 3 + count 1 + page 1


@pytest.fixture
def hosting(account_a) -> Asset:
    """The Linux hosting created with account A (servicepack item `created_with_account`)."""
    return Asset.objects.get(account=account_a, asset_type="linux_hosting")


def make_hostings(reseller_account: Account, count: int) -> list[Account]:
    """Accounts with a hosting each, written directly (list set-up)."""
    accounts = Account.objects.bulk_create(
        Account(
            reseller_id=reseller_account.reseller_id,
            servicepack_id=reseller_account.servicepack_id,
            identifier=f"site{index:03d}.{reseller_account.identifier}",
            status=Status.ACTIVE,
        )
        for index in range(count)
    )
    details = {"php_version": "8.3", "ftp_password_hash": ""}
    add_asset_rows(
        "linux_hosting", [(site, site.identifier, {"domain_name": site.identifier, **details}) for site in accounts]
    )
    return accounts


# --- GET /v2/linuxhostings


def test_list_has_the_reference_fields_and_paging_headers(writer, account_a, hosting):
    response = writer.get("/v2/linuxhostings")
    assert response.status_code == 200
    assert response.json() == [
        {
            "domain_name": HOSTING,
            "servicepack_id": account_a.servicepack_id,
            "account_id": account_a.pk,
            "status": "active",
        }
    ]
    assert (response["X-Paging-Skipped"], response["X-Paging-Take"], response["X-Paging-TotalResults"]) == (
        "0",
        "1",
        "1",
    )


def test_list_shows_only_the_resellers_own_hostings(writer, other, account_a, account_b):
    assert [item["domain_name"] for item in writer.get("/v2/linuxhostings").json()] == [HOSTING]
    assert [item["domain_name"] for item in other.get("/v2/linuxhostings").json()] == ["bravo-shop.example"]


def test_list_pages_and_clamps_take(writer, account_a):
    make_hostings(account_a, 104)
    page = writer.get("/v2/linuxhostings?skip=1&take=2")
    assert [item["domain_name"] for item in page.json()] == [f"site000.{HOSTING}", f"site001.{HOSTING}"]
    assert 'rel="prev"' in page["Link"] and 'rel="next"' in page["Link"]
    clamped = writer.get("/v2/linuxhostings?take=101")
    assert len(clamped.json()) == 100
    assert (clamped["X-Paging-Take"], clamped["X-Paging-TotalResults"]) == ("100", "105")


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(writer, account_a, account_b, take, django_assert_max_num_queries):
    make_hostings(account_a, 100)
    make_hostings(account_b, 5)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = writer.get(f"/v2/linuxhostings?take={take}")
    assert len(response.json()) == take
    assert {item["servicepack_id"] for item in response.json()} == {account_a.servicepack_id}


# --- GET /v2/linuxhostings/{domain_name}


def test_detail_has_what_paneel_knows(writer, account_a, hosting, run_jobs):
    with run_jobs():
        created = writer.post(
            "/v2/mysqldatabases", {"database_name": "shop", "account_id": account_a.pk, "password": "Dbsecret12"}
        )
    assert created.status_code == 202
    Asset.objects.filter(pk=hosting.pk).update(actual_size=3)
    response = writer.get(f"/v2/linuxhostings/{HOSTING}")
    assert response.status_code == 200
    assert response.json() == {
        "domain_name": HOSTING,
        "servicepack_id": account_a.servicepack_id,
        "account_id": account_a.pk,
        "status": "active",
        "max_webspace_size": 1024,
        "max_size": 1024,
        "webspace_usage": 3,
        "actual_size": 3,
        "ip": "",
        "ip_type": "shared",
        "ftp_enabled": True,
        "ftp_username": HOSTING,
        "ssh_host": HOSTING,  # no web server configured: the customers connect to their domain
        "ssh_username": f"w{account_a.pk}_alpha_shop_example",
        "php_version": "8.3",
        "sites": [
            {
                "name": HOSTING,
                "path": "/www",
                "host_headers": [{"name": f"www.{HOSTING}", "enabled": True}],
                "ssl_enabled": False,
                "https_redirect_enabled": False,
                "http2_enabled": True,
            }
        ],
        "mysql_database_names": [f"pn{account_a.pk}_shop"],
        "php_memory_limit": 128,
        "apcu_enabled": False,
        "apcu_size": 32,
        "gzip_enabled": True,
        "ssh_enabled": False,
    }
    assert "ftp_password_hash" not in response.content.decode() and "$6$" not in response.content.decode()


def test_hosting_without_an_ftp_password_has_ftp_disabled(writer, full_a, servicepack, run_jobs):
    from apps.accounts.services import create_account

    with run_jobs():
        create_account(principal=full_a, identifier="alpha-noftp.example", servicepack=servicepack)
    assert writer.get("/v2/linuxhostings/alpha-noftp.example").json()["ftp_enabled"] is False


def test_detail_has_an_etag_and_answers_304_when_unchanged(writer, hosting):
    etag = writer.get(f"/v2/linuxhostings/{HOSTING}")["ETag"]
    assert writer.get(f"/v2/linuxhostings/{HOSTING}", headers={"If-None-Match": etag}).status_code == 304
    assert writer.get(f"/v2/linuxhostings/{HOSTING.upper()}", headers={"If-None-Match": etag}).status_code == 304
    Asset.objects.filter(pk=hosting.pk).update(actual_size=5)
    assert writer.get(f"/v2/linuxhostings/{HOSTING}", headers={"If-None-Match": etag}).status_code == 200


def test_unknown_hosting_is_not_found(writer, db):
    response = writer.get("/v2/linuxhostings/nowhere.example")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Tenancy and levels


def test_another_resellers_hosting_is_not_found_on_every_route(other, hosting):
    before = row_json(hosting)
    jobs = ProvisioningJob.objects.count()
    for method, target, body in [
        ("GET", f"/v2/linuxhostings/{HOSTING}", None),
        ("GET", f"/v2/linuxhostings/{HOSTING}/phpsettings/availableversions", None),
        ("PUT", f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.4"}),
    ]:
        response = other.request(method, target, body)
        assert response.status_code == 404, (method, target)
        assert response.json()["code"] == "not_found"
    assert row_json(hosting) == before and ProvisioningJob.objects.count() == jobs


def test_read_key_cannot_change_the_php_version(reader, hosting):
    before = row_json(hosting)
    response = reader.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.4"})
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_level"
    assert row_json(hosting) == before
    assert reader.get(f"/v2/linuxhostings/{HOSTING}/phpsettings/availableversions").status_code == 200


# --- /phpsettings


def test_available_versions(writer, hosting):
    response = writer.get(f"/v2/linuxhostings/{HOSTING}/phpsettings/availableversions")
    assert response.status_code == 200
    assert response.json() == [{"version": version} for version in PHP_VERSIONS]
    assert "X-Paging-Take" not in response


def test_change_php_version_answers_204_and_rewrites_the_vhost(writer, hosting, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.4"})
    assert response.status_code == 204
    assert response.content == b""
    hosting.refresh_from_db()
    assert hosting.details["php_version"] == "8.4"
    job = ProvisioningJob.objects.get(action="linux_hosting.update")
    assert (job.target_id, job.status) == (str(hosting.pk), JobStatus.FINISHED)
    assert "php8.4-fpm.sock" in (provisioning_root / "vhosts" / f"{HOSTING}.conf").read_text()
    assert writer.get(f"/v2/linuxhostings/{HOSTING}").json()["php_version"] == "8.4"


def test_changes_while_the_update_job_is_pending_join_it(writer, hosting):
    """DESIGN 8: a change waits behind the pending job instead of answering 409; the job reads the details when
    it runs, so one job applies both."""
    assert writer.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.1"}).status_code == 204
    assert ProvisioningJob.objects.get(action="linux_hosting.update").status == JobStatus.PENDING
    again = writer.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.2"})
    assert again.status_code == 204
    assert ProvisioningJob.objects.filter(action="linux_hosting.update").count() == 1
    hosting.refresh_from_db()
    assert hosting.details["php_version"] == "8.2"


def test_a_change_after_the_job_was_claimed_gets_its_own_job(writer, hosting):
    assert writer.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.1"}).status_code == 204
    ProvisioningJob.objects.filter(action="linux_hosting.update").update(status=JobStatus.RUNNING)
    assert writer.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.2"}).status_code == 204
    assert ProvisioningJob.objects.filter(action="linux_hosting.update").count() == 2


@pytest.mark.parametrize("body", [{"version": "7.4"}, {"version": ""}, {}])
def test_change_php_version_validation_names_the_field(writer, hosting, body):
    before = row_json(hosting)
    response = writer.put(f"/v2/linuxhostings/{HOSTING}/phpsettings/version", body)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["validation_errors"]] == ["version"]
    assert row_json(hosting) == before
    assert not ProvisioningJob.objects.filter(action="linux_hosting.update").exists()


def test_change_php_version_with_a_stale_if_match_is_412(writer, hosting):
    etag = writer.get(f"/v2/linuxhostings/{HOSTING}")["ETag"]
    Asset.objects.filter(pk=hosting.pk).update(actual_size=8)
    response = writer.put(
        f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.4"}, headers={"If-Match": etag}
    )
    assert response.status_code == 412
    assert not ProvisioningJob.objects.filter(action="linux_hosting.update").exists()
    fresh = writer.get(f"/v2/linuxhostings/{HOSTING}")["ETag"]
    assert (
        writer.put(
            f"/v2/linuxhostings/{HOSTING}/phpsettings/version", {"version": "8.4"}, headers={"If-Match": fresh}
        ).status_code
        == 204
    )


def test_linux_hosting_routes_refuse_other_methods(writer, hosting):
    response = writer.post(f"/v2/linuxhostings/{HOSTING}", {})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
