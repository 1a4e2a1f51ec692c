"""The IP whitelist in the panel."""

from __future__ import annotations

import pytest

from apps.ipwhitelist.models import IpWhitelistEntry

pytestmark = pytest.mark.django_db


def test_add_an_entry(owner, tenant_a):
    response = owner.post("/api-access/whitelist/", {"cidr": " 192.0.2.0/24 ", "description": "office"})
    assert response["Location"] == "/api-access/whitelist/"
    entry = IpWhitelistEntry.objects.get()
    assert (entry.cidr, entry.description, entry.reseller, entry.created_by) == (
        "192.0.2.0/24",
        "office",
        tenant_a["reseller"],
        tenant_a["owner"],
    )
    assert b"192.0.2.0/24" in owner.get("/api-access/whitelist/").content


@pytest.mark.parametrize(
    ("cidr", "text"),
    [("not-an-ip", "is not an IP address"), ("192.0.2.1/24", "has host bits set"), ("", "This field is required")],
)
def test_invalid_address_is_a_field_error(owner, cidr, text):
    response = owner.post("/api-access/whitelist/", {"cidr": cidr})
    assert response.status_code == 200
    assert text in response.context["form"].errors["cidr"][0]
    assert 'id="id_cidr_error"' in response.content.decode()
    assert not IpWhitelistEntry.objects.exists()


def test_duplicate_is_a_field_error(owner, whitelist_entry_a):
    response = owner.post("/api-access/whitelist/", {"cidr": "198.51.100.0/24"})
    assert "already whitelisted" in response.context["form"].errors["cidr"][0]


def test_visitors_own_address_is_suggested(owner):
    html = owner.get("/api-access/whitelist/", REMOTE_ADDR="203.0.113.42").content.decode()
    assert "Your address is <code>203.0.113.42</code>" in html
    assert 'name="cidr" value="203.0.113.42"' in html
    owner.post("/api-access/whitelist/", {"cidr": "203.0.113.42"}, REMOTE_ADDR="203.0.113.42")
    html = owner.get("/api-access/whitelist/", REMOTE_ADDR="203.0.113.42").content.decode()
    assert "(already allowed)" in html and 'name="cidr" value="203.0.113.42"' not in html


def test_remove_with_confirmation(owner, whitelist_entry_a, whitelist_entry_b):
    response = owner.get(f"/api-access/whitelist/{whitelist_entry_a.pk}/remove/")
    assert b"are refused from now on" in response.content
    owner.post(f"/api-access/whitelist/{whitelist_entry_a.pk}/remove/")
    assert list(IpWhitelistEntry.objects.all()) == [whitelist_entry_b]


def test_other_resellers_entries_are_not_listed(owner, whitelist_entry_b):
    assert b"203.0.113.7" not in owner.get("/api-access/whitelist/").content


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0", "::ffff:0:0/96"])
def test_an_entry_for_every_address_is_added_with_a_warning(owner, cidr):
    response = owner.post("/api-access/whitelist/", {"cidr": cidr}, follow=True)
    stored = IpWhitelistEntry.objects.get().cidr
    assert stored in ("0.0.0.0/0", "::/0")
    warnings = [str(m) for m in response.context["messages"] if m.level_tag == "warning"]
    assert warnings == [
        f"{stored} allows API requests from every address: the API keys and tokens alone now protect this reseller. "
        "Prefer the addresses your programs use."
    ]
    assert b"every address</span>" in response.content


def test_a_narrow_entry_has_no_warning(owner):
    response = owner.post("/api-access/whitelist/", {"cidr": "192.0.2.0/24"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    assert b"every address</span>" not in response.content


def test_a_scoped_address_is_a_field_error(owner):
    response = owner.post("/api-access/whitelist/", {"cidr": "fe80::1%eth0"})
    assert "scope id" in response.context["form"].errors["cidr"][0]
    assert not IpWhitelistEntry.objects.exists()
