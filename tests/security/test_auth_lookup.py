"""Issue 11: HMAC authentication reads the key, its reseller and the whitelist in one query, fresh on every
request (so a revoke, a deactivated reseller or a whitelist change is refused from the very next request, in
every process), and writes `last_used_at` at most once a minute per key."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from apps.apikeys.models import ApiKey
from apps.apikeys.services import revoke_api_key
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.services import add_whitelist_entry, remove_whitelist_entry
from tests.conftest import principal


def test_a_list_costs_one_query_for_authentication_and_one_for_the_page(
    api_client, tenant_a, account_a, django_assert_num_queries
):
    client = api_client(tenant_a, "read")
    assert client.get("/v2/accounts").status_code == 200  # writes last_used_at
    with django_assert_num_queries(2):  # key + reseller + whitelist; page + total
        response = client.get("/v2/accounts?take=100")
    assert response.status_code == 200 and response["X-Paging-TotalResults"] == "1"


def test_last_used_at_is_written_at_most_once_a_minute(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "read")
    assert client.get("/v2/servicepacks").status_code == 200
    first = ApiKey.objects.get(pk=client.api_key.pk).last_used_at
    assert first is not None
    assert client.get("/v2/servicepacks").status_code == 200
    assert ApiKey.objects.get(pk=client.api_key.pk).last_used_at == first
    ApiKey.objects.filter(pk=client.api_key.pk).update(last_used_at=first - timedelta(minutes=2))
    assert client.get("/v2/servicepacks").status_code == 200
    assert ApiKey.objects.get(pk=client.api_key.pk).last_used_at > first


def test_revoke_takes_effect_on_the_next_request(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "read")
    assert client.get("/v2/servicepacks").status_code == 200
    revoke_api_key(principal=principal(tenant_a, "owner"), api_key_id=client.api_key.pk)
    response = client.get("/v2/servicepacks")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_signature")


def test_expiry_and_deactivation_take_effect_on_the_next_request(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "read")
    assert client.get("/v2/servicepacks").status_code == 200
    ApiKey.objects.filter(pk=client.api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/v2/servicepacks").status_code == 401
    other = api_client(tenant_a, "read")
    assert other.get("/v2/servicepacks").status_code == 200
    tenant_a["reseller"].is_active = False
    tenant_a["reseller"].save()
    assert other.get("/v2/servicepacks").status_code == 401


def test_whitelist_changes_take_effect_on_the_next_request(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "read", ip="198.51.100.4", whitelist=False)
    assert client.get("/v2/servicepacks").json()["code"] == "ip_not_whitelisted"
    owner = principal(tenant_a, "owner")
    entry = add_whitelist_entry(principal=owner, cidr="198.51.100.0/24")
    assert client.get("/v2/servicepacks").status_code == 200
    remove_whitelist_entry(principal=owner, entry_id=entry.pk)
    assert client.get("/v2/servicepacks").json()["code"] == "ip_not_whitelisted"
    assert not IpWhitelistEntry.objects.filter(cidr="198.51.100.0/24").exists()
