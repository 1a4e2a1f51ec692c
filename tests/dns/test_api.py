"""The DNS record routes without a DNS server: the zone is written as a BIND file by the job each change queues."""

from __future__ import annotations

import pytest
from django.conf import settings

from apps.core.models import AuditEvent
from apps.dns.models import DnsRecord
from tests.world import run_jobs


@pytest.fixture
def client(api_client, tenant_a, account_a):
    return api_client(tenant_a, "write")


def zone_file(account) -> str:
    return (settings.PANEEL_PROVISIONING_ROOT / "dns" / f"{account.identifier}.zone").read_text()


def test_the_account_gets_a_zone_with_defaults(account_a):
    zone = account_a.dns_zone
    assert zone.name == account_a.identifier
    kinds = sorted((r.type, r.name, r.content) for r in zone.records.all())
    assert ("NS", "", "ns1.paneel.test") in kinds and ("TXT", "", "v=spf1 a mx ~all") in kinds


def test_records_list_with_the_references_fields_and_filters(client, account_a):
    base = f"/v2/dns/{account_a.identifier}/records"
    with run_jobs():
        assert client.post(base, {"type": "A", "record_name": "www", "content": "192.0.2.5"}).status_code == 201
    listed = client.get(base).json()
    assert {"id", "type", "record_name", "ttl", "content"} <= set(listed[0])
    assert [r["content"] for r in client.get(f"{base}?type=a&record_name=www").json()] == ["192.0.2.5"]
    assert [r["record_name"] for r in client.get(f"{base}?type=TXT").json()] == ["@"]
    assert "www 3600 IN A 192.0.2.5" in zone_file(account_a).replace(f".{account_a.identifier}.", "")


def test_create_answers_201_with_location_and_audits(client, account_a):
    base = f"/v2/dns/{account_a.identifier}/records"
    with run_jobs():
        response = client.post(base, {"type": "MX", "record_name": "", "content": "mx.example.net", "priority": 5})
    assert response.status_code == 201 and response.content == b""
    record = DnsRecord.objects.get(type="MX")
    assert response["Location"] == f"{base}/{record.pk}"
    assert client.get(response["Location"]).json() == {
        "id": record.pk,
        "type": "MX",
        "record_name": "@",
        "ttl": 3600,
        "content": "mx.example.net",
        "priority": 5,
        "service": "",
        "weight": 0,
        "target": "",
        "protocol": "",
        "port": 0,
    }
    assert AuditEvent.objects.filter(action="dns_record.create", object_id=record.pk).count() == 1
    assert "5 mx.example.net." in zone_file(account_a)


def test_an_srv_record_is_made_from_its_parts_and_answered_with_them(client, account_a):
    base = f"/v2/dns/{account_a.identifier}/records"
    body = {"type": "SRV", "service": "_sip", "protocol": "UDP", "priority": 20, "weight": 5, "port": 5060}
    with run_jobs():
        response = client.post(base, {**body, "target": "sip.example.net.", "ttl": 600})
    assert response.status_code == 201, response.content
    record = DnsRecord.objects.get(type="SRV")
    assert client.get(response["Location"]).json() == {
        "id": record.pk,
        "type": "SRV",
        "record_name": "_sip._udp",
        "ttl": 600,
        "content": "",
        **body,
        "target": "sip.example.net",
    }
    # What is stored is what the DNS server serves: priority, weight, port and target in that order.
    assert f"_sip._udp.{account_a.identifier}. 600 IN SRV 20 5 5060 sip.example.net." in zone_file(account_a)
    assert [r["id"] for r in client.get(f"{base}?service=_sip").json()] == [record.pk]
    assert client.get(f"{base}?service=_xmpp").json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"protocol": "TCP", "port": 5060, "target": "bad target"}, "target"),
        ({"protocol": "ICMP", "port": 5060, "target": "sip.example.net"}, "protocol"),
        ({"protocol": "TCP", "port": 0, "target": "sip.example.net"}, "port"),
        ({"protocol": "TCP", "target": "sip.example.net"}, "port"),
        ({"protocol": "TCP", "port": 5060, "target": "sip.example.net", "weight": -1}, "weight"),
        ({"protocol": "TCP", "port": 5060, "target": "sip.example.net", "priority": 10000}, "priority"),
    ],
)
def test_a_bad_srv_record_is_a_400_naming_its_field(client, account_a, body, field):
    response = client.post(f"/v2/dns/{account_a.identifier}/records", {"type": "SRV", "service": "_sip", **body})
    assert response.status_code == 400, response.content
    assert response.json()["validation_errors"][0]["field"] == field
    assert not DnsRecord.objects.filter(type="SRV").exists()


@pytest.mark.parametrize(
    "body",
    [
        {"type": "A", "record_name": "www", "content": "192.0.2.5"},
        {"type": "SRV", "service": "_xmpp", "protocol": "TCP", "port": 5222, "target": "xmpp.example.net"},
    ],
)
def test_a_record_read_can_be_sent_back_unchanged(client, account_a, body):
    base = f"/v2/dns/{account_a.identifier}/records"
    with run_jobs():
        location = client.post(base, body)["Location"]
    read = client.get(location).json()
    with run_jobs():
        response = client.put(location, {**read, "ttl": 900})
    assert response.status_code == 200, response.content
    assert client.get(location).json() == {**read, "ttl": 900}


def test_edit_and_delete_change_the_zone_file(client, account_a):
    base = f"/v2/dns/{account_a.identifier}/records"
    with run_jobs():
        location = client.post(base, {"type": "TXT", "record_name": "note", "content": "first"})["Location"]
    serial = account_a.dns_zone.__class__.objects.get(pk=account_a.dns_zone.pk).serial
    with run_jobs():
        assert client.put(location, {"content": "second", "ttl": 120}).status_code == 200
    assert '120 IN TXT "second"' in zone_file(account_a)
    assert account_a.dns_zone.__class__.objects.get(pk=account_a.dns_zone.pk).serial > serial
    with run_jobs():
        assert client.delete(location).status_code == 204
    assert "second" not in zone_file(account_a)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "A", "content": "nope"}, "content"),
        ({"type": "A", "content": "192.0.2.1", "ttl": 30}, "ttl"),
        ({"type": "A", "content": "192.0.2.1", "ttl": "soon"}, "ttl"),
        ({"type": "SPF", "content": "x"}, "type"),
        ({"type": "A", "record_name": "www.elsewhere.example.", "content": "192.0.2.1"}, "record_name"),
    ],
)
def test_a_bad_record_is_a_400_naming_its_field(client, account_a, body, field):
    before = DnsRecord.objects.count()
    response = client.post(f"/v2/dns/{account_a.identifier}/records", body)
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert response.json()["validation_errors"][0]["field"] == field
    assert DnsRecord.objects.count() == before


def test_a_cname_stands_alone(client, account_a):
    base = f"/v2/dns/{account_a.identifier}/records"
    with run_jobs():
        assert client.post(base, {"type": "A", "record_name": "x", "content": "192.0.2.1"}).status_code == 201
    response = client.post(base, {"type": "CNAME", "record_name": "x", "content": "y.example.net"})
    assert response.status_code == 400 and response.json()["validation_errors"][0]["field"] == "record_name"


def test_another_resellers_zone_is_not_found(api_client, tenant_b, account_a):
    client = api_client(tenant_b, "full")
    response = client.get(f"/v2/dns/{account_a.identifier}/records")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_another_resellers_record_is_not_found(api_client, tenant_b, account_a):
    record = account_a.dns_zone.records.get(type="TXT")
    client = api_client(tenant_b, "full")
    response = client.get(f"/v2/dns/{account_a.identifier}/records/{record.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_deleting_the_account_removes_the_zone_file(account_a, full_a, django_capture_on_commit_callbacks):
    from apps.accounts.services import delete_account

    assert zone_file(account_a)
    with django_capture_on_commit_callbacks(execute=True):
        delete_account(principal=full_a, account_id=account_a.pk)
    assert not (settings.PANEEL_PROVISIONING_ROOT / "dns" / f"{account_a.identifier}.zone").exists()
