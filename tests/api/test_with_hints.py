"""`?with=` hints on list and detail routes: expansion of related data at a constant number of queries; answers
without `with` unchanged; unknown hints a 400 naming the hint."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.servicepacks.models import AssetType
from tests.api.conftest import add_asset_rows, assert_problem


@pytest.fixture
def accounts(tenant_a, servicepack):
    made = Account.objects.bulk_create(
        Account(
            reseller=tenant_a["reseller"], servicepack=servicepack, identifier=f"site{i:03}.example", status="active"
        )
        for i in range(30)
    )
    add_asset_rows(
        AssetType.MYSQL,
        [
            (a, f"pn{a.pk}_db", {"users": [{"name": f"pn{a.pk}_u", "rights": "read_and_write", "enabled": True}]})
            for a in made
        ],
    )
    add_asset_rows(AssetType.MAILBOX, [(a, f"info@{a.identifier}", {}) for a in made])
    return made


def queries_of(client, target: str) -> tuple[int, object]:
    client.get(target)  # a first request records the key's last use
    with CaptureQueriesContext(connection) as captured:
        response = client.get(target)
    assert response.status_code == 200, response.content
    return len(captured), response


def test_account_list_expands_assets_and_servicepack(api_client, tenant_a, accounts, servicepack):
    response = api_client(tenant_a, "read").get("/v2/accounts?with=assets,servicepack&take=2")
    assert response.status_code == 200, response.content
    first = response.json()[0]
    account = accounts[0]
    assert first["id"] == account.pk
    assert [(a["asset_type"], a["name"]) for a in first["assets"]] == [
        ("mysql", f"pn{account.pk}_db"),
        ("mailbox", f"info@{account.identifier}"),
    ]
    assert set(first["assets"][0]) == {"asset_type", "name", "max_size", "actual_size", "status"}
    assert first["servicepack"]["id"] == servicepack.pk and first["servicepack"]["name"] == "Starter"
    assert {i["asset_type"] for i in first["servicepack"]["items"]} == {"linux_hosting", "mysql", "mailbox"}
    # The servicepack is the one GET /v2/servicepacks shows.
    listed = api_client(tenant_a, "read").get("/v2/servicepacks").json()
    assert first["servicepack"] == next(p for p in listed if p["id"] == servicepack.pk)


def test_without_with_the_answer_is_unchanged(api_client, tenant_a, accounts):
    client = api_client(tenant_a, "read")
    plain = client.get("/v2/accounts?take=3").json()
    assert set(plain[0]) == {"id", "identifier", "servicepack_id", "status", "created_at"}
    assert client.get("/v2/accounts?take=3&with=").json() == plain


@pytest.mark.parametrize(
    "hint", ["Account.Assets,Account.Servicepack", "ASSETS , servicepack", "account.assets,account.servicepack"]
)
def test_hint_names_are_case_insensitive_and_may_name_the_resource(api_client, tenant_a, accounts, hint):
    item = api_client(tenant_a, "read").get(f"/v2/accounts?take=1&with={hint}").json()[0]
    assert "assets" in item and "servicepack" in item


def test_mysql_database_expands_users_and_a_nested_account_servicepack(api_client, tenant_a, accounts):
    account = accounts[0]
    client = api_client(tenant_a, "read")
    detail = client.get(f"/v2/mysqldatabases/pn{account.pk}_db?with=MysqlDatabase.Users,account.servicepack")
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert body["users"] == [{"name": f"pn{account.pk}_u", "rights": "read_and_write", "enabled": True}]
    assert body["account"]["id"] == account.pk and body["account"]["identifier"] == account.identifier
    assert body["account"]["servicepack"]["name"] == "Starter"
    assert body["user_count"] == 1 and body["name"] == f"pn{account.pk}_db"  # the plain fields stay
    listed = client.get("/v2/mysqldatabases?take=5&with=account.assets").json()
    assert [a["name"] for a in listed[0]["account"]["assets"]] == [f"pn{account.pk}_db", f"info@{account.identifier}"]


def test_mailbox_and_linux_hosting_expand_their_account(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "read")
    hosting = client.get("/v2/linuxhostings/alpha-shop.example?with=account").json()
    assert hosting["account"]["id"] == account_a.pk and hosting["account"]["status"] == Status.ACTIVE
    assert client.get("/v2/linuxhostings?with=account.servicepack").json()[0]["account"]["servicepack"]["id"] == (
        account_a.servicepack_id
    )
    assert client.get("/v2/mailboxes?with=account").status_code == 200


def test_account_detail_expands_the_servicepack(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "read")
    plain = client.get(f"/v2/accounts/{account_a.pk}").json()
    expanded = client.get(f"/v2/accounts/{account_a.pk}?with=servicepack,assets").json()
    assert plain["servicepack"] == {"id": account_a.servicepack_id, "name": "Starter"}
    assert {k: v for k, v in expanded["servicepack"].items() if k != "items"} == plain["servicepack"]
    assert len(expanded["servicepack"]["items"]) == 3
    assert expanded["assets"] == plain["assets"]


@pytest.mark.parametrize(
    ("target", "named"),
    [
        ("/v2/accounts?with=assets,bogus", "bogus"),
        ("/v2/accounts?with=assets.users", "assets.users"),
        ("/v2/mysqldatabases?with=account.nothing", "account.nothing"),
        ("/v2/mailboxes?with=users", "users"),
        ("/v2/linuxhostings/alpha-shop.example?with=servicepack", "servicepack"),
        ("/v2/accounts/{account}?with=x.y.z.w.v", "x.y.z.w.v"),
    ],
)
def test_an_unknown_hint_is_a_400_naming_it(api_client, tenant_a, account_a, target, named):
    response = api_client(tenant_a, "read").get(target.format(account=account_a.pk))
    body = assert_problem(response, 400, "validation_failed", "with")
    assert f"'{named}'" in body["validation_errors"][0]["error_text"] or "deeper" in body["detail"]


@pytest.mark.parametrize(
    ("route", "hints"),
    [
        ("/v2/accounts", "assets,servicepack"),
        ("/v2/mysqldatabases", "users,account.servicepack,account.assets"),
        ("/v2/mailboxes", "account.assets"),
    ],
)
def test_expansion_costs_a_constant_number_of_queries(api_client, tenant_a, accounts, route, hints):
    client = api_client(tenant_a, "read")
    small, _ = queries_of(client, f"{route}?take=1&with={hints}")
    large, response = queries_of(client, f"{route}?take=30&with={hints}")
    plain, _ = queries_of(client, f"{route}?take=30")
    assert len(response.json()) == 30
    assert small == large, (small, large)
    assert large <= plain + 3


def test_foreign_objects_never_appear_in_an_expansion(api_client, tenant_a, account_a, account_b):
    body = api_client(tenant_a, "read").get("/v2/accounts?with=assets").json()
    names = {a["name"] for item in body for a in item["assets"]}
    assert names == set(Asset.objects.filter(account=account_a).values_list("name", flat=True))
