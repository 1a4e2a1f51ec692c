"""The panel pages of DNS zones, domains and certificates: what they show and what their forms do."""

from __future__ import annotations

from django.urls import reverse

from apps.certificates.models import CertificateRequest
from apps.dns.models import DnsRecord
from apps.domains.services import register_domain
from tests.world import REGISTRANT


def test_zone_editor_lists_adds_and_deletes_records(owner, account_a, run_jobs):
    url = reverse("dns:zone", kwargs={"account_id": account_a.pk})
    page = owner.get(url).content.decode()
    assert "v=spf1 a mx ~all" in page and "ns1.paneel.test" in page
    response = owner.post(
        reverse("dns:record_add", kwargs={"account_id": account_a.pk}),
        {"type": "MX", "record_name": "@", "content": "mx.example.net", "priority": 5},
    )
    assert response.status_code == 302
    record = DnsRecord.objects.get(type="MX")
    assert "mx.example.net" in owner.get(url).content.decode()
    owner.post(reverse("dns:record_delete", kwargs={"record_id": record.pk}))
    assert not DnsRecord.objects.filter(pk=record.pk).exists()


def test_a_bad_record_is_a_form_error_on_its_field(owner, account_a):
    response = owner.post(
        reverse("dns:record_add", kwargs={"account_id": account_a.pk}), {"type": "A", "content": "not-an-ip"}
    )
    assert response.status_code == 200
    assert "is not an IPv4 address" in response.content.decode()
    assert not DnsRecord.objects.filter(type="A").exists()


def test_domains_page_shows_state_and_name_servers(owner, full_a):
    register_domain(principal=full_a, domain_name="listed.example", registrant=REGISTRANT)
    page = owner.get(reverse("domains:list")).content.decode()
    assert "listed.example" in page and "Registration pending" in page and "ns1.paneel.test" in page
    assert "waiting for the registrar" in page


def test_https_switch_orders_a_certificate_for_the_site(owner, account_a):
    hosting = account_a.assets.get(asset_type="linux_hosting")
    page = owner.get(reverse("certificates:list")).content.decode()
    assert "Switch https on" in page
    owner.post(reverse("certificates:https", kwargs={"asset_id": hosting.pk}), {"enabled": "on"})
    request = CertificateRequest.objects.get()
    assert request.hostname == hosting.name and request.private_key_encrypted
    assert hosting.name in owner.get(reverse("certificates:list")).content.decode()


def test_reader_sees_no_editing_forms(reader, account_a):
    page = reader.get(reverse("dns:zone", kwargs={"account_id": account_a.pk})).content.decode()
    assert "Add a record" not in page
    assert "Switch https on</button>" not in reader.get(reverse("certificates:list")).content.decode()
