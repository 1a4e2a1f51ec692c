"""IP whitelist: entries stored in canonical form, duplicates refused, and the default-deny allow check."""

from __future__ import annotations

import pytest

from apps.core.errors import Duplicate, ValidationFailed
from apps.core.models import AuditEvent
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.selectors import ip_is_whitelisted
from apps.ipwhitelist.services import add_whitelist_entry, normalize_cidr, remove_whitelist_entry


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.1/32", "192.0.2.1"),
        (" 192.0.2.0/24 ", "192.0.2.0/24"),
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("2001:DB8::/32", "2001:db8::/32"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8::1/128", "2001:db8::1"),
        ("0.0.0.0/0", "0.0.0.0/0"),
    ],
)
def test_normalize_cidr_gives_the_canonical_form(value, canonical):
    assert normalize_cidr(value) == canonical


@pytest.mark.parametrize(
    "value",
    ["192.0.2.1/24", "2001:db8::1/32", "192.0.2.256", "192.0.2.0/33", "example.com", "", "192.168.001.1", "::g"],
)
def test_invalid_addresses_and_networks_with_host_bits_are_refused(value):
    with pytest.raises(ValidationFailed) as caught:
        normalize_cidr(value)
    assert caught.value.field == "cidr"


def test_add_whitelist_entry_stores_the_canonical_form(full_a, tenant_a):
    entry = add_whitelist_entry(principal=full_a, cidr="2001:DB8::/32", description="office")
    stored = IpWhitelistEntry.objects.get(pk=entry.pk)
    assert (stored.cidr, stored.description, stored.reseller, stored.created_by) == (
        "2001:db8::/32",
        "office",
        tenant_a["reseller"],
        tenant_a["owner"],
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.changes) == ("whitelist_entry.add", {"cidr": "2001:db8::/32", "description": "office"})


def test_network_with_host_bits_set_is_refused_and_nothing_stored(full_a):
    with pytest.raises(ValidationFailed) as caught:
        add_whitelist_entry(principal=full_a, cidr="198.51.100.7/24")
    assert (caught.value.code, caught.value.status, caught.value.field) == ("validation_failed", 400, "cidr")
    assert not IpWhitelistEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_description_is_at_most_200_characters(full_a):
    with pytest.raises(ValidationFailed) as caught:
        add_whitelist_entry(principal=full_a, cidr="192.0.2.1", description="d" * 201)
    assert caught.value.field == "description"
    assert not IpWhitelistEntry.objects.exists()


@pytest.mark.parametrize(
    ("first", "again"),
    [("192.0.2.0/24", "192.0.2.0/24"), ("192.0.2.1", "192.0.2.1/32"), ("2001:db8::/32", "2001:DB8:0::/32")],
)
def test_same_network_twice_is_duplicate(full_a, first, again):
    add_whitelist_entry(principal=full_a, cidr=first)
    with pytest.raises(Duplicate) as caught:
        add_whitelist_entry(principal=full_a, cidr=again)
    assert (caught.value.code, caught.value.status, caught.value.field) == ("duplicate", 409, "cidr")
    assert IpWhitelistEntry.objects.count() == 1
    assert AuditEvent.objects.filter(action="whitelist_entry.add").count() == 1


def test_two_resellers_may_whitelist_the_same_network(full_a, full_b):
    add_whitelist_entry(principal=full_a, cidr="192.0.2.0/24")
    add_whitelist_entry(principal=full_b, cidr="192.0.2.0/24")
    assert IpWhitelistEntry.objects.filter(cidr="192.0.2.0/24").count() == 2


def test_remove_whitelist_entry_deletes_it_and_audits_once(full_a):
    entry = add_whitelist_entry(principal=full_a, cidr="192.0.2.0/24")
    entry_id = entry.pk
    remove_whitelist_entry(principal=full_a, entry_id=entry_id)
    assert not IpWhitelistEntry.objects.filter(pk=entry_id).exists()
    event = AuditEvent.objects.get(action="whitelist_entry.remove")
    assert (event.object_type, event.object_id, event.changes) == (
        "ipwhitelistentry",
        str(entry_id),
        {"cidr": "192.0.2.0/24"},
    )


# ---------------------------------------------------------------------------------------------------------------
# The allow check


def test_no_entries_means_no_address_is_allowed(tenant_a):
    reseller_id = tenant_a["reseller"].pk
    for ip in ("192.0.2.1", "127.0.0.1", "::1", "2001:db8::1"):
        assert not ip_is_whitelisted(reseller_id, ip)


@pytest.fixture
def entries(full_a):
    for cidr in ("192.0.2.0/24", "198.51.100.7", "2001:db8:1::/48"):
        add_whitelist_entry(principal=full_a, cidr=cidr)
    return full_a.reseller_id


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("192.0.2.0", True),
        ("192.0.2.255", True),
        ("192.0.3.0", False),
        ("192.0.1.255", False),
        ("198.51.100.7", True),
        ("198.51.100.8", False),
        ("2001:db8:1::1", True),
        ("2001:DB8:1:ffff::1", True),
        ("2001:db8:2::1", False),
        ("::ffff:192.0.2.5", True),
        ("::ffff:198.51.100.7", True),
        ("::ffff:192.0.3.5", False),
        ("", False),
        ("not-an-ip", False),
        ("192.0.2.5/32", False),
    ],
)
def test_only_addresses_inside_an_entry_are_allowed(entries, ip, allowed):
    assert ip_is_whitelisted(entries, ip) is allowed


def test_another_resellers_entries_do_not_allow_anything(entries, tenant_b):
    assert not ip_is_whitelisted(tenant_b["reseller"].pk, "192.0.2.5")


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("::ffff:127.0.0.2", "127.0.0.2"),
        ("::FFFF:192.0.2.1/128", "192.0.2.1"),
        ("::ffff:192.0.2.0/120", "192.0.2.0/24"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        ("::fffe:0:0/96", "::fffe:0:0/96"),  # beside the mapped range: IPv6 as it is
    ],
)
def test_ipv4_mapped_addresses_are_stored_as_the_ipv4_they_match(value, canonical):
    assert normalize_cidr(value) == canonical


def test_a_mapped_entry_lets_in_the_ipv4_client_it_names(full_a):
    add_whitelist_entry(principal=full_a, cidr="::ffff:127.0.0.2")
    assert list(IpWhitelistEntry.objects.values_list("cidr", flat=True)) == ["127.0.0.2"]
    assert ip_is_whitelisted(full_a.reseller_id, "127.0.0.2")
    assert ip_is_whitelisted(full_a.reseller_id, "::ffff:127.0.0.2")


def test_a_mapped_duplicate_of_an_ipv4_entry_is_a_duplicate(full_a):
    add_whitelist_entry(principal=full_a, cidr="192.0.2.7")
    with pytest.raises(Duplicate):
        add_whitelist_entry(principal=full_a, cidr="::ffff:192.0.2.7")


@pytest.mark.parametrize("value", ["fe80::1%eth0", "fe80::1%1", "fe80::%eth0/64", "192.0.2.1%eth0"])
def test_addresses_with_a_scope_id_are_refused(value, full_a):
    with pytest.raises(ValidationFailed) as caught:
        add_whitelist_entry(principal=full_a, cidr=value)
    assert caught.value.field == "cidr" and "scope id" in caught.value.detail
    assert not IpWhitelistEntry.objects.exists()
