"""The DNS record routes against a real PowerDNS (marker `stack`): records made through the API answer `dig`, a
deleted one stops answering, a bad one is refused with its field; the account's default zone is served."""

from __future__ import annotations

import pytest

from apps.accounts.services import create_account
from apps.dns.drivers import PowerDnsDriver, ZoneSpec
from apps.dns.records import WireRecord
from apps.provisioning.drivers.base import DriverError
from apps.provisioning.models import ProvisioningJob
from apps.servers.models import Server
from tests.conftest import principal
from tests.stack.dns.conftest import dig
from tests.world import run_jobs

pytestmark = [pytest.mark.stack, pytest.mark.django_db]


@pytest.fixture
def servers(pdns, db):
    web = Server.objects.create(
        name="web1", hostname="web1.example.net", ipv4_address="192.0.2.10", ipv6_address="2001:db8::10", web=True
    )
    mail = Server.objects.create(name="mail1", hostname="mail1.example.net", mail=True)
    dns = Server.objects.create(
        name="dns1",
        hostname="ns1.example.net",
        dns=True,
        services={
            "pdns_api_url": pdns.api_url,
            "pdns_api_key": pdns.api_key,
            "nameservers": ["ns1.example.net", "ns2.example.net"],
        },
    )
    return {"web": web, "mail": mail, "dns": dns}


@pytest.fixture
def hosted(servers, tenant_a, servicepack):
    """An active account of A whose zone lives on the test's PowerDNS."""
    with run_jobs():
        account, _ = create_account(
            principal=principal(tenant_a, "owner"), identifier="dig-shop.example", servicepack=servicepack
        )
    return account


def test_the_accounts_zone_is_served_with_its_defaults(pdns, hosted):
    assert dig(pdns, "dig-shop.example", "A") == ["192.0.2.10"]
    assert dig(pdns, "www.dig-shop.example", "AAAA") == ["2001:db8::10"]
    assert dig(pdns, "dig-shop.example", "NS") == ["ns1.example.net.", "ns2.example.net."]
    assert dig(pdns, "dig-shop.example", "TXT") == ['"v=spf1 a mx ~all"']
    soa = dig(pdns, "dig-shop.example", "SOA")[0].split()
    assert soa[:2] == ["ns1.example.net.", "hostmaster.dig-shop.example."]
    assert int(soa[2]) == hosted.dns_zone.serial
    job = ProvisioningJob.objects.get(action="dns_zone.sync", target_id=str(hosted.dns_zone.pk))
    assert job.status == "finished" and job.server.name == "dns1"


def test_records_made_through_the_api_answer_and_a_deleted_one_stops(pdns, hosted, tenant_a, api_client):
    client = api_client(tenant_a, "write")
    base = "/v2/dns/dig-shop.example/records"
    with run_jobs():
        made = client.post(base, {"type": "A", "record_name": "shop", "content": "198.51.100.7", "ttl": 300})
    assert made.status_code == 201, made.content
    with run_jobs():
        assert (
            client.post(
                base, {"type": "MX", "record_name": "@", "content": "mx2.example.net", "priority": 20}
            ).status_code
            == 201
        )
        assert (
            client.post(
                base,
                {
                    "type": "SRV",
                    "service": "_sip",
                    "protocol": "TCP",
                    "target": "sip.example.net",
                    "port": 5060,
                    "priority": 5,
                    "weight": 10,
                },
            ).status_code
            == 201
        )
        assert client.post(base, {"type": "CAA", "content": "0 issue letsencrypt.org"}).status_code == 201
        assert (
            client.post(base, {"type": "CNAME", "record_name": "blog", "content": "shop.dig-shop.example"}).status_code
            == 201
        )
    assert dig(pdns, "shop.dig-shop.example") == ["198.51.100.7"]
    assert dig(pdns, "dig-shop.example", "MX") == ["10 mail1.example.net.", "20 mx2.example.net."]
    assert dig(pdns, "_sip._tcp.dig-shop.example", "SRV") == ["5 10 5060 sip.example.net."]
    assert dig(pdns, "dig-shop.example", "CAA") == ['0 issue "letsencrypt.org"']
    assert dig(pdns, "blog.dig-shop.example", "CNAME") == ["shop.dig-shop.example."]

    location = made["Location"]
    with run_jobs():
        assert client.put(location, {"content": "198.51.100.8"}).status_code == 200
    assert dig(pdns, "shop.dig-shop.example") == ["198.51.100.8"]
    with run_jobs():
        assert client.delete(location).status_code == 204
    assert dig(pdns, "shop.dig-shop.example") == []
    assert client.get(location).status_code == 404


def test_a_bad_record_is_refused_with_its_field_and_nothing_reaches_the_server(pdns, hosted, tenant_a, api_client):
    client = api_client(tenant_a, "write")
    jobs = ProvisioningJob.objects.count()
    response = client.post(
        "/v2/dns/dig-shop.example/records", {"type": "A", "record_name": "bad", "content": "300.1.1.1"}
    )
    assert response.status_code == 400
    assert response.json()["validation_errors"][0]["field"] == "content"
    response = client.post(
        "/v2/dns/dig-shop.example/records", {"type": "TXT", "record_name": "x.other.example.", "content": "hi"}
    )
    assert response.json()["validation_errors"][0]["field"] == "record_name"
    assert ProvisioningJob.objects.count() == jobs
    assert dig(pdns, "bad.dig-shop.example") == []


def test_deleting_the_account_removes_its_zone_from_powerdns(pdns, hosted, tenant_a):
    from apps.accounts.services import delete_account

    with run_jobs():
        delete_account(principal=principal(tenant_a, "owner"), account_id=hosted.pk)
    driver = PowerDnsDriver(pdns.api_url, pdns.api_key)
    assert driver.request("GET", driver.zone_path("dig-shop.example"))[0] == 404


def test_the_driver_applies_twice_to_the_same_zone_and_reports_a_refusal(pdns):
    driver = PowerDnsDriver(pdns.api_url, pdns.api_key)
    spec = ZoneSpec(
        name="twice.example",
        serial=7,
        primary_ns="ns1.example.net",
        hostmaster="hostmaster.twice.example",
        records=(
            WireRecord("twice.example.", "NS", 3600, "ns1.example.net."),
            WireRecord("a.twice.example.", "A", 60, "192.0.2.1"),
        ),
    )
    driver.apply(spec)
    driver.apply(spec)
    assert dig(pdns, "a.twice.example") == ["192.0.2.1"]
    with pytest.raises(DriverError) as refused:
        PowerDnsDriver(pdns.api_url, "wrong key").apply(spec)
    assert refused.value.code == "pdns_error"
    driver.delete("twice.example")
    driver.delete("twice.example")  # already gone: fine
    assert dig(pdns, "a.twice.example") == []
