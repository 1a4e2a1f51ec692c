"""The trigger-kept counts (apps.listcounts) equal `COUNT(*)` after every kind of write: service creates, bulk
inserts, deletes (also by cascade), and rows moved to another reseller or type; the unfiltered lists report them,
the filtered lists count their own rows."""

from __future__ import annotations

import pytest
from django.db.models import Count

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.listcounts.models import ListCount
from apps.servicepacks.models import AssetType
from tests.api.conftest import add_asset_rows


def counted() -> dict[tuple[int, str], int]:
    return {(row.reseller_id, row.kind): row.total for row in ListCount.objects.all() if row.total}


def actual() -> dict[tuple[int, str], int]:
    accounts = Account.objects.values("reseller_id").annotate(n=Count("*"))
    found = {(row["reseller_id"], "account"): row["n"] for row in accounts}
    for row in Asset.objects.values("reseller_id", "asset_type").annotate(n=Count("*")):
        found[(row["reseller_id"], f"asset:{row['asset_type']}")] = row["n"]
    return found


def bulk_accounts(tenant, servicepack, count: int, prefix: str) -> list[Account]:
    return Account.objects.bulk_create(
        Account(
            reseller=tenant["reseller"],
            servicepack=servicepack,
            identifier=f"{prefix}{n}.example",
            status=Status.ACTIVE,
        )
        for n in range(count)
    )


def test_counts_follow_every_kind_of_write(account_a, account_b, tenant_a, tenant_b, servicepack):
    assert counted() == actual() != {}
    accounts = bulk_accounts(tenant_a, servicepack, 30, "bulk")
    add_asset_rows(AssetType.MAILBOX, [(account, f"m@{account.identifier}", {}) for account in accounts])
    add_asset_rows(AssetType.MYSQL, [(accounts[0], f"pn_db{n}", {}) for n in range(5)])
    assert counted() == actual()
    assert counted()[(tenant_a["reseller"].pk, "asset:mailbox")] == 30
    Asset.objects.filter(name__startswith="pn_db", name__endswith="1").delete()
    accounts[0].delete()  # cascades to its mailbox and databases
    assert counted() == actual()
    Account.objects.filter(pk=accounts[1].pk).update(reseller=tenant_b["reseller"])
    Asset.objects.filter(account=accounts[1]).update(reseller=tenant_b["reseller"], asset_type=AssetType.MYSQL)
    Asset.objects.filter(account=accounts[2]).update(status=Status.SUSPENDED)  # not a move: counts stay
    assert counted() == actual()
    Account.objects.filter(identifier__startswith="bulk").delete()
    assert counted() == actual()


# /v2/mailboxes is not paged (as in the reference), so it reports no total.
@pytest.mark.parametrize("path", ["/v2/accounts", "/v2/mysqldatabases", "/v2/linuxhostings"])
def test_unfiltered_and_filtered_lists_report_exact_totals(path, account_a, tenant_a, servicepack, api_client):
    accounts = bulk_accounts(tenant_a, servicepack, 12, "list")
    add_asset_rows(AssetType.MYSQL, [(account, f"pn{account.pk}_db", {}) for account in accounts[:7]])
    Account.objects.filter(pk__in=[a.pk for a in accounts[:3]]).update(status=Status.SUSPENDED)
    client = api_client(tenant_a, "read")
    expected = {"/v2/accounts": 13, "/v2/mysqldatabases": 7, "/v2/linuxhostings": 1}[path]
    for query in ("take=5", "skip=5&take=5", "skip=500", "take=0"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, response.content
        assert response["X-Paging-TotalResults"] == str(expected), query
    suspended = {"/v2/accounts": 3, "/v2/mysqldatabases": 0, "/v2/linuxhostings": 0}[path]
    for query in ("status=suspended", "status=suspended&skip=50"):
        response = client.get(f"{path}?{query}")
        assert response["X-Paging-TotalResults"] == str(suspended), query
