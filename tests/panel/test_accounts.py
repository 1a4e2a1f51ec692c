"""Accounts in the panel: the list (filters, search, keyset paging), create, detail, suspend, plan, delete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Account, Status
from apps.accounts.services import create_account
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

from .conftest import messages_of

pytestmark = pytest.mark.django_db


def bulk_accounts(reseller, pack, count: int, prefix: str = "bulk") -> list[Account]:
    """Plain rows, no jobs: what paging and query counts are measured on."""
    start = timezone.now() - timedelta(days=1)
    accounts = Account.objects.bulk_create(
        Account(reseller=reseller, servicepack=pack, identifier=f"{prefix}{n:05d}.example", status=Status.ACTIVE)
        for n in range(count)
    )
    # Distinct, increasing creation times; some equal, to prove the id tie-break.
    for n, account in enumerate(accounts):
        Account.objects.filter(pk=account.pk).update(created_at=start + timedelta(seconds=n // 2))
    return accounts


# ---------------------------------------------------------------------------------------------------------------
# List


def test_list_shows_only_own_accounts(owner, account_a, account_b):
    response = owner.get("/accounts/")
    assert response.status_code == 200
    assert b"alpha-shop.example" in response.content
    assert b"bravo-shop.example" not in response.content


def test_list_filters_by_status_search_servicepack_and_asset_type(owner, tenant_a, servicepack, big_servicepack):
    bulk_accounts(tenant_a["reseller"], servicepack, 3, prefix="shop")
    Account.objects.create(
        reseller=tenant_a["reseller"], servicepack=big_servicepack, identifier="blog.example", status=Status.SUSPENDED
    )
    assert b"blog.example" in owner.get("/accounts/?status=suspended").content
    assert b"shop00000" not in owner.get("/accounts/?status=suspended").content
    searched = owner.get("/accounts/?q=shop00001").content
    assert b"shop00001.example" in searched and b"shop00002.example" not in searched
    by_pack = owner.get(f"/accounts/?servicepack_id={big_servicepack.pk}").content
    assert b"blog.example" in by_pack and b"shop00000" not in by_pack
    assert b"No accounts match" in owner.get(f"/accounts/?asset_type={AssetType.MYSQL}").content


def test_invalid_filter_is_reported_not_ignored(owner, account_a):
    response = owner.get("/accounts/?status=bogus")
    assert response.status_code == 200
    assert b"Some filters are not valid" in response.content
    assert b"alpha-shop.example" not in response.content


def test_empty_list_invites_a_writer_to_create_and_not_a_reader(owner, reader):
    assert b"Create the first account" in owner.get("/accounts/").content
    assert b"Create the first account" not in reader.get("/accounts/").content
    assert b'href="/accounts/new/"' not in reader.get("/accounts/").content


def test_keyset_paging_walks_every_account_once(owner, tenant_a, servicepack):
    accounts = bulk_accounts(tenant_a["reseller"], servicepack, 60)
    seen, url = [], "/accounts/"
    while url:
        response = owner.get(url)
        page = response.context["page"]
        assert page.total == 60
        seen += [account.pk for account in page.items]
        url = f"/accounts/?{page.next_query}" if page.next_query else None
    newest_first = Account.objects.filter(pk__in=[a.pk for a in accounts]).order_by("-created_at", "-pk")
    assert seen == list(newest_first.values_list("pk", flat=True))


def test_count_stops_at_the_limit(owner, tenant_a, servicepack, monkeypatch):
    monkeypatch.setattr("apps.panel.panel.COUNT_LIMIT", 20)
    bulk_accounts(tenant_a["reseller"], servicepack, 21)
    assert b'<span class="count">20+</span>' in owner.get("/accounts/").content
    Account.objects.filter(identifier="bulk00000.example").delete()
    assert b'<span class="count">20</span>' in owner.get("/accounts/").content


def test_previous_page_returns_what_came_before(owner, tenant_a, servicepack):
    bulk_accounts(tenant_a["reseller"], servicepack, 30)
    first = owner.get("/accounts/").context["page"]
    second = owner.get(f"/accounts/?{first.next_query}").context["page"]
    assert len(second.items) == 5 and second.next_query is None
    back = owner.get(f"/accounts/?{second.previous_query}").context["page"]
    assert [a.pk for a in back.items] == [a.pk for a in first.items]
    assert back.previous_query is None


def test_paging_keeps_the_filters(owner, tenant_a, servicepack):
    bulk_accounts(tenant_a["reseller"], servicepack, 30)
    page = owner.get("/accounts/?status=active&q=bulk").context["page"]
    assert "status=active" in page.next_query and "q=bulk" in page.next_query


def test_garbage_cursor_shows_the_first_page(owner, tenant_a, servicepack):
    bulk_accounts(tenant_a["reseller"], servicepack, 3)
    response = owner.get("/accounts/?after=not-a-cursor!")
    assert response.status_code == 200
    assert len(response.context["page"].items) == 3


def test_list_costs_the_same_queries_for_10_or_200_accounts(
    owner, tenant_a, servicepack, django_assert_max_num_queries
):
    bulk_accounts(tenant_a["reseller"], servicepack, 10, prefix="few")
    owner.get("/accounts/")  # settle the session
    with CaptureQueriesContext(connection) as few:
        owner.get("/accounts/")
    bulk_accounts(tenant_a["reseller"], servicepack, 190, prefix="many")
    with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as many:
        response = owner.get("/accounts/?status=active")
    assert len(many) == len(few)
    cursor = response.context["page"].next_query
    with CaptureQueriesContext(connection) as deep:
        owner.get(f"/accounts/?{cursor}")
    assert len(deep) == len(many)
    assert not any("OFFSET" in query["sql"].upper() for query in deep.captured_queries)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_page_query_walks_the_reseller_created_index_without_sorting(owner, tenant_a, servicepack):
    bulk_accounts(tenant_a["reseller"], servicepack, 30)
    cursor = owner.get("/accounts/").context["page"].next_query
    with CaptureQueriesContext(connection) as queries:
        owner.get(f"/accounts/?{cursor}")
    page_sql = next(q["sql"] for q in queries.captured_queries if "LIMIT 26" in q["sql"])
    with connection.cursor() as db:
        db.execute(f"EXPLAIN QUERY PLAN {page_sql}")
        plan = " ".join(str(row) for row in db.fetchall())
    assert "account_reseller_created" in plan
    assert "TEMP B-TREE" not in plan


# ---------------------------------------------------------------------------------------------------------------
# Create


def test_writer_creates_an_account_and_its_job_runs(writer, servicepack, run_jobs, tenant_a):
    with run_jobs():
        response = writer.post(
            "/accounts/new/", {"identifier": "New-Shop.Example", "servicepack_id": servicepack.pk, "ftp_password": ""}
        )
    account = Account.objects.get(identifier="new-shop.example")
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account.pk}/"
    account.refresh_from_db()
    assert account.reseller == tenant_a["reseller"] and account.status == Status.ACTIVE
    job = ProvisioningJob.objects.get(action="account.create", target_id=str(account.pk))
    assert job.status == JobStatus.FINISHED
    page = writer.get(response["Location"])
    assert "Account new-shop.example is being created." in messages_of(page)
    assert b"account.create" in page.content


def test_create_form_shows_field_errors_from_the_service(owner, servicepack):
    response = owner.post("/accounts/new/", {"identifier": "not a domain", "servicepack_id": servicepack.pk})
    assert response.status_code == 200
    form = response.context["form"]
    assert "identifier" in form.errors
    html = response.content.decode()
    assert 'id="id_identifier_error"' in html and 'aria-invalid="true"' in html
    assert not Account.objects.exists()


def test_duplicate_domain_is_a_field_error(owner, account_b, servicepack):
    response = owner.post("/accounts/new/", {"identifier": "bravo-shop.example", "servicepack_id": servicepack.pk})
    assert "already exists" in response.context["form"].errors["identifier"][0]


def test_weak_ftp_password_is_a_field_error(owner, servicepack):
    response = owner.post(
        "/accounts/new/", {"identifier": "x.example", "servicepack_id": servicepack.pk, "ftp_password": "short"}
    )
    assert response.context["form"].errors["ftp_password"]
    assert not Account.objects.exists()


def test_create_form_offers_only_usable_servicepacks(owner, servicepack, tenant_b):
    hidden = ServicePack.objects.create(name="Bravo only", is_restricted=True)
    hidden.allowed_resellers.add(tenant_b["reseller"])
    inactive = ServicePack.objects.create(name="Retired", is_active=False)
    response = owner.get("/accounts/new/")
    assert b"Starter" in response.content
    assert b"Bravo only" not in response.content and b"Retired" not in response.content
    for pack in (hidden, inactive):
        response = owner.post("/accounts/new/", {"identifier": "x.example", "servicepack_id": pack.pk})
        assert "servicepack_id" in response.context["form"].errors
    assert not Account.objects.exists()


def test_missing_fields_are_required(owner, servicepack):
    response = owner.post("/accounts/new/", {})
    errors = response.context["form"].errors
    assert "identifier" in errors and "servicepack_id" in errors


# ---------------------------------------------------------------------------------------------------------------
# Detail


def test_detail_shows_assets_quota_bars_and_jobs(reader, account_a):
    response = reader.get(f"/accounts/{account_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "alpha-shop.example" in html and "Linux hosting" in html
    quota = {
        row["asset_type"]: (row["count"], row["max_count"])
        for row in (
            {"asset_type": r["item"].asset_type, "count": r["count"], "max_count": r["max_count"]}
            for r in response.context["quota"]
        )
    }
    assert quota == {"linux_hosting": (1, 1), "mysql": (0, 2), "mailbox": (0, 3)}
    assert "1 of 1" in html and "0 of 2" in html
    assert "account.create" in html
    # A reader sees no write buttons.
    for action in ("Suspend", "Delete", "Change servicepack", "Add asset"):
        assert f">{action}<" not in html


def test_writer_sees_the_actions(writer, account_a):
    html = writer.get(f"/accounts/{account_a.pk}/").content.decode()
    for action in ("Suspend", "Delete", "Change servicepack", "Add asset"):
        assert f">{action}<" in html


def test_account_being_provisioned_refreshes_itself(owner, full_a, servicepack):
    account, _ = create_account(principal=full_a, identifier="slow.example", servicepack=servicepack)
    html = owner.get(f"/accounts/{account.pk}/").content.decode()
    assert 'data-refresh-seconds="3"' in html and "Refresh now" in html


def test_detail_query_count_is_bounded(owner, account_a, django_assert_max_num_queries):
    owner.get("/")
    with django_assert_max_num_queries(10):
        assert owner.get(f"/accounts/{account_a.pk}/").status_code == 200


def test_unknown_account_is_not_found(owner, db):
    assert owner.get("/accounts/999999/").status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# Suspend, unsuspend, change servicepack, delete


def test_suspend_and_unsuspend(writer, account_a, run_jobs):
    with run_jobs():
        response = writer.post(f"/accounts/{account_a.pk}/suspend/")
    assert response["Location"] == f"/accounts/{account_a.pk}/"
    account_a.refresh_from_db()
    assert account_a.status == Status.SUSPENDED
    assert b"Unsuspend" in writer.get(f"/accounts/{account_a.pk}/").content
    with run_jobs():
        writer.post(f"/accounts/{account_a.pk}/unsuspend/")
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE


def test_refused_state_change_is_a_message(writer, account_a):
    response = writer.post(f"/accounts/{account_a.pk}/unsuspend/", follow=True)
    assert any("this needs it to be suspended" in message for message in messages_of(response))
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE


def test_suspend_is_post_only(writer, account_a):
    assert writer.get(f"/accounts/{account_a.pk}/suspend/").status_code == 405


def test_change_servicepack(writer, account_a, big_servicepack, run_jobs):
    assert writer.get(f"/accounts/{account_a.pk}/servicepack/").status_code == 200
    with run_jobs():
        response = writer.post(
            f"/accounts/{account_a.pk}/servicepack/", {"servicepack_id": big_servicepack.pk, "asset_sizes": "keep"}
        )
    assert response.status_code == 302
    account_a.refresh_from_db()
    assert account_a.servicepack == big_servicepack


def test_change_to_a_pack_that_does_not_fit_is_a_field_error(writer, account_a):
    tiny = ServicePack.objects.create(name="Mail only")
    ServicePackItem.objects.create(servicepack=tiny, asset_type=AssetType.MAILBOX, max_count=1, max_size_mb=10)
    response = writer.post(f"/accounts/{account_a.pk}/servicepack/", {"servicepack_id": tiny.pk, "asset_sizes": "keep"})
    assert response.status_code == 200
    assert "allows 0 Linux hosting assets" in response.context["form"].errors["servicepack_id"][0]
    account_a.refresh_from_db()
    assert account_a.servicepack.name == "Starter"


def test_delete_asks_for_confirmation_then_deletes(writer, account_a, run_jobs):
    response = writer.get(f"/accounts/{account_a.pk}/delete/")
    assert response.status_code == 200
    assert b"cannot be undone" in response.content and b"alpha-shop.example" in response.content
    assert Account.objects.filter(pk=account_a.pk).exists()
    with run_jobs():
        response = writer.post(f"/accounts/{account_a.pk}/delete/")
    assert response["Location"] == "/accounts/"
    assert not Account.objects.filter(pk=account_a.pk).exists()


def test_deleting_twice_is_refused_with_a_message(writer, full_a, account_a):
    from apps.accounts.services import delete_account

    delete_account(principal=full_a, account_id=account_a.pk)  # job not run: still deleting
    response = writer.post(f"/accounts/{account_a.pk}/delete/", follow=True)
    assert any("already being deleted" in message for message in messages_of(response))
