"""Certificates over ACME against Pebble (marker `stack`): HTTP-01 through the web server's challenge directory,
DNS-01 through the account's zone on PowerDNS; the request answers 200 while pending, then 303; a failed
validation ends in 410; Let's Encrypt on a hosting puts the certificate where nginx serves it over https."""

from __future__ import annotations

import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from apps.accounts.services import create_account
from apps.certificates.jobs import renew_due_certificates
from apps.certificates.models import Certificate, CertificateRequest
from apps.core.models import AuditEvent
from apps.provisioning.models import ProvisioningJob
from apps.provisioning.runner import run_job
from apps.servers.models import Server
from tests.conftest import principal
from tests.stack.daemons import LOOPBACK
from tests.world import run_jobs

pytestmark = [pytest.mark.stack, pytest.mark.django_db]
DOMAIN = "acme-shop.example"


@pytest.fixture
def hosted(acme_stack, settings, tenant_a, servicepack):
    settings.PANEEL_ACME_DIRECTORY = acme_stack.directory_url
    settings.PANEEL_ACME_CA_BUNDLE = acme_stack.ca_bundle
    Server.objects.create(
        name="web1",
        hostname="web1.example.net",
        ipv4_address=LOOPBACK,
        web=True,
        mail=True,
        provisioning_root=str(acme_stack.web_root),
    )
    Server.objects.create(
        name="dns1",
        hostname="ns1.example.net",
        dns=True,
        services={"pdns_api_url": acme_stack.pdns.api_url, "pdns_api_key": acme_stack.pdns.api_key},
    )
    with run_jobs():
        account, _ = create_account(principal=principal(tenant_a, "owner"), identifier=DOMAIN, servicepack=servicepack)
    return account


def csr_for(*names: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def issue_job(request_pk: int) -> ProvisioningJob:
    return ProvisioningJob.objects.filter(action="ssl_request.issue", target_id=str(request_pk)).latest("created_at")


def request_through_the_api(client, body: dict):
    created = client.post("/v2/sslcertificaterequests", body)
    assert created.status_code == 201, created.content
    return created["Location"]


@pytest.mark.parametrize("challenge", ["http-01", "dns-01"])
def test_a_certificate_is_issued_and_the_request_answers_200_then_303(
    challenge, hosted, acme_stack, tenant_a, api_client
):
    client = api_client(tenant_a, "write")
    names = (DOMAIN, f"www.{DOMAIN}")
    location = request_through_the_api(client, {"csr": csr_for(*names), "challenge": challenge})
    pending = client.get(location)
    assert pending.status_code == 200
    assert pending.json()["common_name"] == DOMAIN
    assert {v["dns_name"] for v in pending.json()["validations"]} == set(names)

    request = CertificateRequest.objects.get(pk=location.rsplit("/", 1)[1])
    assert run_job(issue_job(request.pk).pk) == "finished", issue_job(request.pk).error
    done = client.get(location)
    assert done.status_code == 303
    certificate = Certificate.objects.get()
    assert done["Location"] == f"/v2/sslcertificates/{certificate.sha1_fingerprint}"
    assert set(certificate.subject_alt_names) == set(names)
    assert certificate.private_key_encrypted is None and certificate.auto_renew is False  # the client's key

    detail = client.get(done["Location"]).json()
    assert detail["common_name"] == DOMAIN and {a["value"] for a in detail["subject_alt_names"]} == set(names)
    pem = client.get(f"{done['Location']}/download?file_format=pem")
    assert pem["Content-Type"] == "application/x-pem-file" and pem.content.startswith(b"-----BEGIN CERTIFICATE")
    leaf = x509.load_pem_x509_certificates(pem.content)[0]
    assert leaf.fingerprint(hashes.SHA1()).hex() == certificate.sha1_fingerprint  # noqa: S303
    assert b"PRIVATE KEY" not in pem.content
    assert not list((acme_stack.web_root / "acme-challenges").iterdir())  # challenges cleaned up


def test_a_failed_validation_ends_in_410(hosted, tenant_a, api_client):
    client = api_client(tenant_a, "write")
    location = request_through_the_api(client, {"csr": csr_for(f"nowhere.{DOMAIN}")})  # no A record: unreachable
    request = CertificateRequest.objects.get(pk=location.rsplit("/", 1)[1])
    assert run_job(issue_job(request.pk).pk) == "failed"
    gone = client.get(location)
    assert gone.status_code == 410 and gone.json()["code"] == "gone"
    assert client.put(location).status_code == 410
    assert issue_job(request.pk).error["code"] == "acme_validation_failed"
    assert not Certificate.objects.exists()


def test_lets_encrypt_on_a_hosting_is_served_over_https_and_renewed(hosted, acme_stack, tenant_a, api_client):
    client = api_client(tenant_a, "write")
    with run_jobs():
        response = client.put(f"/v2/linuxhostings/{DOMAIN}/sslsettings/{DOMAIN}/letsencrypt", {"enabled": True})
    assert response.status_code == 204, response.content
    certificate = Certificate.objects.get()
    assert certificate.hostname == DOMAIN and certificate.auto_renew
    files = acme_stack.web_root / "ssl" / DOMAIN
    assert (files / "privkey.pem").stat().st_mode & 0o777 == 0o600
    assert b"PRIVATE KEY" in (files / "privkey.pem").read_bytes()
    assert b"PRIVATE KEY" not in bytes(certificate.private_key_encrypted)  # encrypted at rest
    hosting = hosted.assets.get(asset_type="linux_hosting")
    assert hosting.details["sites"][0]["ssl_enabled"] is True
    assert AuditEvent.objects.filter(action="linux_hosting.set_letsencrypt").count() == 1

    acme_stack.nginx.serve_https(DOMAIN)
    fetched = subprocess.run(
        [
            acme_stack.curl,
            "--silent",
            "--show-error",
            "--cacert",
            str(acme_stack.root_pem),
            "--resolve",
            f"{DOMAIN}:{acme_stack.nginx.https_port}:{LOOPBACK}",
            f"https://{DOMAIN}:{acme_stack.nginx.https_port}/",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == f"hello over https from {DOMAIN}\n"

    # Renewal: due once it expires within PANEEL_SSL_RENEW_DAYS; the sweep starts it once, its job replaces it.
    Certificate.objects.filter(pk=certificate.pk).update(expires_after=certificate.not_before)
    with run_jobs():
        assert renew_due_certificates() == 1
    assert renew_due_certificates() == 0
    certificate.refresh_from_db()
    renewed = Certificate.objects.exclude(pk=certificate.pk).get()
    assert certificate.replaced_by == renewed and renewed.auto_renew and not certificate.auto_renew
    assert (files / "fullchain.pem").read_text() == renewed.fullchain_pem
