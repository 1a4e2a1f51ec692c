"""Assets in the panel: what may be added and why not, create per kind, detail, resize, password, delete."""

from __future__ import annotations

import pytest

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.assets.services import create_asset
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

from .conftest import messages_of

pytestmark = pytest.mark.django_db

DB_PASSWORD = "Dbsecret12"


def add_mysql(principal, account, name="shop"):
    asset, _ = create_asset(
        principal=principal,
        account_id=account.pk,
        asset_type=AssetType.MYSQL,
        fields={"database_name": name},
        password=DB_PASSWORD,
    )
    return asset


def test_chooser_offers_what_the_pack_allows_and_says_why_not(writer, account_a):
    response = writer.get(f"/assets/new/{account_a.pk}/")
    html = response.content.decode()
    offers = {offer["asset_type"]: offer["reason"] for offer in response.context["offers"]}
    assert offers[AssetType.MYSQL] == "" and offers[AssetType.MAILBOX] == ""
    assert offers[AssetType.LINUX_HOSTING] == "All 1 that servicepack 'Starter' allows are in use."
    assert f'href="/assets/new/{account_a.pk}/mysql/"' in html
    assert f'href="/assets/new/{account_a.pk}/linux_hosting/"' not in html


def test_type_missing_from_the_pack_is_explained(writer, full_a, tenant_a):
    pack = ServicePack.objects.create(name="Web only")
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.LINUX_HOSTING, max_count=1, max_size_mb=10)
    account = Account.objects.create(
        reseller=tenant_a["reseller"], servicepack=pack, identifier="web.example", status=Status.ACTIVE
    )
    offers = {o["asset_type"]: o["reason"] for o in writer.get(f"/assets/new/{account.pk}/").context["offers"]}
    assert offers[AssetType.MYSQL] == "Servicepack 'Web only' does not include it."
    response = writer.post(f"/assets/new/{account.pk}/mysql/", {"database_name": "x", "password": DB_PASSWORD})
    assert response["Location"] == f"/assets/new/{account.pk}/"
    assert not Asset.objects.filter(account=account).exists()


def test_account_that_is_not_active_offers_nothing(writer, full_a, account_a, run_jobs):
    Account.objects.filter(pk=account_a.pk).update(status=Status.SUSPENDED)
    offers = writer.get(f"/assets/new/{account_a.pk}/").context["offers"]
    assert all("when it is active" in offer["reason"] or "in use" in offer["reason"] for offer in offers)


def test_add_a_mysql_database(writer, account_a, run_jobs):
    response = writer.get(f"/assets/new/{account_a.pk}/mysql/")
    html = response.content.decode()
    assert 'max="500"' in html and "At most 500 MB" in html
    with run_jobs():
        response = writer.post(
            f"/assets/new/{account_a.pk}/mysql/", {"database_name": "shop", "password": DB_PASSWORD, "max_size": 200}
        )
    assert response["Location"] == f"/accounts/{account_a.pk}/"
    asset = Asset.objects.get(account=account_a, asset_type=AssetType.MYSQL)
    assert asset.name == f"pn{account_a.pk}_shop" and asset.max_size == 200 and asset.status == Status.ACTIVE
    assert ProvisioningJob.objects.get(action="mysql.create", target_id=str(asset.pk)).status == JobStatus.FINISHED
    assert f"{asset} is being created." in messages_of(writer.get(response["Location"]))


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"database_name": "Bad-Name!", "password": DB_PASSWORD, "max_size": 10}, "database_name", "Use lowercase"),
        ({"database_name": "shop", "password": "short", "max_size": 10}, "password", "between 8 and 20"),
        ({"database_name": "shop", "password": DB_PASSWORD, "max_size": 501}, "max_size", "at most 500 MB"),
        ({"database_name": "shop", "password": DB_PASSWORD, "max_size": 0}, "max_size", "greater than or equal to 1"),
    ],
)
def test_mysql_errors_are_shown_on_their_field(writer, account_a, data, field, text):
    response = writer.post(f"/assets/new/{account_a.pk}/mysql/", data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert text in errors
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Asset.objects.filter(asset_type=AssetType.MYSQL).exists()


def test_quota_exceeded_is_a_form_error(writer, full_a, account_a):
    add_mysql(full_a, account_a, "one")
    add_mysql(full_a, account_a, "two")
    # The chooser no longer offers it, and a direct visit is sent back with the reason.
    response = writer.get(f"/assets/new/{account_a.pk}/mysql/")
    assert response["Location"] == f"/assets/new/{account_a.pk}/"
    response = writer.post(
        f"/assets/new/{account_a.pk}/mysql/", {"database_name": "three", "password": DB_PASSWORD, "max_size": 10}
    )
    assert response.status_code == 200
    assert "allows 2 MySQL database assets" in " ".join(response.context["form"].non_field_errors())
    assert Asset.objects.filter(asset_type=AssetType.MYSQL).count() == 2


def test_add_a_mailbox_on_the_accounts_domain_only(writer, account_a, run_jobs):
    response = writer.post(
        f"/assets/new/{account_a.pk}/mailbox/",
        {"email_address": "info@elsewhere.example", "password": DB_PASSWORD, "max_size": 100},
    )
    assert "on the account's domain" in response.context["form"].errors["email_address"][0]
    with run_jobs():
        response = writer.post(
            f"/assets/new/{account_a.pk}/mailbox/",
            {"email_address": "info@alpha-shop.example", "password": DB_PASSWORD, "max_size": 100},
        )
    assert response.status_code == 302
    assert Asset.objects.get(asset_type=AssetType.MAILBOX).name == "info@alpha-shop.example"


def test_unknown_asset_type_is_not_found(writer, account_a):
    assert writer.get(f"/assets/new/{account_a.pk}/dns/").status_code == 404


def test_asset_detail_shows_public_details_and_never_a_hash(reader, full_a, account_a):
    asset = add_mysql(full_a, account_a)
    html = reader.get(f"/assets/{asset.pk}/").content.decode()
    assert asset.name in html and "Database users" in html
    assert "password_hash" not in html and "*" + "A" * 3 not in html
    assert asset.details["users"][0]["password_hash"] not in html
    for action in ("Resize", "Change password", "Delete"):
        assert f">{action}<" not in html


def test_resize(writer, account_a, run_jobs):
    hosting = account_a.assets.get()
    response = writer.get(f"/assets/{hosting.pk}/resize/")
    assert 'max="1024"' in response.content.decode()
    with run_jobs():
        response = writer.post(f"/assets/{hosting.pk}/resize/", {"max_size": 512})
    assert response["Location"] == f"/assets/{hosting.pk}/"
    hosting.refresh_from_db()
    assert hosting.max_size == 512


def test_resize_beyond_the_pack_is_a_field_error(writer, account_a):
    hosting = account_a.assets.get()
    response = writer.post(f"/assets/{hosting.pk}/resize/", {"max_size": 4096})
    assert "at most 1024 MB" in response.context["form"].errors["max_size"][0]
    hosting.refresh_from_db()
    assert hosting.max_size == 1024


def test_change_ftp_password(writer, account_a, run_jobs):
    hosting = account_a.assets.get()
    old_hash = hosting.details["ftp_password_hash"]
    with run_jobs():
        response = writer.post(
            f"/assets/{hosting.pk}/password/", {"password": "Newsecret34", "password_again": "Newsecret34"}
        )
    assert response["Location"] == f"/assets/{hosting.pk}/"
    hosting.refresh_from_db()
    assert hosting.details["ftp_password_hash"] != old_hash


def test_password_errors(writer, account_a):
    hosting = account_a.assets.get()
    response = writer.post(
        f"/assets/{hosting.pk}/password/", {"password": "Newsecret34", "password_again": "other1234"}
    )
    assert response.context["form"].errors["password_again"] == ["The two passwords differ."]
    # The service names the kind's own field (ftp_password); the form shows it on its password field.
    response = writer.post(f"/assets/{hosting.pk}/password/", {"password": "nodigits", "password_again": "nodigits"})
    assert "at least one digit" in response.context["form"].errors["password"][0]


def test_delete_asset_with_confirmation(writer, full_a, account_a, run_jobs):
    with run_jobs():
        asset = add_mysql(full_a, account_a)
    response = writer.get(f"/assets/{asset.pk}/delete/")
    assert b"cannot be undone" in response.content
    with run_jobs():
        response = writer.post(f"/assets/{asset.pk}/delete/")
    assert response["Location"] == f"/accounts/{account_a.pk}/"
    assert not Asset.objects.filter(pk=asset.pk).exists()


def test_refused_delete_is_a_message(writer, full_a, account_a):
    asset = add_mysql(full_a, account_a)  # its create job has not run: the delete is queued behind it
    writer.post(f"/assets/{asset.pk}/delete/", follow=True)
    response = writer.post(f"/assets/{asset.pk}/delete/", follow=True)  # a second delete is refused
    assert any("is being deleted" in message for message in messages_of(response))
    assert Asset.objects.filter(pk=asset.pk).exists()
