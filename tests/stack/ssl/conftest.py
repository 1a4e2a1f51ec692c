"""Pebble (Debian `pebble`) as the ACME CA, with its own TLS certificate made here, its VA pointed at the test's
PowerDNS for name lookups and at the test's nginx for HTTP-01; all on 127.0.0.1, stopped after the session."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import ssl
import subprocess
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.stack.daemons import LOOPBACK, free_port, need, wait_for_port
from tests.stack.dns.conftest import start_pdns


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def pem_key(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def tls_for_pebble(directory: Path) -> tuple[Path, Path, Path]:
    """A throw-away CA and a certificate for 127.0.0.1 signed by it: Pebble's own HTTPS (the ACME API)."""
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "paneel test CA for pebble")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(pem_key(key))
    return paths


@pytest.fixture(scope="session")
def pdns_for_acme(tmp_path_factory):
    process, info = start_pdns(tmp_path_factory.mktemp("pdns-acme"))
    yield info
    stop(process)


NGINX_CONF = """
daemon off;
master_process on;
worker_processes 1;
user root;
pid {dir}/nginx.pid;
error_log {dir}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {dir}/access.log;
    client_body_temp_path {dir}/tmp-body;
    proxy_temp_path {dir}/tmp-proxy;
    fastcgi_temp_path {dir}/tmp-fastcgi;
    uwsgi_temp_path {dir}/tmp-uwsgi;
    scgi_temp_path {dir}/tmp-scgi;
    default_type text/plain;
    server {{
        listen {loopback}:{http_port} default_server;
        location /.well-known/acme-challenge/ {{ alias {root}/acme-challenges/; }}
        location / {{ return 200 "plain http\\n"; }}
    }}
{https}
}}
"""

HTTPS_BLOCK = """
    server {{
        listen {loopback}:{https_port} ssl;
        server_name {host};
        ssl_certificate {root}/ssl/{host}/fullchain.pem;
        ssl_certificate_key {root}/ssl/{host}/privkey.pem;
        location / {{ return 200 "hello over https from {host}\\n"; }}
    }}
"""


class TestNginx:
    """nginx serving the challenge directory of the contract over http (and, once told, a site over https)."""

    def __init__(self, directory: Path, root: Path) -> None:
        self.binary = need("nginx")["nginx"]
        self.directory, self.root = directory, root
        self.http_port, self.https_port = free_port(), free_port()
        self.conf = directory / "nginx.conf"
        self.hosts: list[str] = []
        self.write()
        self.process = subprocess.Popen([self.binary, "-c", str(self.conf)], stderr=subprocess.PIPE)
        wait_for_port(self.http_port)

    def write(self) -> None:
        https = "".join(
            HTTPS_BLOCK.format(loopback=LOOPBACK, https_port=self.https_port, host=h, root=self.root)
            for h in self.hosts
        )
        self.conf.write_text(
            NGINX_CONF.format(
                dir=self.directory, loopback=LOOPBACK, http_port=self.http_port, root=self.root, https=https
            )
        )

    def serve_https(self, host: str) -> None:
        """Add a 443-style server block reading the contract's certificate paths, test the config, reload."""
        self.hosts.append(host)
        self.write()
        subprocess.run([self.binary, "-t", "-c", str(self.conf)], check=True, capture_output=True)
        subprocess.run([self.binary, "-c", str(self.conf), "-s", "reload"], check=True, capture_output=True)
        wait_for_port(self.https_port)


def start_pebble(directory: Path, *, http_port: int, dns_port: int) -> tuple[subprocess.Popen, SimpleNamespace]:
    """Pebble on loopback, its VA resolving names through the DNS server on `dns_port` and fetching HTTP-01 answers
    from `http_port`; its root certificate fetched to `<directory>/pebble-root.pem`. Stop the process after."""
    binaries = need("pebble")
    ca, cert, key = tls_for_pebble(directory)
    acme_port, management_port = free_port(), free_port()
    config = directory / "pebble.json"
    config.write_text(
        json.dumps(
            {
                "pebble": {
                    "listenAddress": f"{LOOPBACK}:{acme_port}",
                    "managementListenAddress": f"{LOOPBACK}:{management_port}",
                    "certificate": str(cert),
                    "privateKey": str(key),
                    "httpPort": http_port,
                    "tlsPort": free_port(),
                    "ocspResponderURL": "",
                    "externalAccountBindingRequired": False,
                }
            }
        )
    )
    env = {**os.environ, "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0", "PEBBLE_AUTHZREUSE": "0"}
    log = (directory / "pebble.log").open("w")
    pebble = subprocess.Popen(
        [binaries["pebble"], "-config", str(config), "-dnsserver", f"{LOOPBACK}:{dns_port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        wait_for_port(acme_port)
        wait_for_port(management_port)
        context = ssl.create_default_context(cafile=str(ca))
        with urllib.request.urlopen(f"https://{LOOPBACK}:{management_port}/roots/0", context=context) as answer:  # noqa: S310
            (directory / "pebble-root.pem").write_bytes(answer.read())
    except BaseException:
        stop(pebble)
        raise
    return pebble, SimpleNamespace(
        directory_url=f"https://{LOOPBACK}:{acme_port}/dir",
        ca_bundle=str(ca),
        root_pem=directory / "pebble-root.pem",
        log=directory / "pebble.log",
    )


@pytest.fixture(scope="session")
def acme_stack(tmp_path_factory, pdns_for_acme):
    binaries = need("pebble", "curl", "nginx")
    directory = tmp_path_factory.mktemp("acme")
    web_root = directory / "web"
    (web_root / "acme-challenges").mkdir(parents=True)
    nginx = TestNginx(directory, web_root)
    try:
        pebble, info = start_pebble(directory, http_port=nginx.http_port, dns_port=pdns_for_acme.dns_port)
    except BaseException:
        stop(nginx.process)
        raise
    try:
        yield SimpleNamespace(**vars(info), web_root=web_root, nginx=nginx, pdns=pdns_for_acme, curl=binaries["curl"])
    finally:
        stop(pebble)
        stop(nginx.process)
