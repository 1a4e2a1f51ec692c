"""Account services: create (with the pack's assets), suspend, unsuspend, delete, change servicepack and its quotas.

Levels and the audit fields common to every write are proven in tests/core/test_principal.py; here the rules of
each service and what it leaves in the database.
"""

from __future__ import annotations

import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder

from apps.accounts.models import Account, Status
from apps.accounts.services import (
    change_servicepack,
    create_account,
    delete_account,
    suspend_account,
    unsuspend_account,
)
from apps.assets.models import Asset
from apps.assets.passwords import verify_sha512_crypt
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
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

FTP_PASSWORD = "Ftpsecret1"


def counts() -> tuple[int, int, int, int]:
    return (Account.objects.count(), Asset.objects.count(), ProvisioningJob.objects.count(), AuditEvent.objects.count())


def make_pack(name: str, *items: tuple[str, int, int, bool], **fields) -> ServicePack:
    pack = ServicePack.objects.create(name=name, **fields)
    for asset_type, max_count, max_size_mb, with_account in items:
        ServicePackItem.objects.create(
            servicepack=pack,
            asset_type=asset_type,
            max_count=max_count,
            max_size_mb=max_size_mb,
            created_with_account=with_account,
        )
    return pack


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the jobs a block records (the local drivers do the work), as the worker would after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# ---------------------------------------------------------------------------------------------------------------
# create_account


def test_create_account_records_a_provisioning_account_and_its_job(write_a, servicepack, tenant_a):
    account, job = create_account(
        principal=write_a, identifier="Bücher.Example.", servicepack=servicepack, ftp_password=FTP_PASSWORD
    )
    account.refresh_from_db()
    assert account.identifier == "xn--bcher-kva.example"
    assert account.status == Status.PROVISIONING
    assert account.reseller == tenant_a["reseller"]
    assert account.servicepack == servicepack
    assert (job.action, job.status, job.target_type, job.target_id) == (
        "account.create",
        JobStatus.PENDING,
        "account",
        str(account.pk),
    )
    assert job.reseller == tenant_a["reseller"]
    assert job.estimate is not None
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("account.create", str(account.pk))
    assert event.changes == {"identifier": "xn--bcher-kva.example", "servicepack": "Starter"}


def test_create_account_creates_exactly_the_assets_marked_created_with_account(write_a, servicepack):
    account, _ = create_account(
        principal=write_a, identifier="alpha-one.example", servicepack=servicepack, ftp_password=FTP_PASSWORD
    )
    hosting = Asset.objects.get(account=account)  # Starter creates only its Linux hosting, not MySQL or mailboxes
    assert hosting.asset_type == AssetType.LINUX_HOSTING
    assert hosting.name == "alpha-one.example"
    assert hosting.max_size == 1024
    assert hosting.status == Status.PROVISIONING
    assert hosting.reseller_id == account.reseller_id
    assert hosting.details["domain_name"] == "alpha-one.example"
    assert hosting.details["php_version"] == "8.3"
    assert verify_sha512_crypt(FTP_PASSWORD, hosting.details["ftp_password_hash"])
    row = json.dumps(Asset.objects.filter(pk=hosting.pk).values().get(), cls=DjangoJSONEncoder)
    assert FTP_PASSWORD not in row


def test_create_account_with_several_created_with_account_items(write_a):
    pack = make_pack(
        "Mail and web",
        (AssetType.LINUX_HOSTING, 1, 2000, True),
        (AssetType.MAILBOX, 5, 300, True),
        (AssetType.MYSQL, 3, 500, False),
    )
    account, _ = create_account(
        principal=write_a, identifier="mailweb.example", servicepack=pack, ftp_password=FTP_PASSWORD
    )
    assets = {(a.asset_type, a.name, a.max_size) for a in account.assets.all()}
    assert assets == {
        (AssetType.LINUX_HOSTING, "mailweb.example", 2000),
        (AssetType.MAILBOX, "info@mailweb.example", 300),
    }


def test_create_account_on_a_pack_without_created_with_account_items_creates_no_asset(write_a):
    pack = make_pack("Databases only", (AssetType.MYSQL, 3, 500, False))
    account, _ = create_account(principal=write_a, identifier="db-only.example", servicepack=pack)
    assert not account.assets.exists()


def test_create_account_without_ftp_password_leaves_ftp_without_password(write_a, servicepack):
    account, _ = create_account(principal=write_a, identifier="no-ftp.example", servicepack=servicepack)
    assert account.assets.get().details["ftp_password_hash"] == ""


def test_create_account_with_an_invalid_ftp_password_inserts_nothing(write_a, servicepack):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        create_account(principal=write_a, identifier="weak.example", servicepack=servicepack, ftp_password="short")
    assert {p.field for p in caught.value.problems} == {"ftp_password"}
    assert len(caught.value.problems) == 2  # too short, no digit: one problem per broken rule
    assert counts() == before


@pytest.mark.parametrize("identifier", ["not a domain", "localhost", "-x.example", "example.123"])
def test_create_account_with_an_invalid_identifier_inserts_nothing(write_a, servicepack, identifier):
    before = counts()
    with pytest.raises(ValidationFailed) as caught:
        create_account(principal=write_a, identifier=identifier, servicepack=servicepack)
    assert caught.value.field == "identifier"
    assert counts() == before


@pytest.mark.parametrize("again", ["alpha-shop.example", "ALPHA-SHOP.example.", " alpha-shop.example "])
def test_create_account_for_an_existing_identifier_is_duplicate(write_a, servicepack, account_a, again):
    before = counts()
    with pytest.raises(Duplicate) as caught:
        create_account(principal=write_a, identifier=again, servicepack=servicepack)
    assert (caught.value.code, caught.value.status, caught.value.field) == ("duplicate", 409, "identifier")
    assert counts() == before


def test_identifiers_are_unique_across_resellers(full_b, servicepack, account_a):
    before = counts()
    with pytest.raises(Duplicate):
        create_account(principal=full_b, identifier="alpha-shop.example", servicepack=servicepack)
    assert counts() == before


def test_unicode_and_ascii_forms_of_a_domain_are_the_same_identifier(write_a, servicepack):
    create_account(principal=write_a, identifier="bücher.example", servicepack=servicepack)
    with pytest.raises(Duplicate):
        create_account(principal=write_a, identifier="xn--bcher-kva.example", servicepack=servicepack)
    assert Account.objects.count() == 1


def test_create_account_on_an_inactive_servicepack_is_not_found(write_a, servicepack):
    ServicePack.objects.filter(pk=servicepack.pk).update(is_active=False)
    before = counts()
    with pytest.raises(NotFound) as caught:
        create_account(principal=write_a, identifier="late.example", servicepack=servicepack)
    assert (caught.value.status, caught.value.field) == (404, "servicepack_id")
    assert counts() == before


@pytest.mark.parametrize("servicepack_id", [987654, "abc", None])
def test_create_account_on_an_unknown_servicepack_is_not_found(write_a, servicepack_id, db):
    with pytest.raises(NotFound):
        create_account(principal=write_a, identifier="nowhere.example", servicepack=servicepack_id)
    assert not Account.objects.exists()


def test_create_account_on_a_pack_restricted_to_the_own_reseller_works(write_a, tenant_a):
    pack = make_pack("Alpha special", (AssetType.LINUX_HOSTING, 1, 100, True), is_restricted=True)
    pack.allowed_resellers.add(tenant_a["reseller"])
    account, _ = create_account(principal=write_a, identifier="special.example", servicepack=pack)
    assert account.servicepack == pack


def test_create_account_on_a_pack_restricted_to_nobody_is_not_found(write_a):
    pack = make_pack("Hidden", (AssetType.LINUX_HOSTING, 1, 100, True), is_restricted=True)
    with pytest.raises(NotFound):
        create_account(principal=write_a, identifier="hidden.example", servicepack=pack)
    assert not Account.objects.exists()


def test_account_create_job_makes_the_account_and_its_assets_active(write_a, servicepack, run_jobs):
    with run_jobs():
        account, job = create_account(principal=write_a, identifier="live.example", servicepack=servicepack)
    account.refresh_from_db()
    job.refresh_from_db()
    assert account.status == Status.ACTIVE
    assert set(account.assets.values_list("status", flat=True)) == {Status.ACTIVE}
    assert job.status == JobStatus.FINISHED
    assert job.resource_links == [f"/v2/accounts/{account.pk}"]


# ---------------------------------------------------------------------------------------------------------------
# suspend / unsuspend / delete


def test_suspend_account_records_the_job_and_the_job_suspends_everything(write_a, account_a, run_jobs):
    with run_jobs():
        account, job = suspend_account(principal=write_a, account_id=account_a.pk)
    assert (job.action, job.target_id) == ("account.suspend", str(account_a.pk))
    assert AuditEvent.objects.filter(action="account.suspend", object_id=str(account_a.pk)).count() == 1
    account_a.refresh_from_db()
    assert account_a.status == Status.SUSPENDED
    assert set(account_a.assets.values_list("status", flat=True)) == {Status.SUSPENDED}


def test_suspend_a_suspended_account_is_invalid_state(write_a, account_a):
    Account.objects.filter(pk=account_a.pk).update(status=Status.SUSPENDED)
    before = counts()
    with pytest.raises(InvalidState) as caught:
        suspend_account(principal=write_a, account_id=account_a.pk)
    assert (caught.value.code, caught.value.status) == ("invalid_state", 409)
    assert counts() == before


def test_unsuspend_gives_the_account_back(write_a, account_a, run_jobs):
    with run_jobs():
        suspend_account(principal=write_a, account_id=account_a.pk)
    with run_jobs():
        _, job = unsuspend_account(principal=write_a, account_id=account_a.pk)
    assert job.action == "account.unsuspend"
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE
    assert set(account_a.assets.values_list("status", flat=True)) == {Status.ACTIVE}


def test_unsuspend_an_active_account_is_invalid_state(write_a, account_a):
    before = counts()
    with pytest.raises(InvalidState):
        unsuspend_account(principal=write_a, account_id=account_a.pk)
    assert counts() == before


def test_a_second_change_is_queued_behind_the_unfinished_job(write_a, account_a):
    _, suspension = suspend_account(principal=write_a, account_id=account_a.pk)  # pending: not run here
    _, deletion = delete_account(principal=write_a, account_id=account_a.pk)
    account_a.refresh_from_db()
    assert account_a.status == Status.DELETING
    assert ProvisioningJob.objects.get(pk=suspension.pk).created_at <= deletion.created_at
    assert {
        job.status
        for job in ProvisioningJob.objects.filter(
            target_id=str(account_a.pk), action__in=["account.suspend", "account.delete"]
        )
    } == {"pending"}


def test_delete_account_marks_it_and_its_assets_deleting(write_a, account_a):
    account, job = delete_account(principal=write_a, account_id=account_a.pk)
    account_a.refresh_from_db()
    assert account_a.status == Status.DELETING
    assert set(account_a.assets.values_list("status", flat=True)) == {Status.DELETING}
    assert (job.action, job.status) == ("account.delete", JobStatus.PENDING)
    assert AuditEvent.objects.get(action="account.delete").changes == {"identifier": "alpha-shop.example"}


def test_delete_account_twice_is_invalid_state(write_a, account_a):
    delete_account(principal=write_a, account_id=account_a.pk)
    ProvisioningJob.objects.filter(action="account.delete").update(status=JobStatus.FAILED)
    before = counts()
    with pytest.raises(InvalidState):
        delete_account(principal=write_a, account_id=account_a.pk)
    assert counts() == before


def test_account_delete_job_removes_the_account_and_its_assets(write_a, account_a, run_jobs):
    with run_jobs():
        delete_account(principal=write_a, account_id=account_a.pk)
    assert not Account.objects.filter(pk=account_a.pk).exists()
    assert not Asset.objects.filter(account_id=account_a.pk).exists()
    assert ProvisioningJob.objects.get(action="account.delete").status == JobStatus.FINISHED


@pytest.mark.parametrize("service", [suspend_account, unsuspend_account, delete_account])
def test_unknown_account_is_not_found(write_a, service):
    with pytest.raises(NotFound) as caught:
        service(principal=write_a, account_id=424242)
    assert caught.value.status == 404


# ---------------------------------------------------------------------------------------------------------------
# change_servicepack


@pytest.fixture
def big_account(write_a, big_servicepack, run_jobs):
    """An active account on 'Business': its Linux hosting is 10240 MB (more than Starter's 1024)."""
    with run_jobs():
        account, _ = create_account(
            principal=write_a, identifier="big.example", servicepack=big_servicepack, ftp_password=FTP_PASSWORD
        )
    account.refresh_from_db()
    assert account.status == Status.ACTIVE
    return account


def add_rows(account: Account, asset_type: str, sizes: list[int]) -> None:
    """Assets put straight into the database: the state change_servicepack has to judge."""
    for number, size in enumerate(sizes):
        Asset.objects.create(
            reseller_id=account.reseller_id,
            account=account,
            asset_type=asset_type,
            name=f"pn{account.pk}_db{number}" if asset_type == AssetType.MYSQL else f"m{number}@{account.identifier}",
            max_size=size,
            status=Status.ACTIVE,
        )


def test_change_servicepack_to_a_bigger_pack_is_accepted(write_a, account_a, big_servicepack):
    account, job = change_servicepack(principal=write_a, account_id=account_a.pk, servicepack=big_servicepack.pk)
    account_a.refresh_from_db()
    assert account_a.servicepack == big_servicepack
    assert (job.action, job.status) == ("account.change_servicepack", JobStatus.PENDING)
    event = AuditEvent.objects.get(action="account.change_servicepack")
    assert event.changes == {"servicepack": ["Starter", "Business"]}


def test_change_servicepack_refused_when_an_asset_is_bigger_than_the_new_pack_allows(write_a, big_account, servicepack):
    before = counts()
    with pytest.raises(SizeExceedsServicepack) as caught:
        change_servicepack(principal=write_a, account_id=big_account.pk, servicepack=servicepack)
    assert (caught.value.code, caught.value.status, caught.value.field) == (
        "size_exceeds_servicepack",
        409,
        "servicepack_id",
    )
    assert "10240 MB" in caught.value.detail and "1024 MB" in caught.value.detail
    big_account.refresh_from_db()
    assert big_account.servicepack.name == "Business"
    assert counts() == before


def test_change_servicepack_refused_when_the_account_holds_more_assets_than_the_new_pack(write_a, big_account):
    add_rows(big_account, AssetType.MYSQL, [100, 100, 100])
    roomy_but_few = make_pack("Roomy", (AssetType.LINUX_HOSTING, 1, 20000, True), (AssetType.MYSQL, 2, 5000, False))
    before = counts()
    with pytest.raises(QuotaExceeded) as caught:
        change_servicepack(principal=write_a, account_id=big_account.pk, servicepack=roomy_but_few)
    assert (caught.value.code, caught.value.status) == ("quota_exceeded", 409)
    assert caught.value.detail == "Servicepack 'Roomy' allows 2 MySQL database assets; account big.example has 3."
    big_account.refresh_from_db()
    assert big_account.servicepack.name == "Business"
    assert counts() == before


def test_change_servicepack_refused_when_the_new_pack_lacks_an_asset_type_the_account_has(write_a, big_account):
    add_rows(big_account, AssetType.MAILBOX, [10])
    no_mail = make_pack("No mail", (AssetType.LINUX_HOSTING, 1, 20000, True), (AssetType.MYSQL, 5, 5000, False))
    before = counts()
    with pytest.raises(QuotaExceeded) as caught:
        change_servicepack(principal=write_a, account_id=big_account.pk, servicepack=no_mail)
    assert "allows 0 Mailbox assets" in caught.value.detail
    assert counts() == before


def test_change_servicepack_accepted_when_counts_and_sizes_exactly_fit(write_a, big_account):
    add_rows(big_account, AssetType.MYSQL, [300, 700])
    snug = make_pack("Snug", (AssetType.LINUX_HOSTING, 1, 10240, True), (AssetType.MYSQL, 2, 700, False))
    change_servicepack(principal=write_a, account_id=big_account.pk, servicepack=snug)
    big_account.refresh_from_db()
    assert big_account.servicepack == snug


def test_change_servicepack_of_a_provisioning_account_is_invalid_state(write_a, servicepack, big_servicepack):
    account, _ = create_account(principal=write_a, identifier="young.example", servicepack=servicepack)
    before = counts()
    with pytest.raises(InvalidState):
        change_servicepack(principal=write_a, account_id=account.pk, servicepack=big_servicepack)
    assert counts() == before


def test_change_servicepack_job_keeps_the_account_active(write_a, account_a, big_servicepack, run_jobs):
    with run_jobs():
        _, job = change_servicepack(principal=write_a, account_id=account_a.pk, servicepack=big_servicepack)
    job.refresh_from_db()
    account_a.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert account_a.status == Status.ACTIVE
