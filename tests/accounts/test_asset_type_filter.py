"""`?asset_type=` (API and panel share the filter, issue 11): accounts holding an asset of the type, the same
whether they are found from the assets' side (few assets of the type) or by an EXISTS per account (many)."""

from __future__ import annotations

import pytest

from apps.accounts import filters
from apps.accounts.models import Account, Status
from apps.servicepacks.models import AssetType
from tests.api.conftest import add_asset_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(tenant_a, tenant_b, servicepack):
    def make(tenant, names):
        return [
            Account.objects.create(
                reseller=tenant["reseller"], identifier=name, servicepack=servicepack, status=Status.ACTIVE
            )
            for name in names
        ]

    mine = make(tenant_a, ["one.example", "two.example", "three.example"])
    theirs = make(tenant_b, ["four.example"])
    add_asset_rows(AssetType.MYSQL, [(mine[0], "pn_one", {}), (mine[2], "pn_three", {}), (theirs[0], "pn_four", {})])
    add_asset_rows(AssetType.MAILBOX, [(mine[2], "info@three.example", {})])
    return mine


@pytest.mark.parametrize("sparse", [1000, 0], ids=["from the assets", "exists per account"])
def test_both_ways_find_the_same_accounts_of_the_reseller_only(sparse, monkeypatch, api_client, tenant_a, accounts):
    monkeypatch.setattr(filters, "SPARSE_ASSETS", sparse)
    client = api_client(tenant_a, "read")

    def found(asset_type):
        response = client.get(f"/v2/accounts?asset_type={asset_type}")
        assert response.status_code == 200, response.content
        assert response["X-Paging-TotalResults"] == str(len(response.json()))
        return [account["identifier"] for account in response.json()]

    assert found("mysql") == ["one.example", "three.example"]
    assert found("mailbox") == ["three.example"]
    assert found("linux_hosting") == []
    assert found("domain") == []  # a reference type Paneel does not offer matches nothing


def test_the_panel_finds_them_from_the_assets(client, tenant_a, accounts):
    client.force_login(tenant_a["owner"])
    response = client.get("/accounts/?asset_type=mysql")
    assert response.status_code == 200
    assert b"one.example" in response.content and b"three.example" in response.content
    assert b"two.example" not in response.content and b"four.example" not in response.content
