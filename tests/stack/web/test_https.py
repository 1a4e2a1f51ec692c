"""Let's Encrypt on a Linux hosting through the real web stack: the hosting is made through the services on the
`WebStackDriver`, Pebble proves the name over HTTP-01 against the driver's own nginx, the driver writes the
site's HTTPS server block with the issued certificate, and the site's own page is served over https with the
Pebble root as the only trusted CA; the automatic redirect then turns plain HTTP into a 301. All daemons on
127.0.0.1, stopped after."""

from __future__ import annotations

import os
import pwd
import secrets
import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from apps.accounts.services import create_account
from apps.assets.models import Asset
from apps.certificates.jobs import renew_due_certificates
from apps.certificates.models import Certificate
from apps.provisioning.drivers.webstack import WebStackDriver
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.runner import spec_of
from apps.servers.models import Server
from tests.conftest import principal
from tests.stack.daemons import LOOPBACK, need
from tests.stack.dns.conftest import start_pdns
from tests.stack.ssl.conftest import start_pebble, stop
from tests.stack.web.conftest import PHP_VERSION, curl
from tests.world import run_jobs

pytestmark = [pytest.mark.stack, pytest.mark.django_db]


@pytest.fixture(scope="module")
def pebble_for_web_stack(web_stack, tmp_path_factory):
    """PowerDNS (the account's zone answers the VA's lookups) and Pebble, whose VA fetches HTTP-01 answers from
    the web stack's nginx port."""
    need("pebble", "curl")
    pdns_process, pdns = start_pdns(tmp_path_factory.mktemp("pdns-https"))
    try:
        pebble_process, pebble = start_pebble(
            tmp_path_factory.mktemp("pebble-https"), http_port=web_stack.http_port, dns_port=pdns.dns_port
        )
    except BaseException:
        stop(pdns_process)
        raise
    try:
        yield pebble, pdns
    finally:
        stop(pebble_process)
        stop(pdns_process)


@pytest.fixture
def shop(settings, web_stack, pebble_for_web_stack, tenant_a, servicepack):
    """An account whose Linux hosting lives on the web stack (its zone on the test's PowerDNS), with a page of
    its own; removed from the daemons after the test."""
    pebble, pdns = pebble_for_web_stack
    settings.PANEEL_DRIVERS = {
        **settings.PANEEL_DRIVERS,
        "linux_hosting": "apps.provisioning.drivers.webstack.WebStackDriver",
    }
    settings.PANEEL_PROVISIONING_ROOT = web_stack.root
    settings.PANEEL_ACME_DIRECTORY = pebble.directory_url
    settings.PANEEL_ACME_CA_BUNDLE = pebble.ca_bundle
    Server.objects.create(
        name=web_stack.server.name,
        hostname="localhost",
        ipv4_address=LOOPBACK,
        web=True,
        mail=True,
        provisioning_root=str(web_stack.root),
        services={**web_stack.services, "php_versions": [PHP_VERSION]},
    )
    Server.objects.create(
        name="dns-https",
        hostname="ns1.example.net",
        dns=True,
        services={"pdns_api_url": pdns.api_url, "pdns_api_key": pdns.api_key},
    )
    domain = f"shop-{secrets.token_hex(4)}.h8a.test"
    with run_jobs():
        account, _ = create_account(principal=principal(tenant_a, "owner"), identifier=domain, servicepack=servicepack)
    hosting = Asset.objects.get(account=account, asset_type="linux_hosting")
    page = web_stack.root / "sites" / domain / "www" / "index.html"
    page.write_text(f"the shop's own page at {domain}\n")
    user = pwd.getpwnam(hosting.details["system_user"])
    os.chown(page, user.pw_uid, user.pw_gid)
    yield hosting
    hosting.refresh_from_db()
    WebStackDriver.for_server(web_stack.server).delete(spec_of(hosting))


def https_get(web_stack, root_pem: Path, host: str) -> subprocess.CompletedProcess:
    """curl over https to the stack's nginx, trusting only `root_pem` (no -k: the chain and the name must hold)."""
    return subprocess.run(
        ["curl", "--silent", "--show-error", "--max-time", "10", "--cacert", str(root_pem),
         "--resolve", f"{host}:{web_stack.https_port}:{LOOPBACK}", f"https://{host}:{web_stack.https_port}/"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def served_certificate(web_stack, host: str) -> x509.Certificate:
    """The leaf certificate nginx presents for `host` (SNI)."""
    shown = subprocess.run(
        ["openssl", "s_client", "-connect", f"{LOOPBACK}:{web_stack.https_port}", "-servername", host],
        input="", capture_output=True, text=True, timeout=30, check=False,
    ).stdout  # fmt: skip
    return x509.load_pem_x509_certificate(shown[shown.index("-----BEGIN CERTIFICATE") :].encode())


def test_lets_encrypt_through_the_nginx_driver_serves_the_site_over_https_and_redirects(
    shop, web_stack, pebble_for_web_stack, tenant_a, api_client
):
    pebble, _ = pebble_for_web_stack
    domain = shop.name
    client = api_client(tenant_a, "write")
    assert curl(web_stack, domain)[:3:2] == (200, f"the shop's own page at {domain}\n".encode())
    assert https_get(web_stack, pebble.root_pem, domain).returncode != 0  # no https yet

    with run_jobs():
        response = client.put(f"/v2/linuxhostings/{domain}/sslsettings/{domain}/letsencrypt", {"enabled": True})
    assert response.status_code == 204, response.content
    job = ProvisioningJob.objects.filter(action="ssl_request.issue").latest("created_at")
    assert job.status == JobStatus.FINISHED, job.error
    certificate = Certificate.objects.get(hosting=shop)
    assert certificate.subject_alt_names == [domain]

    # The driver's file for the hosting now has the site's HTTPS block with the issued files; nginx accepts it.
    config = WebStackDriver.for_server(web_stack.server).config
    conf = config.nginx_site_path(WebStackDriver.for_server(web_stack.server).hosting(spec_of(shop))).read_text()
    ssl_dir = web_stack.root / "ssl" / domain
    assert f"ssl_certificate {ssl_dir / 'fullchain.pem'};" in conf
    assert f"ssl_certificate_key {ssl_dir / 'privkey.pem'};" in conf
    tested = subprocess.run([config.nginx_binary, "-t", "-c", str(config.nginx_config)], capture_output=True)
    assert tested.returncode == 0, tested.stderr

    fetched = https_get(web_stack, pebble.root_pem, domain)
    assert fetched.returncode == 0, fetched.stderr
    assert fetched.stdout == f"the shop's own page at {domain}\n"
    assert curl(web_stack, domain)[0] == 200  # plain HTTP still answers until the redirect is switched on

    with run_jobs():
        response = client.put(f"/v2/linuxhostings/{domain}/sslsettings/{domain}/autoredirect", {"enabled": True})
    assert response.status_code == 204, response.content
    status, headers, _ = curl(web_stack, domain, "/basket?item=1")
    assert status == 301 and headers["location"] == f"https://{domain}/basket?item=1"
    assert https_get(web_stack, pebble.root_pem, domain).stdout == f"the shop's own page at {domain}\n"

    # Renewal with the redirect on: HTTP-01 still reaches the challenge over plain HTTP, and nginx serves the new
    # certificate at once (the files changed, the server block's paths did not).
    Certificate.objects.filter(pk=certificate.pk).update(expires_after=certificate.not_before)
    with run_jobs():
        assert renew_due_certificates() == 1
    renewed = Certificate.objects.exclude(pk=certificate.pk).get(hosting=shop)
    assert (ssl_dir / "fullchain.pem").read_text() == renewed.fullchain_pem
    presented = served_certificate(web_stack, domain)
    assert presented.serial_number == x509.load_pem_x509_certificates(renewed.fullchain_pem.encode())[0].serial_number
    assert https_get(web_stack, pebble.root_pem, domain).stdout == f"the shop's own page at {domain}\n"


def dns_names(certificate: x509.Certificate) -> list[str]:
    return certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    )


def test_a_host_header_with_its_own_certificate_is_served_with_it_beside_the_sites_own(
    shop, web_stack, pebble_for_web_stack, tenant_a, api_client
):
    from apps.assets.hosting_services import add_host_header, delete_host_header

    pebble, _ = pebble_for_web_stack
    domain, www, alias = shop.name, f"www.{shop.name}", f"alias.{shop.name}"
    page = f"the shop's own page at {domain}\n"
    owner = principal(tenant_a, "owner")
    with run_jobs():  # www again, and an alias that gets no certificate, as host headers added through the services
        delete_host_header(principal=owner, asset_id=shop.pk, site_name=domain, domain_name=www)
        add_host_header(principal=owner, asset_id=shop.pk, site_name=domain, domain_name=www)
        add_host_header(principal=owner, asset_id=shop.pk, site_name=domain, domain_name=alias)
    client = api_client(tenant_a, "write")
    for hostname in (domain, www):
        with run_jobs():
            response = client.put(f"/v2/linuxhostings/{domain}/sslsettings/{hostname}/letsencrypt", {"enabled": True})
        assert response.status_code == 204, response.content
        job = ProvisioningJob.objects.filter(action="ssl_request.issue").latest("created_at")
        assert job.status == JobStatus.FINISHED, job.error
    assert sorted(c.subject_alt_names for c in Certificate.objects.filter(hosting=shop)) == [[domain], [www]]

    driver = WebStackDriver.for_server(web_stack.server)
    conf = driver.config.nginx_site_path(driver.hosting(spec_of(shop))).read_text()
    assert f"ssl_certificate {web_stack.root / 'ssl' / www / 'fullchain.pem'};" in conf
    assert f"    server_name {domain};" in conf and f"    server_name {www};" in conf
    tested = subprocess.run(
        [driver.config.nginx_binary, "-t", "-c", str(driver.config.nginx_config)], capture_output=True, text=True
    )
    assert tested.returncode == 0 and "conflicting server name" not in tested.stderr, tested.stderr

    for host in (domain, www):
        fetched = https_get(web_stack, pebble.root_pem, host)
        assert fetched.returncode == 0, fetched.stderr  # curl checks the name against the presented certificate
        assert fetched.stdout == page
        assert dns_names(served_certificate(web_stack, host)) == [host]
    assert https_get(web_stack, pebble.root_pem, alias).returncode != 0  # no certificate names it

    with run_jobs():
        response = client.put(f"/v2/linuxhostings/{domain}/sslsettings/{www}/autoredirect", {"enabled": True})
    assert response.status_code == 204, response.content
    for host in (domain, www):
        status, headers, _ = curl(web_stack, host, "/basket")
        assert status == 301 and headers["location"] == f"https://{host}/basket"
    # The alias has no certificate: it keeps being served over plain HTTP rather than redirected to a wrong one.
    assert curl(web_stack, alias)[:3:2] == (200, page.encode())
