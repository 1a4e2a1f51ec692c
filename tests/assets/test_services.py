"""Asset services: quotas (count and size), resize, passwords and hashes, names, duplicates, database users.

Levels and the audit fields common to every write are proven in tests/core/test_principal.py; the concurrent
quota check in tests/integration/test_quota_concurrency.py.
"""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from apps.accounts.models import Account, Status
from apps.accounts.services import create_account
from apps.assets.hosting_services import set_php_version
from apps.assets.models import Asset
from apps.assets.passwords import mysql_native_hash, verify_sha512_crypt
from apps.assets.services import (
    add_database_user,
    change_asset_password,
    create_asset,
    delete_asset,
    delete_database_user,
    resize_asset,
    set_database_user_status,
)
from apps.core.errors import (
    Duplicate,
    InvalidState,
    NotFound,
    QuotaExceeded,
    SizeExceedsServicepack,
    ValidationFailed,
)
from apps.core.models import AuditEvent
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.runner import run_job
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

DB_PASSWORD = "Dbsecret12"
NEW_PASSWORD = "Newsecret34"


def counts() -> tuple[int, int, int]:
    return (Asset.objects.count(), ProvisioningJob.objects.count(), AuditEvent.objects.count())


def row_json(asset: Asset) -> str:
    """Everything stored in an asset's row, as text."""
    return json.dumps(Asset.objects.filter(pk=asset.pk).values().get(), cls=DjangoJSONEncoder)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def mysql(principal, account, database_name="shop", password=DB_PASSWORD, **kwargs):
    return create_asset(
        principal=principal,
        account_id=account.pk,
        asset_type="mysql",
        fields={"database_name": database_name},
        password=password,
        **kwargs,
    )


def mailbox(principal, account, address, password=DB_PASSWORD, **kwargs):
    return create_asset(
        principal=principal,
        account_id=account.pk,
        asset_type="mailbox",
        fields={"email_address": address},
        password=password,
        **kwargs,
    )


@pytest.fixture
def active_mysql(write_a, account_a, run_jobs) -> Asset:
    with run_jobs():
        asset, _ = mysql(write_a, account_a)
    asset.refresh_from_db()
    assert asset.status == Status.ACTIVE
    return asset


# ---------------------------------------------------------------------------------------------------------------
# create_asset: count quota


def test_create_asset_records_a_provisioning_asset_and_its_job(write_a, account_a):
    asset, job = mysql(write_a, account_a, max_size=200)
    asset.refresh_from_db()
    assert (asset.asset_type, asset.status, asset.max_size, asset.actual_size) == ("mysql", Status.PROVISIONING, 200, 0)
    assert asset.account == account_a
    assert asset.reseller_id == account_a.reseller_id
    assert (job.action, job.target_type, job.target_id, job.status) == (
        "mysql.create",
        "asset",
        str(asset.pk),
        JobStatus.PENDING,
    )
    assert AuditEvent.objects.get(action="mysql.create").changes == {"name": asset.name, "max_size": 200}


def test_third_mysql_database_exceeds_the_count_quota(write_a, account_a):
    mysql(write_a, account_a, "one")
    mysql(write_a, account_a, "two")
    before = counts()
    with pytest.raises(QuotaExceeded) as caught:
        mysql(write_a, account_a, "three")
    error = caught.value
    assert (error.code, error.status) == ("quota_exceeded", 409)
    assert error.detail == "Servicepack 'Starter' allows 2 MySQL database assets; account alpha-shop.example has 2."
    assert [(p.code, p.field) for p in error.problems] == [("quota_exceeded", None)]
    assert counts() == before
    assert account_a.assets.filter(asset_type="mysql").count() == 2
    assert not Asset.objects.filter(name__endswith="_three").exists()


def test_assets_being_deleted_still_count_against_the_quota(write_a, account_a):
    first, _ = mysql(write_a, account_a, "one")
    mysql(write_a, account_a, "two")
    Asset.objects.filter(pk=first.pk).update(status=Status.DELETING)
    with pytest.raises(QuotaExceeded):
        mysql(write_a, account_a, "three")


def test_quota_is_per_account(write_a, account_a, servicepack, run_jobs):
    mysql(write_a, account_a, "one")
    mysql(write_a, account_a, "two")
    with run_jobs():
        other, _ = create_account(principal=write_a, identifier="alpha-two.example", servicepack=servicepack)
    asset, _ = mysql(write_a, other, "one")
    assert asset.account_id == other.pk


def test_asset_type_not_in_the_pack_is_quota_exceeded(write_a, run_jobs):
    pack = ServicePack.objects.create(name="Web only")
    ServicePackItem.objects.create(
        servicepack=pack, asset_type=AssetType.LINUX_HOSTING, max_count=1, max_size_mb=100, created_with_account=True
    )
    with run_jobs():
        account, _ = create_account(principal=write_a, identifier="webonly.example", servicepack=pack)
    before = counts()
    with pytest.raises(QuotaExceeded) as caught:
        mailbox(write_a, account, "info@webonly.example")
    assert (caught.value.code, caught.value.status, caught.value.field) == ("quota_exceeded", 409, "asset_type")
    assert "allows 0 Mailbox assets" in caught.value.detail
    assert counts() == before


def test_unknown_asset_type_is_a_validation_error(write_a, account_a):
    with pytest.raises(ValidationFailed) as caught:
        create_asset(principal=write_a, account_id=account_a.pk, asset_type="dns", fields={})
    assert caught.value.field == "asset_type"


@pytest.mark.parametrize("status", [Status.PROVISIONING, Status.SUSPENDED, Status.DELETING, Status.FAILED])
def test_assets_are_added_only_to_active_accounts(write_a, account_a, status):
    Account.objects.filter(pk=account_a.pk).update(status=status)
    before = counts()
    with pytest.raises(InvalidState):
        mysql(write_a, account_a)
    assert counts() == before


# ---------------------------------------------------------------------------------------------------------------
# create_asset: size quota


def test_size_above_the_pack_limit_is_refused(write_a, account_a):
    before = counts()
    with pytest.raises(SizeExceedsServicepack) as caught:
        mysql(write_a, account_a, max_size=501)
    assert (caught.value.code, caught.value.status, caught.value.field) == ("size_exceeds_servicepack", 409, "max_size")
    assert counts() == before


def test_size_equal_to_the_pack_limit_is_accepted(write_a, account_a):
    asset, _ = mysql(write_a, account_a, max_size=500)
    assert Asset.objects.get(pk=asset.pk).max_size == 500


def test_size_defaults_to_the_pack_limit(write_a, account_a):
    asset, _ = mysql(write_a, account_a)
    assert Asset.objects.get(pk=asset.pk).max_size == 500


def test_size_given_as_text_is_accepted(write_a, account_a):
    asset, _ = mysql(write_a, account_a, max_size="250")
    assert Asset.objects.get(pk=asset.pk).max_size == 250


@pytest.mark.parametrize("size", [0, -5, "abc", 1.5, True, [100]])
def test_size_must_be_a_positive_whole_number(write_a, account_a, size):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        mysql(write_a, account_a, max_size=size)
    assert caught.value.field == "max_size"
    assert counts() == before


# ---------------------------------------------------------------------------------------------------------------
# resize_asset


def test_resize_within_the_pack_limit(write_a, active_mysql):
    asset, job = resize_asset(principal=write_a, asset_id=active_mysql.pk, max_size=300)
    assert Asset.objects.get(pk=active_mysql.pk).max_size == 300
    assert job.action == "mysql.update"
    assert AuditEvent.objects.get(action="mysql.resize").changes == {"max_size": [500, 300]}


def test_resize_above_the_pack_limit_is_refused(write_a, active_mysql):
    before = counts()
    with pytest.raises(SizeExceedsServicepack):
        resize_asset(principal=write_a, asset_id=active_mysql.pk, max_size=501)
    assert Asset.objects.get(pk=active_mysql.pk).max_size == 500
    assert counts() == before


def test_resize_below_what_the_asset_uses_is_refused(write_a, active_mysql):
    Asset.objects.filter(pk=active_mysql.pk).update(actual_size=120)
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        resize_asset(principal=write_a, asset_id=active_mysql.pk, max_size=119)
    assert caught.value.field == "max_size"
    assert "120 MB" in caught.value.detail
    assert Asset.objects.get(pk=active_mysql.pk).max_size == 500
    assert counts() == before


def test_resize_to_exactly_what_the_asset_uses_is_accepted(write_a, active_mysql):
    Asset.objects.filter(pk=active_mysql.pk).update(actual_size=120)
    resize_asset(principal=write_a, asset_id=active_mysql.pk, max_size=120)
    assert Asset.objects.get(pk=active_mysql.pk).max_size == 120


def test_resize_is_queued_behind_the_unfinished_job(write_a, account_a):
    asset, create = mysql(write_a, account_a)  # still provisioning, its create job pending
    _, resize = resize_asset(principal=write_a, asset_id=asset.pk, max_size=100)
    assert Asset.objects.get(pk=asset.pk).max_size == 100
    assert (create.status, resize.status, resize.target_id) == ("pending", "pending", str(asset.pk))


def test_resize_job_settles_the_asset_active(write_a, active_mysql, run_jobs):
    with run_jobs():
        _, job = resize_asset(principal=write_a, asset_id=active_mysql.pk, max_size=100)
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert Asset.objects.get(pk=active_mysql.pk).status == Status.ACTIVE


# ---------------------------------------------------------------------------------------------------------------
# Kinds at the service level: passwords, hashes, names, duplicates


def test_mysql_password_is_stored_only_as_its_native_hash(write_a, account_a):
    asset, _ = mysql(write_a, account_a)
    asset.refresh_from_db()
    assert asset.name == f"pn{account_a.pk}_shop"
    assert asset.details["database_name"] == "shop"
    [user] = asset.details["users"]
    assert user == {
        "name": asset.name,
        "rights": "read_and_write",
        "enabled": True,
        "password_hash": mysql_native_hash(DB_PASSWORD),
    }
    assert DB_PASSWORD not in row_json(asset)


def test_mailbox_password_is_stored_only_as_a_sha512_crypt_hash(write_a, account_a):
    asset, _ = mailbox(write_a, account_a, "Sales@Alpha-Shop.example")
    asset.refresh_from_db()
    assert asset.name == "sales@alpha-shop.example"
    assert asset.details["password_hash"].startswith("$6$")
    assert verify_sha512_crypt(DB_PASSWORD, asset.details["password_hash"])
    assert DB_PASSWORD not in row_json(asset)


@pytest.mark.parametrize(
    ("password", "rules"),
    [
        ("short1", 1),
        ("abcdefghij", 1),
        ("1234567890", 1),
        ("with space1", 1),
        ("Pa$$word12", 1),
        ("x", 2),
    ],
)
def test_mysql_password_rules_are_enforced_with_one_problem_per_rule(write_a, account_a, password, rules):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        mysql(write_a, account_a, password=password)
    assert [p.field for p in caught.value.problems] == ["password"] * rules
    assert counts() == before


def test_mysql_without_password_is_refused(write_a, account_a):
    with pytest.raises(ValidationFailed) as caught:
        mysql(write_a, account_a, password=None)
    assert caught.value.field == "password"
    assert not Asset.objects.filter(asset_type="mysql").exists()


def test_mailbox_password_rules_are_enforced(write_a, account_a):
    with pytest.raises(ValidationFailed) as caught:
        mailbox(write_a, account_a, "info@alpha-shop.example", password="nodigits")
    assert caught.value.field == "password"
    assert not Asset.objects.filter(asset_type="mailbox").exists()


def test_mysql_name_is_prefixed_and_lowercased(write_a, account_a):
    asset, _ = mysql(write_a, account_a, "Shop_2024")
    assert Asset.objects.get(pk=asset.pk).name == f"pn{account_a.pk}_shop_2024"


def test_mysql_name_length_limit_counts_the_prefix(write_a, account_a):
    room = 32 - len(f"pn{account_a.pk}_")
    asset, _ = mysql(write_a, account_a, "d" * room)
    assert len(Asset.objects.get(pk=asset.pk).name) == 32
    with pytest.raises(ValidationFailed) as caught:
        mysql(write_a, account_a, "e" * (room + 1))
    assert caught.value.field == "database_name"
    assert f"At most {room} characters" in caught.value.detail
    assert account_a.assets.filter(asset_type="mysql").count() == 1


@pytest.mark.parametrize("database_name", ["", "_shop", "shop-db", "shop db", "shöp", None])
def test_mysql_name_must_be_letters_digits_and_underscores(write_a, account_a, database_name):
    with pytest.raises(ValidationFailed) as caught:
        mysql(write_a, account_a, database_name)
    assert caught.value.field == "database_name"
    assert not Asset.objects.filter(asset_type="mysql").exists()


@pytest.mark.parametrize(
    "address", ["info@bravo-shop.example", "info@sub.alpha-shop.example", "info@alpha-shop.example.evil", "info"]
)
def test_mailbox_on_another_domain_is_refused(write_a, account_a, address):
    with pytest.raises(ValidationFailed) as caught:
        mailbox(write_a, account_a, address)
    assert caught.value.field == "email_address"
    assert not Asset.objects.filter(asset_type="mailbox").exists()


@pytest.mark.parametrize("local", [".info", "info.", "in fo", "in@fo", "x" * 65])
def test_mailbox_local_part_is_validated(write_a, account_a, local):
    with pytest.raises(ValidationFailed) as caught:
        mailbox(write_a, account_a, f"{local}@alpha-shop.example")
    assert caught.value.field == "email_address"


def test_same_mailbox_twice_is_duplicate(write_a, account_a):
    mailbox(write_a, account_a, "info@alpha-shop.example")
    before = counts()
    with pytest.raises(Duplicate) as caught:
        mailbox(write_a, account_a, "INFO@alpha-shop.example")
    assert (caught.value.code, caught.value.status, caught.value.field) == ("duplicate", 409, "email_address")
    assert counts() == before


def test_same_database_twice_is_duplicate(write_a, account_a):
    mysql(write_a, account_a, "shop")
    before = counts()
    with pytest.raises(Duplicate) as caught:
        mysql(write_a, account_a, "SHOP")
    assert (caught.value.status, caught.value.field) == (409, "database_name")
    assert counts() == before


def test_linux_hosting_for_a_subdomain_of_the_account(write_a, run_jobs):
    pack = ServicePack.objects.create(name="Two sites")
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.LINUX_HOSTING, max_count=2, max_size_mb=500)
    with run_jobs():
        account, _ = create_account(principal=write_a, identifier="sites.example", servicepack=pack)
    asset, _ = create_asset(
        principal=write_a,
        account_id=account.pk,
        asset_type="linux_hosting",
        fields={"domain_name": "Blog.Sites.example", "php_version": "8.2"},
        password=DB_PASSWORD,
    )
    asset.refresh_from_db()
    assert asset.name == "blog.sites.example"
    assert asset.details["php_version"] == "8.2"
    assert verify_sha512_crypt(DB_PASSWORD, asset.details["ftp_password_hash"])
    with pytest.raises(ValidationFailed) as caught:
        create_asset(
            principal=write_a,
            account_id=account.pk,
            asset_type="linux_hosting",
            fields={"domain_name": "other.example"},
        )
    assert caught.value.field == "domain_name"
    assert account.assets.count() == 1


# ---------------------------------------------------------------------------------------------------------------
# change_asset_password


def test_change_mysql_password_stores_the_new_hash_only(write_a, active_mysql):
    _, job = change_asset_password(principal=write_a, asset_id=active_mysql.pk, password=NEW_PASSWORD)
    asset = Asset.objects.get(pk=active_mysql.pk)
    assert asset.details["users"][0]["password_hash"] == mysql_native_hash(NEW_PASSWORD)
    assert NEW_PASSWORD not in row_json(asset)
    assert job.action == "mysql.update"
    changes = json.dumps(AuditEvent.objects.get(action="mysql.change_password").changes)
    assert NEW_PASSWORD not in changes and "*" not in changes


def test_change_ftp_password_rules_name_the_ftp_password_field(write_a, account_a):
    hosting = account_a.assets.get(asset_type="linux_hosting")
    old_hash = hosting.details["ftp_password_hash"]
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        change_asset_password(principal=write_a, asset_id=hosting.pk, password="bad")
    assert {p.field for p in caught.value.problems} == {"ftp_password"}
    assert Asset.objects.get(pk=hosting.pk).details["ftp_password_hash"] == old_hash
    assert counts() == before


def test_change_ftp_password_stores_a_sha512_crypt_hash(write_a, account_a):
    hosting = account_a.assets.get(asset_type="linux_hosting")
    change_asset_password(principal=write_a, asset_id=hosting.pk, password=NEW_PASSWORD)
    hosting.refresh_from_db()
    assert verify_sha512_crypt(NEW_PASSWORD, hosting.details["ftp_password_hash"])
    assert NEW_PASSWORD not in row_json(hosting)


def test_change_password_of_an_unknown_database_user_is_refused(write_a, active_mysql):
    """Setting the password of a user the database does not have must not report success."""
    before_details = Asset.objects.get(pk=active_mysql.pk).details
    before = counts()
    with pytest.raises((NotFound, ValidationFailed)):
        change_asset_password(
            principal=write_a, asset_id=active_mysql.pk, password=NEW_PASSWORD, user_name="pn999_nobody"
        )
    assert Asset.objects.get(pk=active_mysql.pk).details == before_details
    assert counts() == before


# ---------------------------------------------------------------------------------------------------------------
# delete_asset


def test_delete_asset_marks_it_deleting_and_its_job_removes_it(write_a, active_mysql):
    _, job = delete_asset(principal=write_a, asset_id=active_mysql.pk)
    assert Asset.objects.get(pk=active_mysql.pk).status == Status.DELETING
    assert job.action == "mysql.delete"
    with pytest.raises(InvalidState):  # a second delete while the first is under way
        delete_asset(principal=write_a, asset_id=active_mysql.pk)
    assert run_job(job.pk) == JobStatus.FINISHED
    assert not Asset.objects.filter(pk=active_mysql.pk).exists()


def test_unknown_asset_is_not_found(write_a, db):
    for call in (
        lambda: resize_asset(principal=write_a, asset_id=987654, max_size=10),
        lambda: change_asset_password(principal=write_a, asset_id=987654, password=NEW_PASSWORD),
        lambda: delete_asset(principal=write_a, asset_id=987654),
    ):
        with pytest.raises(NotFound):
            call()


# ---------------------------------------------------------------------------------------------------------------
# MySQL database users and PHP version


def test_add_database_user_stores_a_prefixed_user_with_a_hash(write_a, active_mysql, account_a):
    asset, job = add_database_user(
        principal=write_a, asset_id=active_mysql.pk, name="report", password=NEW_PASSWORD, rights="read_only"
    )
    users = {u["name"]: u for u in Asset.objects.get(pk=active_mysql.pk).details["users"]}
    added = users[f"pn{account_a.pk}_report"]
    assert added == {
        "name": f"pn{account_a.pk}_report",
        "rights": "read_only",
        "enabled": True,
        "password_hash": mysql_native_hash(NEW_PASSWORD),
    }
    assert NEW_PASSWORD not in row_json(asset)
    assert job.action == "mysql.update"


def test_add_database_user_twice_is_duplicate(write_a, active_mysql):
    add_database_user(principal=write_a, asset_id=active_mysql.pk, name="report", password=NEW_PASSWORD)
    ProvisioningJob.objects.update(status=JobStatus.FINISHED)
    before = counts()
    with pytest.raises(Duplicate):
        add_database_user(principal=write_a, asset_id=active_mysql.pk, name="report", password=NEW_PASSWORD)
    assert counts() == before


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": "Report"}, "name"),
        ({"name": "r"}, "name"),
        ({"name": "report", "rights": "owner"}, "rights"),
        ({"name": "report", "password": "weak"}, "password"),
    ],
)
def test_add_database_user_validates_its_fields(write_a, active_mysql, kwargs, field):
    before_details = Asset.objects.get(pk=active_mysql.pk).details
    with pytest.raises(ValidationFailed) as caught:
        add_database_user(principal=write_a, asset_id=active_mysql.pk, **{"password": NEW_PASSWORD, **kwargs})
    assert {p.field for p in caught.value.problems} == {field}
    assert Asset.objects.get(pk=active_mysql.pk).details == before_details


def test_set_database_user_status_disables_the_user(write_a, active_mysql):
    set_database_user_status(principal=write_a, asset_id=active_mysql.pk, user_name=active_mysql.name, enabled=False)
    assert Asset.objects.get(pk=active_mysql.pk).details["users"][0]["enabled"] is False
    event = AuditEvent.objects.get(action="mysql.set_user_status")
    assert event.changes == {"user": active_mysql.name, "enabled": False}


def test_database_user_services_on_an_unknown_user_are_not_found(write_a, active_mysql):
    before = counts()
    with pytest.raises(NotFound):
        set_database_user_status(principal=write_a, asset_id=active_mysql.pk, user_name="pn1_nobody", enabled=False)
    with pytest.raises(NotFound):
        delete_database_user(principal=write_a, asset_id=active_mysql.pk, user_name="pn1_nobody")
    assert counts() == before


def test_database_user_services_refuse_a_non_mysql_asset(write_a, account_a):
    hosting = account_a.assets.get(asset_type="linux_hosting")
    with pytest.raises(ValidationFailed):
        set_database_user_status(principal=write_a, asset_id=hosting.pk, user_name="x", enabled=True)


def test_set_php_version(write_a, account_a):
    hosting = account_a.assets.get(asset_type="linux_hosting")
    _, job = set_php_version(principal=write_a, asset_id=hosting.pk, version="8.1")
    assert Asset.objects.get(pk=hosting.pk).details["php_version"] == "8.1"
    assert job.action == "linux_hosting.update"
    assert AuditEvent.objects.get(action="linux_hosting.set_php_version").changes == {"php_version": ["8.3", "8.1"]}


def test_set_php_version_refuses_an_unknown_version(write_a, account_a):
    hosting = account_a.assets.get(asset_type="linux_hosting")
    with pytest.raises(ValidationFailed) as caught:
        set_php_version(principal=write_a, asset_id=hosting.pk, version="5.6")
    assert caught.value.field == "version"
    assert Asset.objects.get(pk=hosting.pk).details["php_version"] == "8.3"


def test_the_migration_gives_old_hostings_the_contracts_keys_and_a_system_user(account_a):
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("apps.assets.migrations.0002_h8b_hosting_details")
    hosting = Asset.objects.get(account=account_a, asset_type="linux_hosting")
    Asset.objects.filter(pk=hosting.pk).update(details={"domain_name": hosting.name, "php_version": "8.1"})
    migration.fill_hosting_details(django_apps, None)
    hosting.refresh_from_db()
    assert hosting.details["php_version"] == "8.1"
    assert hosting.details["system_user"] == f"w{account_a.pk}_alpha_shop_example"
    assert hosting.details["sites"][0]["name"] == hosting.name and hosting.details["ssh_keys"] == []
