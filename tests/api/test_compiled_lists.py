"""Unfiltered list pages keep their compiled SQL (apps.core.prepared, issue 11): what they answer is read fresh on
every request, per reseller, and a filtered or reordered page is built as before."""

from __future__ import annotations

import pytest

from apps.api.paging import COMPILED_PAGES
from apps.ipwhitelist.models import IpWhitelistEntry

pytestmark = pytest.mark.django_db


def cidrs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["cidr"] for entry in response.json()]


def test_a_compiled_page_sees_every_change_and_only_its_resellers_rows(api_client, tenant_a, tenant_b):
    alpha, beta = api_client(tenant_a, "full"), api_client(tenant_b, "full", ip="192.0.2.20")
    IpWhitelistEntry.objects.create(reseller=tenant_b["reseller"], cidr="198.51.100.9")
    assert cidrs(alpha.get("/v2/ipwhitelist")) == ["192.0.2.10"]
    assert cidrs(beta.get("/v2/ipwhitelist")) == ["192.0.2.20", "198.51.100.9"]

    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="203.0.113.0/24")
    response = alpha.get("/v2/ipwhitelist")  # the same compiled SQL, run afresh
    assert cidrs(response) == ["192.0.2.10", "203.0.113.0/24"]
    assert response["X-Paging-TotalResults"] == "2"
    assert cidrs(beta.get("/v2/ipwhitelist")) == ["192.0.2.20", "198.51.100.9"]
    assert cidrs(alpha.get("/v2/ipwhitelist?skip=1&take=1")) == ["203.0.113.0/24"]
    kept = list(COMPILED_PAGES.local.entries)
    assert {key[0][2] for key in kept} >= {tenant_a["reseller"].pk, tenant_b["reseller"].pk}


def test_a_reordered_page_is_built_as_before(api_client, tenant_a):
    alpha = api_client(tenant_a, "full")
    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="203.0.113.0/24")
    assert cidrs(alpha.get("/v2/ipwhitelist")) == ["192.0.2.10", "203.0.113.0/24"]
    assert cidrs(alpha.get("/v2/ipwhitelist?ordering=-created_at")) == ["203.0.113.0/24", "192.0.2.10"]


def test_a_compiled_page_costs_one_query_for_its_rows(api_client, tenant_a, django_assert_max_num_queries):
    alpha = api_client(tenant_a, "full")
    alpha.get("/v2/ipwhitelist")
    with django_assert_max_num_queries(2):  # the key (with its reseller and whitelist), the page with its total
        assert cidrs(alpha.get("/v2/ipwhitelist")) == ["192.0.2.10"]


def test_a_filtered_list_kept_compiled_sees_new_rows_and_bad_filters_stay_refused(
    api_client, tenant_a, account_a, servicepack
):
    from apps.accounts.models import Account, Status
    from apps.servicepacks.models import AssetType
    from tests.api.conftest import add_asset_rows

    client = api_client(tenant_a, "read")

    def identifiers(target):
        response = client.get(target)
        assert response.status_code == 200, response.content
        return [account["identifier"] for account in response.json()]

    assert identifiers("/v2/accounts?status=suspended") == []
    Account.objects.create(
        reseller=tenant_a["reseller"], identifier="paused.example", servicepack=servicepack, status=Status.SUSPENDED
    )
    assert identifiers("/v2/accounts?status=suspended") == ["paused.example"]
    for _ in range(2):
        assert client.get("/v2/accounts?status=bogus").status_code == 400

    # `asset_type` reads the reseller's assets to build its query: a new asset of the type shows at once.
    paused = Account.objects.get(identifier="paused.example")
    add_asset_rows(AssetType.MAILBOX, [(paused, "info@paused.example", {})])
    assert identifiers("/v2/accounts?asset_type=mailbox") == ["paused.example"]
    add_asset_rows(AssetType.MAILBOX, [(account_a, f"info@{account_a.identifier}", {})])
    assert identifiers("/v2/accounts?asset_type=mailbox") == [account_a.identifier, "paused.example"]

    mailboxes = f"/v2/mailboxes?domain_name={account_a.identifier}"
    assert [box["name"] for box in client.get(mailboxes).json()] == [f"info@{account_a.identifier}"]
    add_asset_rows(AssetType.MAILBOX, [(account_a, f"sales@{account_a.identifier}", {})])
    assert len(client.get(mailboxes).json()) == 2  # the unpaged list, kept compiled, read afresh
