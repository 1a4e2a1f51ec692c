"""paneel_client against a live server: the README's seed scenario, paging and typed errors."""

import pytest

from apps.accounts.models import Account
from apps.apikeys.services import create_api_key
from apps.ipwhitelist.models import IpWhitelistEntry
from paneel_client import Client, Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import principal

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paneel(live_server, tenant_a, servicepack):
    api_key, secret = create_api_key(principal=principal(tenant_a, "owner"), level="write", name="client test")
    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="127.0.0.1")
    return Client(live_server.url, key=api_key.key, secret=secret)


def test_seed_scenario_account_then_database(paneel, servicepack):
    accepted = paneel.post("/v2/accounts", {"identifier": "client-demo.example", "servicepack_id": servicepack.pk})
    assert accepted.status == 202
    [account_link] = paneel.wait(accepted, interval=0.1, timeout=30)
    account_id = int(account_link.rsplit("/", 1)[1])
    assert paneel.get(account_link)["identifier"] == "client-demo.example"

    accepted = paneel.post(
        "/v2/mysqldatabases", {"database_name": "shop", "account_id": account_id, "password": "Secret123"}
    )
    [database_link] = paneel.wait(accepted, interval=0.1, timeout=30)
    database = paneel.get(database_link)
    assert database["name"] == f"pn{account_id}_shop"
    assert database["account_id"] == account_id


def test_paginate_walks_every_page(paneel, tenant_a, servicepack):
    for number in range(7):
        Account.objects.create(
            reseller=tenant_a["reseller"], servicepack=servicepack, identifier=f"page{number}.example"
        )
    identifiers = [account["identifier"] for account in paneel.paginate("/v2/accounts", take=3)]
    assert identifiers == [f"page{number}.example" for number in range(7)]


def test_problems_become_typed_errors(paneel, servicepack):
    with pytest.raises(NotFound) as not_found:
        paneel.get("/v2/accounts/999999")
    assert not_found.value.code == "not_found" and not_found.value.request_id

    with pytest.raises(ValidationFailed) as invalid:
        paneel.post("/v2/accounts", {"identifier": "not a domain", "servicepack_id": servicepack.pk})
    assert invalid.value.validation_errors[0]["field"] == "identifier"

    paneel.post("/v2/accounts", {"identifier": "twice.example", "servicepack_id": servicepack.pk})
    with pytest.raises(Conflict) as duplicate:
        paneel.post("/v2/accounts", {"identifier": "twice.example", "servicepack_id": servicepack.pk})
    assert duplicate.value.code == "duplicate"

    with pytest.raises(PermissionDenied) as refused:
        paneel.get("/v2/apikeys")
    assert refused.value.code == "insufficient_level"


def test_client_refuses_non_http_base_url():
    with pytest.raises(ValueError):
        Client("file:///etc/passwd", key="k", secret="s")
