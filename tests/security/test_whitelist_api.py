"""The IP whitelist in front of the API (DESIGN 6.1): default deny, addresses and networks of both IP versions,
`X-Forwarded-For` honoured only from trusted proxies, and only the key's own reseller's entries count."""

from __future__ import annotations

import pytest

from apps.ipwhitelist.models import IpWhitelistEntry

SERVICEPACKS = "/v2/servicepacks"


def whitelist(tenant: dict, *cidrs: str) -> None:
    for cidr in cidrs:
        IpWhitelistEntry.objects.create(reseller=tenant["reseller"], cidr=cidr)


def get_from(client, ip: str, **headers):
    client.ip = ip
    return client.get(SERVICEPACKS, headers=headers or None)


def assert_denied(response) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["status"]) == ("ip_not_whitelisted", 403)


def assert_allowed(response) -> None:
    assert response.status_code == 200, response.content


@pytest.fixture
def client_a(api_client, tenant_a, servicepack):
    return api_client(tenant_a, "read", whitelist=False)


def test_no_entries_means_no_access(client_a):
    assert not IpWhitelistEntry.objects.exists()
    assert_denied(get_from(client_a, "192.0.2.10"))
    assert_denied(get_from(client_a, "127.0.0.1"))
    assert_denied(get_from(client_a, "::1"))


@pytest.mark.parametrize(
    ("cidr", "inside", "outside"),
    [
        pytest.param("192.0.2.10", ["192.0.2.10", "::ffff:192.0.2.10"], ["192.0.2.11", "192.0.2.9"], id="ipv4-address"),
        pytest.param(
            "198.51.100.0/24",
            ["198.51.100.0", "198.51.100.77", "198.51.100.255"],
            ["198.51.101.0", "198.51.99.255", "10.0.0.1"],
            id="ipv4-cidr",
        ),
        pytest.param(
            "2001:db8::1",
            ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
            ["2001:db8::2", "2001:db9::1"],
            id="ipv6-address",
        ),
        pytest.param(
            "2001:db8:abcd::/48",
            ["2001:db8:abcd::", "2001:db8:abcd:ffff:ffff:ffff:ffff:ffff", "2001:DB8:ABCD:12::5"],
            ["2001:db8:abce::", "2001:db8:abcc:ffff::1", "2001:db8::1"],
            id="ipv6-cidr",
        ),
    ],
)
def test_entry_allows_what_is_inside_and_refuses_what_is_outside(client_a, tenant_a, cidr, inside, outside):
    whitelist(tenant_a, cidr)
    for ip in inside:
        assert_allowed(get_from(client_a, ip))
    for ip in outside:
        assert_denied(get_from(client_a, ip))


def test_several_entries_each_allow(client_a, tenant_a):
    whitelist(tenant_a, "203.0.113.5", "2001:db8:1::/64")
    assert_allowed(get_from(client_a, "203.0.113.5"))
    assert_allowed(get_from(client_a, "2001:db8:1::abcd"))
    assert_denied(get_from(client_a, "203.0.113.6"))


def test_removing_the_entry_takes_effect_at_once(client_a, tenant_a):
    whitelist(tenant_a, "192.0.2.10")
    assert_allowed(get_from(client_a, "192.0.2.10"))
    IpWhitelistEntry.objects.filter(reseller=tenant_a["reseller"]).delete()
    assert_denied(get_from(client_a, "192.0.2.10"))


def test_another_resellers_entries_do_not_count(client_a, tenant_a, tenant_b):
    whitelist(tenant_b, "192.0.2.10", "2001:db8::/32")
    assert_denied(get_from(client_a, "192.0.2.10"))
    assert_denied(get_from(client_a, "2001:db8::5"))
    whitelist(tenant_a, "192.0.2.10")
    assert_allowed(get_from(client_a, "192.0.2.10"))
    assert_denied(get_from(client_a, "2001:db8::5"))


def test_denied_request_changes_nothing(api_client, tenant_a):
    client = api_client(tenant_a, "full", whitelist=False)
    response = client.post("/v2/ipwhitelist", {"cidr": "192.0.2.10"})
    assert_denied(response)
    assert not IpWhitelistEntry.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# X-Forwarded-For


def test_forwarded_for_is_ignored_without_trusted_proxies(client_a, tenant_a, settings):
    settings.PANEEL_TRUSTED_PROXIES = []
    whitelist(tenant_a, "203.0.113.7")
    assert_denied(get_from(client_a, "192.0.2.50", **{"X-Forwarded-For": "203.0.113.7"}))
    assert_denied(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "203.0.113.7"}))
    assert_allowed(get_from(client_a, "203.0.113.7", **{"X-Forwarded-For": "192.0.2.50"}))


def test_forwarded_for_from_an_untrusted_peer_is_ignored(client_a, tenant_a, settings):
    settings.PANEEL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    whitelist(tenant_a, "203.0.113.7")
    assert_denied(get_from(client_a, "192.0.2.50", **{"X-Forwarded-For": "203.0.113.7"}))


def test_forwarded_for_from_a_trusted_proxy_gives_the_client(client_a, tenant_a, settings):
    settings.PANEEL_TRUSTED_PROXIES = ["10.0.0.0/8", "fd00::/8"]
    whitelist(tenant_a, "203.0.113.7")
    assert_allowed(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "203.0.113.7"}))
    assert_allowed(get_from(client_a, "fd00::1", **{"X-Forwarded-For": "203.0.113.7"}))
    assert_denied(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "203.0.113.8"}))
    # The proxy itself is not the client: whitelisting it lets nobody in.
    IpWhitelistEntry.objects.all().delete()
    whitelist(tenant_a, "10.0.0.0/8")
    assert_denied(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "203.0.113.7"}))


def test_the_right_most_untrusted_hop_is_the_client(client_a, tenant_a, settings):
    """A client can write anything on the left of the header; only the hops our proxies added are believed."""
    settings.PANEEL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    whitelist(tenant_a, "203.0.113.7")
    spoofed = {"X-Forwarded-For": "203.0.113.7, 198.51.100.9, 10.0.0.2"}
    assert_denied(get_from(client_a, "10.0.0.1", **spoofed))
    whitelist(tenant_a, "198.51.100.9")
    assert_allowed(get_from(client_a, "10.0.0.1", **spoofed))
    # Two headers folded into one, spaces and all.
    assert_allowed(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "1.2.3.4 ,198.51.100.9,  10.0.0.3 "}))


def test_garbage_in_forwarded_for_is_not_the_client(client_a, tenant_a, settings):
    settings.PANEEL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    whitelist(tenant_a, "203.0.113.7")
    assert_denied(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "203.0.113.7, not-an-ip"}))
    assert_denied(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "203.0.113.7/32"}))


def test_all_hops_trusted_falls_back_to_the_peer(client_a, tenant_a, settings):
    settings.PANEEL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    whitelist(tenant_a, "10.0.0.1")
    assert_allowed(get_from(client_a, "10.0.0.1", **{"X-Forwarded-For": "10.1.1.1, 10.2.2.2"}))
    assert_allowed(get_from(client_a, "10.0.0.1"))
