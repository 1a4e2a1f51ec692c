"""The dashboard and the servicepack page."""

from __future__ import annotations

import pytest

from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

pytestmark = pytest.mark.django_db


def test_dashboard_counts_quota_jobs_and_activity(reader, account_a, account_b):
    response = reader.get("/")
    assert response.status_code == 200
    context = response.context
    assert context["account_total"] == 1
    assert ("Active", "active", 1) in context["accounts_by_status"]
    assert context["asset_total"] == 1
    hosting = next(row for row in context["quota"] if row["asset_type"] == AssetType.LINUX_HOSTING)
    assert (hosting["count"], hosting["slots"]) == (1, 1)
    mysql = next(row for row in context["quota"] if row["asset_type"] == AssetType.MYSQL)
    assert (mysql["count"], mysql["slots"]) == (0, 2)
    assert [job.action for job in context["recent_jobs"]] == ["dns_zone.sync", "account.create"]  # zone: apps.dns
    assert [event.action for event in context["recent_events"]] == ["account.create"]
    assert b"bravo-shop.example" not in response.content


def test_dashboard_hides_write_buttons_from_readers(reader, writer, account_a):
    assert b"New account" not in reader.get("/").content
    assert b"New account" in writer.get("/").content


def test_nav_shows_api_access_to_full_members_only(owner, writer):
    assert b"API keys" in owner.get("/").content
    assert b"API keys" not in writer.get("/").content


def test_empty_dashboard_has_empty_states(owner, tenant_a):
    html = owner.get("/").content.decode()
    assert "No accounts yet" in html and "No jobs yet" in html


def test_dashboard_queries_do_not_grow_with_data(owner, full_a, servicepack, django_assert_max_num_queries, run_jobs):
    from apps.accounts.services import create_account

    with run_jobs():
        for n in range(5):
            create_account(principal=full_a, identifier=f"d{n}.example", servicepack=servicepack)
    owner.get("/")
    with django_assert_max_num_queries(11):
        assert owner.get("/").status_code == 200


def test_servicepacks_show_what_each_pack_holds(reader, servicepack, account_a, tenant_b):
    restricted = ServicePack.objects.create(name="Bravo special", is_restricted=True)
    restricted.allowed_resellers.add(tenant_b["reseller"])
    ServicePackItem.objects.create(servicepack=restricted, asset_type=AssetType.MYSQL, max_count=9, max_size_mb=9)
    response = reader.get("/servicepacks/")
    html = response.content.decode()
    assert "Starter" in html and "Bravo special" not in html
    assert "up to 2" in html and "500 MB" in html and "included" in html
    assert "1 account" in html


def test_servicepack_page_query_count(reader, servicepack, big_servicepack, django_assert_max_num_queries):
    reader.get("/")
    with django_assert_max_num_queries(8):
        assert reader.get("/servicepacks/").status_code == 200
