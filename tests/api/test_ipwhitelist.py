"""`/v2/ipwhitelist` and `/v2/ipwhitelist/{entry_id}` (level `full` for every method) through the signed client."""

from __future__ import annotations

import pytest

from apps.core.models import AuditEvent
from apps.ipwhitelist.models import IpWhitelistEntry
from tests.api.conftest import assert_problem


def iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def add_entries(tenant: dict, count: int) -> list[IpWhitelistEntry]:
    return [
        IpWhitelistEntry.objects.create(reseller=tenant["reseller"], cidr=f"198.51.100.{n}", description=f"e{n}")
        for n in range(count)
    ]


# --- GET /v2/ipwhitelist


def test_list_shows_own_entries(api_client, tenant_a, tenant_b):
    client = api_client(tenant_a, "full")  # whitelists 192.0.2.10 for A
    api_client(tenant_b, "full", ip="203.0.113.9")
    office = IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="10.0.0.0/8", description="office")

    response = client.get("/v2/ipwhitelist")

    assert response.status_code == 200, response.content
    first = IpWhitelistEntry.objects.get(reseller=tenant_a["reseller"], cidr="192.0.2.10")
    assert response.json() == [
        {"id": first.pk, "cidr": "192.0.2.10", "description": "", "created_at": iso(first.created_at)},
        {"id": office.pk, "cidr": "10.0.0.0/8", "description": "office", "created_at": iso(office.created_at)},
    ]
    assert response["X-Paging-TotalResults"] == "2"


def test_list_pages(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    add_entries(tenant_a, 4)

    response = client.get("/v2/ipwhitelist?skip=1&take=3")

    assert [e["cidr"] for e in response.json()] == ["198.51.100.0", "198.51.100.1", "198.51.100.2"]
    assert (response["X-Paging-Skipped"], response["X-Paging-Take"], response["X-Paging-TotalResults"]) == (
        "1",
        "3",
        "5",
    )
    assert response["Link"] == (
        '</v2/ipwhitelist?skip=4&take=3>; rel="next", </v2/ipwhitelist?skip=0&take=3>; rel="prev"'
    )


def test_list_ordering(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    add_entries(tenant_a, 2)

    response = client.get("/v2/ipwhitelist?ordering=-created_at")

    assert [e["cidr"] for e in response.json()] == ["198.51.100.1", "198.51.100.0", "192.0.2.10"]


@pytest.mark.parametrize("query,field", [("skip=-3", "skip"), ("take=1e3", "take")])
def test_list_bad_paging_is_400(api_client, tenant_a, query, field):
    assert_problem(api_client(tenant_a, "full").get(f"/v2/ipwhitelist?{query}"), 400, "validation_failed", field)


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(api_client, tenant_a, django_assert_max_num_queries, take):
    client = api_client(tenant_a, "full")
    add_entries(tenant_a, 110)

    with django_assert_max_num_queries(5):
        response = client.get(f"/v2/ipwhitelist?take={take}")

    assert len(response.json()) == take


@pytest.mark.parametrize("level", ["read", "write"])
def test_keys_below_full_cannot_see_or_manage_the_whitelist(api_client, tenant_a, level):
    client = api_client(tenant_a, level)
    entry = IpWhitelistEntry.objects.get(reseller=tenant_a["reseller"])

    assert_problem(client.get("/v2/ipwhitelist"), 403, "insufficient_level")
    assert_problem(client.get(f"/v2/ipwhitelist/{entry.pk}"), 403, "insufficient_level")
    assert_problem(client.post("/v2/ipwhitelist", {"cidr": "0.0.0.0/0"}), 403, "insufficient_level")
    assert_problem(client.delete(f"/v2/ipwhitelist/{entry.pk}"), 403, "insufficient_level")
    assert list(IpWhitelistEntry.objects.values_list("cidr", flat=True)) == ["192.0.2.10"]


# --- POST /v2/ipwhitelist


@pytest.mark.parametrize(
    "cidr,stored",
    [(" 203.0.113.0/24 ", "203.0.113.0/24"), ("2001:DB8::/32", "2001:db8::/32"), ("198.51.100.7/32", "198.51.100.7")],
)
def test_add_entry_is_201_with_location(api_client, tenant_a, cidr, stored):
    client = api_client(tenant_a, "full")

    response = client.post("/v2/ipwhitelist", {"cidr": cidr, "description": "build server"})

    assert response.status_code == 201, response.content
    entry = IpWhitelistEntry.objects.get(reseller=tenant_a["reseller"], cidr=stored)
    assert response["Location"] == f"/v2/ipwhitelist/{entry.pk}"
    assert response.json() == {
        "id": entry.pk,
        "cidr": stored,
        "description": "build server",
        "created_at": iso(entry.created_at),
    }
    assert AuditEvent.objects.filter(action="whitelist_entry.add", object_id=str(entry.pk), via="api").exists()


def test_added_network_lets_its_clients_in(api_client, tenant_a):
    admin = api_client(tenant_a, "full")
    outside = api_client(tenant_a, "read", ip="203.0.113.50", whitelist=False)
    assert_problem(outside.get("/v2/accounts"), 403, "ip_not_whitelisted")

    admin.post("/v2/ipwhitelist", {"cidr": "203.0.113.0/24"})

    assert outside.get("/v2/accounts").status_code == 200


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "cidr"),
        ({"cidr": ""}, "cidr"),
        ({"cidr": "10.0.0.1/8"}, "cidr"),
        ({"cidr": "example.com"}, "cidr"),
        ({"cidr": "10.0.0.0/8", "description": "d" * 201}, "description"),
        ({"cidr": "10.0.0.0/8", "description": None}, "description"),
    ],
)
def test_add_entry_validation_errors_name_the_field(api_client, tenant_a, body, field):
    response = api_client(tenant_a, "full").post("/v2/ipwhitelist", body)

    assert_problem(response, 400, "validation_failed", field)
    assert IpWhitelistEntry.objects.count() == 1


def test_add_duplicate_entry_is_409(api_client, tenant_a):
    response = api_client(tenant_a, "full").post("/v2/ipwhitelist", {"cidr": "192.0.2.10/32"})

    assert_problem(response, 409, "duplicate", "cidr")
    assert IpWhitelistEntry.objects.count() == 1


def test_same_network_may_be_listed_by_two_resellers(api_client, tenant_a, tenant_b):
    api_client(tenant_b, "full", ip="203.0.113.9").post("/v2/ipwhitelist", {"cidr": "10.1.0.0/16"})

    response = api_client(tenant_a, "full").post("/v2/ipwhitelist", {"cidr": "10.1.0.0/16"})

    assert response.status_code == 201
    assert IpWhitelistEntry.objects.filter(cidr="10.1.0.0/16").count() == 2


def test_idempotency_key_replays_the_first_201(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    headers = {"Idempotency-Key": "wl-1"}

    first = client.post("/v2/ipwhitelist", {"cidr": "10.2.0.0/16"}, headers=headers)
    second = client.post("/v2/ipwhitelist", {"cidr": "10.2.0.0/16"}, headers=headers)

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Location"] == first["Location"]
    assert IpWhitelistEntry.objects.filter(cidr="10.2.0.0/16").count() == 1


# --- GET /v2/ipwhitelist/{entry_id}


def test_detail_with_etag_and_if_none_match(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    entry = IpWhitelistEntry.objects.get(reseller=tenant_a["reseller"])

    response = client.get(f"/v2/ipwhitelist/{entry.pk}")
    cached = client.get(f"/v2/ipwhitelist/{entry.pk}", headers={"If-None-Match": response["ETag"]})

    assert response.status_code == 200
    assert response.json()["cidr"] == "192.0.2.10"
    assert cached.status_code == 304
    assert cached["ETag"] == response["ETag"]


def test_another_resellers_entry_is_404(api_client, tenant_a, tenant_b):
    client = api_client(tenant_a, "full")
    api_client(tenant_b, "full", ip="203.0.113.9")
    foreign = IpWhitelistEntry.objects.get(reseller=tenant_b["reseller"])

    assert_problem(client.get(f"/v2/ipwhitelist/{foreign.pk}"), 404, "not_found")
    assert_problem(client.get("/v2/ipwhitelist/987654"), 404, "not_found")


# --- DELETE /v2/ipwhitelist/{entry_id}


def test_remove_entry_is_204(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    entry = IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="10.3.0.0/16")
    etag = client.get(f"/v2/ipwhitelist/{entry.pk}")["ETag"]

    response = client.delete(f"/v2/ipwhitelist/{entry.pk}", headers={"If-Match": etag})

    assert response.status_code == 204, response.content
    assert response.content == b""
    assert not IpWhitelistEntry.objects.filter(pk=entry.pk).exists()
    assert_problem(client.get(f"/v2/ipwhitelist/{entry.pk}"), 404, "not_found")
    assert AuditEvent.objects.filter(action="whitelist_entry.remove", object_id=str(entry.pk)).exists()


def test_remove_with_stale_if_match_is_412(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    entry = IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="10.4.0.0/16")

    response = client.delete(f"/v2/ipwhitelist/{entry.pk}", headers={"If-Match": '"stale"'})

    assert_problem(response, 412, "precondition_failed")
    assert IpWhitelistEntry.objects.filter(pk=entry.pk).exists()


def test_remove_another_resellers_entry_is_404_and_changes_nothing(api_client, tenant_a, tenant_b):
    api_client(tenant_b, "full", ip="203.0.113.9")
    foreign = IpWhitelistEntry.objects.get(reseller=tenant_b["reseller"])

    response = api_client(tenant_a, "full").delete(f"/v2/ipwhitelist/{foreign.pk}")

    assert_problem(response, 404, "not_found")
    assert IpWhitelistEntry.objects.filter(pk=foreign.pk).exists()


def test_api_refuses_a_scoped_address_and_stores_a_mapped_one_as_ipv4(api_client, tenant_a):
    from tests.api.conftest import assert_problem

    client = api_client(tenant_a, "full")
    assert_problem(client.post("/v2/ipwhitelist", {"cidr": "fe80::1%eth0"}), 400, "validation_failed", field="cidr")
    response = client.post("/v2/ipwhitelist", {"cidr": "::ffff:127.0.0.2"})
    assert response.status_code == 201, response.content
    assert response.json()["cidr"] == "127.0.0.2"
