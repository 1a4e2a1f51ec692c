"""Quotas under concurrency on PostgreSQL: the count check and the insert happen under the account's row lock, so
requests racing for the last slots can never exceed a servicepack's `max_count`.

Runs only against PostgreSQL (CI runs the suite a second time with DATABASE_URL pointing at it): SQLite takes a
database-wide write lock per transaction, which would hide a missing row lock.
"""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from apps.accounts.models import Account, Status
from apps.accounts.selectors import lock_account
from apps.accounts.services import create_account
from apps.assets.models import Asset
from apps.assets.services import create_asset
from apps.core.errors import QuotaExceeded
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: set DATABASE_URL=postgres://... (row locks are what is under test)",
    ),
]

THREADS = 12
MAX_MYSQL = 3
DB_PASSWORD = "Dbsecret12"


def in_threads(count: int, work) -> list:
    """Run `work(i)` in `count` threads that start together; each uses and then closes its own connection."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            outcomes[i] = work(i)
        except BaseException as exc:  # the outcome is what the test inspects
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


@pytest.fixture
def small_pack(db) -> ServicePack:
    pack = ServicePack.objects.create(name="Three databases")
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MYSQL, max_count=MAX_MYSQL, max_size_mb=100)
    return pack


def active_account(principal, identifier: str, pack: ServicePack) -> Account:
    account, _ = create_account(principal=principal, identifier=identifier, servicepack=pack)
    # The account.create job ran on commit (transactional test); make sure of the state the race needs.
    Account.objects.filter(pk=account.pk).update(status=Status.ACTIVE)
    return account


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_never_exceed_the_count_quota(full_a, small_pack):
    account = active_account(full_a, "race.example", small_pack)

    def create(i: int):
        asset, _ = create_asset(
            principal=full_a,
            account_id=account.pk,
            asset_type="mysql",
            fields={"database_name": f"db{i}"},
            password=DB_PASSWORD,
        )
        return asset

    outcomes = in_threads(THREADS, create)
    created = [o for o in outcomes if isinstance(o, Asset)]
    refused = [o for o in outcomes if isinstance(o, QuotaExceeded)]
    unexpected = [o for o in outcomes if not isinstance(o, Asset | QuotaExceeded)]
    assert unexpected == []
    assert len(created) == MAX_MYSQL
    assert len(refused) == THREADS - MAX_MYSQL
    assert all(error.code == "quota_exceeded" and error.status == 409 for error in refused)
    assert Asset.objects.filter(account=account, asset_type="mysql").count() == MAX_MYSQL
    assert set(Asset.objects.filter(account=account).values_list("pk", flat=True)) == {a.pk for a in created}


@pytest.mark.django_db(transaction=True)
def test_locking_an_account_does_not_lock_other_accounts_on_the_same_servicepack(full_a, small_pack):
    """The quota lock is the account row only: writes on different accounts of one pack must not queue up."""
    first = active_account(full_a, "first.example", small_pack)
    second = active_account(full_a, "second.example", small_pack)
    holding, release = threading.Event(), threading.Event()

    def hold_first(_):
        with transaction.atomic():
            lock_account(full_a, first.pk)
            holding.set()
            release.wait(timeout=30)

    def lock_second(_):
        assert holding.wait(timeout=30)
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                return lock_account(full_a, second.pk)
        finally:
            release.set()

    outcomes = in_threads(2, lambda i: (hold_first, lock_second)[i](i))
    assert outcomes[0] is None
    assert not isinstance(outcomes[1], OperationalError), f"blocked by the other account's lock: {outcomes[1]}"
    assert isinstance(outcomes[1], Account) and outcomes[1].pk == second.pk
