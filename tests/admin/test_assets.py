"""Assets in the operator admin: created, resized, re-passworded and deleted through the asset services; details
shown without password hashes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.accounts.models import Status
from apps.assets.models import Asset
from apps.assets.services import create_asset
from apps.core.models import AuditEvent
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType
from tests.admin.conftest import form_data, form_errors, messages_of

ADD_URL = reverse("admin:assets_asset_add")


def change_url(asset) -> str:
    return reverse("admin:assets_asset_change", args=[asset.pk])


@pytest.fixture
def mailbox(account_a, full_a, django_capture_on_commit_callbacks) -> Asset:
    with django_capture_on_commit_callbacks(execute=True):
        asset, _ = create_asset(
            principal=full_a,
            account_id=account_a.pk,
            asset_type=AssetType.MAILBOX,
            fields={"email_address": "info@alpha-shop.example"},
            password="Mailpass1",
            max_size=1000,
        )
    asset.refresh_from_db()
    return asset


def add(op_client, account, asset_type, name="", password="", max_size=""):
    data = {"account": account.pk, "asset_type": asset_type, "name": name, "password": password, "max_size": max_size}
    return op_client.post(ADD_URL, data)


def test_add_mailbox_goes_through_the_service(op_client, operator, account_a):
    response = add(op_client, account_a, AssetType.MAILBOX, name="Sales@alpha-shop.example", password="Mailpass1")

    assert response.status_code == 302
    asset = Asset.objects.get(asset_type=AssetType.MAILBOX)
    assert (asset.name, asset.max_size, asset.reseller) == ("sales@alpha-shop.example", 2048, account_a.reseller)
    assert asset.details["password_hash"].startswith("$6$")
    event = AuditEvent.objects.get(action="mailbox.create")
    assert (event.via, event.actor_user, event.reseller) == ("admin", operator, account_a.reseller)
    job = ProvisioningJob.objects.get(action="mailbox.create")
    assert job.status == JobStatus.PENDING
    assert any(str(job.pk) in t for t in messages_of(response))


def test_add_mysql_database_takes_the_name_as_database_name(op_client, account_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = add(op_client, account_a, AssetType.MYSQL, name="shop", password="Dbpass123", max_size="100")

    assert response.status_code == 302
    asset = Asset.objects.get(asset_type=AssetType.MYSQL)
    assert (asset.name, asset.max_size, asset.details["database_name"]) == (f"pn{account_a.pk}_shop", 100, "shop")
    assert asset.status == Status.ACTIVE


def test_add_beyond_the_servicepack_count_is_a_quota_error_and_adds_nothing(op_client, account_a):
    events = AuditEvent.objects.count()

    response = add(op_client, account_a, AssetType.LINUX_HOSTING, name="www.alpha-shop.example")

    assert response.status_code == 200
    assert "allows 1 Linux hosting asset;" in form_errors(response)["__all__"][0]
    assert Asset.objects.count() == 1
    assert AuditEvent.objects.count() == events
    assert ProvisioningJob.objects.filter(action="linux_hosting.create").count() == 0


def test_add_larger_than_the_servicepack_allows_is_a_max_size_error(op_client, account_a):
    response = add(
        op_client, account_a, AssetType.MAILBOX, name="a@alpha-shop.example", password="Mailpass1", max_size="99999"
    )

    assert response.status_code == 200
    assert "at most 2048 MB" in form_errors(response)["max_size"][0]
    assert not Asset.objects.filter(asset_type=AssetType.MAILBOX).exists()


def test_add_mailbox_on_another_domain_is_a_name_error(op_client, account_a):
    response = add(op_client, account_a, AssetType.MAILBOX, name="info@elsewhere.example", password="Mailpass1")

    assert response.status_code == 200
    assert "account's domain" in form_errors(response)["name"][0]


def test_add_with_a_weak_password_is_a_password_error(op_client, account_a):
    response = add(op_client, account_a, AssetType.MYSQL, name="shop", password="weak")

    assert response.status_code == 200
    assert form_errors(response)["password"]
    assert not Asset.objects.filter(asset_type=AssetType.MYSQL).exists()


def test_change_page_shows_details_without_hashes(op_client, account_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        add(op_client, account_a, AssetType.MYSQL, name="shop", password="Dbpass123")
    database = Asset.objects.get(asset_type=AssetType.MYSQL)
    hosting = Asset.objects.get(asset_type=AssetType.LINUX_HOSTING)

    for asset, secret_key in ((database, "password_hash"), (hosting, "ftp_password_hash")):
        body = op_client.get(change_url(asset)).content.decode()
        assert secret_key not in body
        assert "$6$" not in body
        for value in (asset.details.get(secret_key), *(u["password_hash"] for u in asset.details.get("users", []))):
            assert not value or value not in body
    assert "&quot;database_name&quot;: &quot;shop&quot;" in op_client.get(change_url(database)).content.decode()


def test_resize_goes_through_the_service(op_client, mailbox):
    page = op_client.get(change_url(mailbox))
    response = op_client.post(change_url(mailbox), form_data(page, max_size="1500"))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.max_size == 1500
    event = AuditEvent.objects.get(action="mailbox.resize")
    assert (event.via, event.changes) == ("admin", {"max_size": [1000, 1500]})
    job = ProvisioningJob.objects.get(action="mailbox.update")
    assert any(str(job.pk) in t for t in messages_of(response))


def test_resize_beyond_the_pack_is_a_max_size_error(op_client, mailbox):
    page = op_client.get(change_url(mailbox))
    response = op_client.post(change_url(mailbox), form_data(page, max_size="5000"))

    assert response.status_code == 200
    assert "at most 2048 MB" in form_errors(response)["max_size"][0]
    mailbox.refresh_from_db()
    assert mailbox.max_size == 1000
    assert not AuditEvent.objects.filter(action="mailbox.resize").exists()


def test_password_change_goes_through_the_service(op_client, mailbox):
    old_hash = mailbox.details["password_hash"]
    page = op_client.get(change_url(mailbox))
    response = op_client.post(change_url(mailbox), form_data(page, password="Newpass123"))

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.details["password_hash"] != old_hash
    assert AuditEvent.objects.get(action="mailbox.change_password").changes == {"password": "changed"}
    assert not AuditEvent.objects.filter(action="mailbox.resize").exists()


def test_size_and_password_together_are_refused_and_change_nothing(op_client, mailbox):
    old_hash = mailbox.details["password_hash"]
    page = op_client.get(change_url(mailbox))
    response = op_client.post(change_url(mailbox), form_data(page, max_size="1500", password="Newpass123"))

    assert response.status_code == 200
    assert "two saves" in form_errors(response)["__all__"][0]
    mailbox.refresh_from_db()
    assert (mailbox.max_size, mailbox.details["password_hash"]) == (1000, old_hash)


def test_save_without_changes_calls_no_service(op_client, mailbox):
    events = AuditEvent.objects.count()
    page = op_client.get(change_url(mailbox))

    assert op_client.post(change_url(mailbox), form_data(page)).status_code == 302
    assert AuditEvent.objects.count() == events


def test_delete_goes_through_the_service(op_client, mailbox, django_capture_on_commit_callbacks):
    url = reverse("admin:assets_asset_delete", args=[mailbox.pk])
    assert op_client.get(url).status_code == 200

    response = op_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.status == Status.DELETING
    assert AuditEvent.objects.get(action="mailbox.delete").via == "admin"
    job = ProvisioningJob.objects.get(action="mailbox.delete")
    assert any(str(job.pk) in t for t in messages_of(response))


def test_delete_job_removes_the_asset(op_client, mailbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        op_client.post(reverse("admin:assets_asset_delete", args=[mailbox.pk]), {"post": "yes"})

    assert not Asset.objects.filter(pk=mailbox.pk).exists()


def test_list_shows_reseller_and_usage(op_client, mailbox):
    Asset.objects.filter(pk=mailbox.pk).update(actual_size=250)

    body = op_client.get(reverse("admin:assets_asset_changelist")).content.decode()

    assert "250 / 1000 MB (25%)" in body
    assert "Alpha" in body
    filtered = op_client.get(reverse("admin:assets_asset_changelist"), {"account__id__exact": mailbox.account_id})
    assert {a.account_id for a in filtered.context["cl"].result_list} == {mailbox.account_id}
