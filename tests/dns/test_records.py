"""Record validation per type (apps.dns.records): names inside the zone, TTL range, content per type."""

from __future__ import annotations

import pytest

from apps.core.errors import ValidationFailed
from apps.dns.records import clean_record, presentation, quoted_txt

ZONE = "shop.example"


def refused_field(data: dict, existing: dict | None = None) -> str:
    with pytest.raises(ValidationFailed) as refused:
        clean_record(ZONE, data, existing)
    assert refused.value.code == "validation_failed"
    return refused.value.problems[0].field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"type": "HINFO", "content": "x"}, "type"),
        ({"content": "192.0.2.1"}, "type"),
        ({"type": "A", "content": "300.0.0.1"}, "content"),
        ({"type": "A", "content": "2001:db8::1"}, "content"),
        ({"type": "AAAA", "content": "192.0.2.1"}, "content"),
        ({"type": "A", "content": "192.0.2.1", "ttl": 59}, "ttl"),
        ({"type": "A", "content": "192.0.2.1", "ttl": 86401}, "ttl"),
        ({"type": "A", "content": "192.0.2.1", "record_name": "www.other.example."}, "record_name"),
        ({"type": "A", "content": "192.0.2.1", "record_name": "bad name"}, "record_name"),
        ({"type": "A", "content": "192.0.2.1", "record_name": "a." * 130}, "record_name"),
        ({"type": "CNAME", "content": "target.example", "record_name": "@"}, "record_name"),
        ({"type": "CNAME", "content": "not a host"}, "content"),
        ({"type": "MX", "content": "mail.example.net", "priority": 10000}, "priority"),
        ({"type": "MX", "content": ""}, "content"),
        ({"type": "TXT", "content": "bell\x07"}, "content"),
        ({"type": "TXT", "content": "x" * 4001}, "content"),
        ({"type": "CAA", "content": "5 issue letsencrypt.org"}, "content"),
        ({"type": "CAA", "content": "0 issuer letsencrypt.org"}, "content"),
        ({"type": "CAA", "content": "0 iodef not-a-url"}, "content"),
        ({"type": "TLSA", "content": "3 1 1 xyz"}, "content"),
        ({"type": "NS", "content": "ns.example.net", "record_name": ""}, "record_name"),
        ({"type": "SRV", "service": "sip", "target": "sip.example.net"}, "port"),
        ({"type": "SRV", "service": "s i p", "target": "sip.example.net", "port": 5060}, "service"),
        ({"type": "SRV", "service": "sip", "protocol": "ICMP", "target": "sip.example.net", "port": 5060}, "protocol"),
        ({"type": "SRV", "service": "sip", "target": "sip.example.net", "port": 70000}, "port"),
    ],
)
def test_a_bad_record_is_refused_naming_its_field(data, field):
    assert refused_field(data) == field


def test_names_are_stored_relative_to_the_zone():
    assert (
        clean_record(ZONE, {"type": "A", "record_name": "WWW.Shop.Example.", "content": "192.0.2.1"})["name"] == "www"
    )
    assert clean_record(ZONE, {"type": "A", "record_name": "@", "content": "192.0.2.1"})["name"] == ""
    assert clean_record(ZONE, {"type": "A", "content": "192.0.2.1"})["name"] == ""
    assert clean_record(ZONE, {"type": "TXT", "record_name": "_acme-challenge", "content": "x"})["name"] == (
        "_acme-challenge"
    )
    assert clean_record(ZONE, {"type": "A", "record_name": "*.dev", "content": "192.0.2.1"})["name"] == "*.dev"


def test_defaults_are_the_references():
    fields = clean_record(ZONE, {"type": "MX", "content": "mail.example.net."})
    assert (fields["ttl"], fields["priority"], fields["content"]) == (3600, 10, "mail.example.net")
    srv = clean_record(ZONE, {"type": "SRV", "service": "_sip", "target": "sip.example.net", "port": 5060})
    assert (srv["protocol"], srv["weight"], srv["priority"], srv["service"]) == ("TCP", 0, 10, "sip")


def test_an_edit_keeps_the_type_and_the_srv_parts():
    existing = clean_record(ZONE, {"type": "SRV", "service": "sip", "target": "sip.example.net", "port": 5060})
    assert refused_field({"type": "A"}, existing) == "type"
    assert refused_field({"port": 5061}, existing) == "port"
    assert clean_record(ZONE, {"weight": 5}, existing)["weight"] == 5


def test_presentation_is_master_file_syntax():
    class Row:
        def __init__(self, **kw):
            self.__dict__.update({"name": "", "ttl": 60, "priority": None, **kw})

    assert presentation(Row(type="MX", content="mail.example.net", priority=5), ZONE).content == "5 mail.example.net."
    assert presentation(Row(type="CAA", content="0 issue letsencrypt.org"), ZONE).content == (
        '0 issue "letsencrypt.org"'
    )
    assert presentation(Row(type="CNAME", content="a.example.net", name="www"), ZONE).name == "www.shop.example."
    assert quoted_txt('say "hi"') == '"say \\"hi\\""'
    assert quoted_txt("x" * 300) == '"' + "x" * 255 + '" "' + "x" * 45 + '"'
