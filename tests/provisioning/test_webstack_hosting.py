"""The web-stack driver's reading of linux_hosting details: defaults for old assets, refusals before any work."""

from __future__ import annotations

import pytest

from apps.provisioning.drivers.base import AssetSpec, DriverError, ServerInfo
from apps.provisioning.drivers.cron import checked_cron_expression, render_crontab
from apps.provisioning.drivers.hosting import ScheduledTask, checked_hosting
from apps.provisioning.drivers.phpfpm import available_php_versions


def spec(**details) -> AssetSpec:
    return AssetSpec(
        asset_type="linux_hosting",
        name="example.com",
        account_identifier="example.com",
        max_size=100,
        details={"system_user": "ex_example", **details},
    )


def test_an_old_asset_without_the_new_keys_gets_the_kinds_defaults():
    hosting = checked_hosting(spec(domain_name="example.com"))
    assert (hosting.php_version, hosting.php_memory_limit, hosting.apcu_enabled, hosting.gzip_enabled) == (
        "8.2",
        128,
        False,
        True,
    )
    assert (hosting.ftp_enabled, hosting.ssh_enabled, hosting.ssh_keys, hosting.scheduled_tasks) == (
        True,
        False,
        (),
        (),
    )
    [main] = hosting.sites
    assert (main.name, main.path, main.host_headers, main.http2_enabled) == ("example.com", "/www", (), True)


def test_subsites_default_to_their_own_folder_and_disabled_host_headers_are_dropped():
    hosting = checked_hosting(
        spec(
            sites=[
                {"name": "example.com", "host_headers": [{"name": "www.example.com", "enabled": True},
                                                         {"name": "old.example.com", "enabled": False}]},
                {"name": "blog.example.com"},
            ]
        )
    )  # fmt: skip
    assert hosting.sites[0].server_names == ("example.com", "www.example.com")
    assert hosting.sites[1].path == "/subsites/blog.example.com"


@pytest.mark.parametrize(
    "details",
    [
        {"system_user": "Root"},
        {"system_user": "1abc"},
        {"system_user": "a" * 33},
        {"system_user": "ab;rm"},
        {"php_version": "8.2; rm"},
        {"php_memory_limit": "128"},
        {"php_memory_limit": 0},
        {"gzip_enabled": "yes"},
        {"ftp_password_hash": "plain-text"},
        {"domain_name": "other.com"},
        {"sites": [{"name": "other.com"}]},
        {"sites": [{"name": "example.com", "path": "/../etc"}]},
        {"sites": [{"name": "example.com", "path": "/"}]},
        {"sites": [{"name": "example.com", "path": "/tmp"}]},
        {"sites": [{"name": "example.com", "path": "/my site"}]},
        {"sites": [{"name": "example.com", "path": "/www;"}]},
        {"sites": [{"name": "example.com", "path": "/$host"}]},
        {"sites": [{"name": "example.com", "path": "/.ssh"}]},
        {"sites": [{"name": "example.com", "host_headers": [{"name": "bad host"}]}]},
        {"sites": [{"name": "example.com"}, {"name": "example.com"}]},
        {"scheduled_tasks": [{"id": "x", "cron_expression": "* * * * *", "script_location": "/a.sh"}]},
    ],
)
def test_bad_details_are_refused_as_invalid_spec(details):
    with pytest.raises(DriverError) as refused:
        checked_hosting(spec(**details))
    assert refused.value.code == "invalid_spec"


@pytest.mark.parametrize(
    ("expression", "normalised"),
    [
        ("*/5  * * * *", "*/5 * * * *"),
        ("0 3 * * SUN", "0 3 * * sun"),
        ("@Daily", "@daily"),
        ("0-30/10 1,2 1 jan-mar 1-5", "0-30/10 1,2 1 jan-mar 1-5"),
    ],
)
def test_cron_expressions_cron_accepts_are_normalised(expression, normalised):
    assert checked_cron_expression(expression) == normalised


def test_a_crontab_without_enabled_tasks_is_no_crontab():
    task = ScheduledTask(id="1" * 32, enabled=False, cron_expression="* * * * *", script_location="/a.sh")
    assert render_crontab(domain="example.com", home="/h", php_binary="/usr/bin/php8.2", tasks=[task]) is None


def test_available_php_versions_come_from_the_server_or_the_installed_binaries(tmp_path):
    server = ServerInfo(name="web1", hostname="web1", services={"php_versions": ["8.3", "7.4", "8.2"]})
    assert available_php_versions(server) == ["7.4", "8.2", "8.3"]
    for version in ("8.1", "8.3"):
        (tmp_path / f"php-fpm{version}").touch()
    server = ServerInfo(name="web1", hostname="web1", services={"php_fpm_binary": f"{tmp_path}/php-fpm{{version}}"})
    assert available_php_versions(server) == ["8.1", "8.3"]


@pytest.mark.parametrize(
    ("version", "listen", "switch"),
    [((1, 22, 1), "listen 443 ssl http2;", None), ((1, 25, 1), "listen 443 ssl;", "http2 on;")],
)
def test_http2_is_a_listen_flag_on_old_nginx_and_a_per_server_switch_on_new(
    monkeypatch, tmp_path, version, listen, switch
):
    from apps.provisioning.drivers import nginx
    from apps.provisioning.drivers.webstack import WebStackConfig

    monkeypatch.setattr(nginx, "nginx_version", lambda binary: version)
    site = {"name": "example.com", "ssl_enabled": True, "http2_enabled": True}
    hosting = checked_hosting(spec(sites=[site]))
    certificate = (tmp_path / "fullchain.pem", tmp_path / "privkey.pem")
    certificate[0].write_text("chain")
    text = nginx.render_config(hosting, WebStackConfig(root=tmp_path), certificates={"example.com": certificate})
    assert f"    {listen}" in text and "    listen 80;" in text
    assert (f"    {switch}" in text) if switch else ("http2 on;" not in text)
    assert f"ssl_certificate {tmp_path}/fullchain.pem;" in text


def test_a_renewed_certificate_at_the_same_paths_changes_the_nginx_file(monkeypatch, tmp_path):
    """Else `apply_config` sees the same bytes, skips the reload, and nginx keeps presenting the old certificate."""
    from apps.provisioning.drivers import nginx
    from apps.provisioning.drivers.webstack import WebStackConfig

    monkeypatch.setattr(nginx, "nginx_version", lambda binary: (1, 22, 1))
    hosting = checked_hosting(spec(sites=[{"name": "example.com", "ssl_enabled": True}]))
    certificate = (tmp_path / "fullchain.pem", tmp_path / "privkey.pem")
    config = WebStackConfig(root=tmp_path)
    certificate[0].write_text("first chain")
    first = nginx.render_config(hosting, config, certificates={"example.com": certificate})
    assert nginx.render_config(hosting, config, certificates={"example.com": certificate}) == first
    certificate[0].write_text("renewed chain")
    assert nginx.render_config(hosting, config, certificates={"example.com": certificate}) != first


def issued(tmp_path, name: str, *sans: str) -> tuple:
    """A real certificate for `sans` at `<tmp_path>/ssl/<name>/`, where the certificate job writes one."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sans[0])])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(san) for san in sans]), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory = tmp_path / "ssl" / name
    directory.mkdir(parents=True)
    (directory / "fullchain.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_text("key")
    return directory / "fullchain.pem", directory / "privkey.pem"


def server_blocks(text: str) -> list[tuple[str, list[str], str]]:
    """Each server block of an nginx file as (https or http, its server names, its text)."""
    found = []
    for block in text.split("\nserver {")[1:]:
        names = block.split("    server_name ", 1)[1].split(";", 1)[0].split()
        found.append(("https" if "ssl_certificate " in block else "http", names, block))
    return found


def rendered(monkeypatch, tmp_path, certificates: dict, *, redirect: bool = False) -> list:
    from apps.provisioning.drivers import nginx
    from apps.provisioning.drivers.webstack import WebStackConfig

    monkeypatch.setattr(nginx, "nginx_version", lambda binary: (1, 22, 1))
    site = {
        "name": "example.com",
        "host_headers": [{"name": "www.example.com"}, {"name": "shop.example.com"}],
        "ssl_enabled": True,
        "https_redirect_enabled": redirect,
    }
    hosting = checked_hosting(spec(sites=[site, {"name": "blog.example.com"}]))
    return server_blocks(nginx.render_config(hosting, WebStackConfig(root=tmp_path), certificates=certificates))


def https_names(blocks) -> list[list[str]]:
    return [names for scheme, names, _ in blocks if scheme == "https"]


def test_a_host_header_with_its_own_certificate_gets_its_own_https_block(monkeypatch, tmp_path):
    site = issued(tmp_path, "example.com", "example.com")
    www = issued(tmp_path, "www.example.com", "www.example.com")
    blocks = rendered(monkeypatch, tmp_path, {"example.com": site, "www.example.com": www})
    assert https_names(blocks) == [["example.com"], ["www.example.com"]]
    [www_block] = [text for scheme, names, text in blocks if names == ["www.example.com"]]
    assert f"ssl_certificate {www[0]};" in www_block and f"ssl_certificate_key {www[1]};" in www_block
    assert f"root {tmp_path}/sites/example.com/www;" in www_block  # the site's own body
    assert "# Certificate chain sha256 " in www_block
    # Without the redirect plain HTTP answers every name of the site, in one block.
    assert [names for scheme, names, _ in blocks if scheme == "http"] == [
        ["example.com", "www.example.com", "shop.example.com"],
        ["blog.example.com"],
    ]


def test_the_site_block_answers_only_the_names_its_certificate_covers(monkeypatch, tmp_path):
    both = issued(tmp_path, "example.com", "example.com", "www.example.com")
    assert https_names(rendered(monkeypatch, tmp_path, {"example.com": both})) == [["example.com", "www.example.com"]]
    # A name's own certificate wins over the site's that also covers it: no name is in two HTTPS blocks.
    www = issued(tmp_path, "www.example.com", "www.example.com")
    blocks = rendered(monkeypatch, tmp_path, {"example.com": both, "www.example.com": www})
    assert https_names(blocks) == [["example.com"], ["www.example.com"]]
    wildcard = issued(tmp_path / "w", "example.com", "example.com", "*.example.com")
    blocks = rendered(monkeypatch, tmp_path, {"example.com": wildcard, "www.example.com": www})
    assert https_names(blocks) == [["example.com", "shop.example.com"], ["www.example.com"]]
    named = [name for names in https_names(blocks) for name in names]
    assert len(named) == len(set(named))


def test_a_certificate_file_that_is_not_pem_covers_only_its_own_name(monkeypatch, tmp_path):
    chain = tmp_path / "fullchain.pem"
    chain.write_text("not a certificate")
    blocks = rendered(monkeypatch, tmp_path, {"example.com": (chain, tmp_path / "privkey.pem")})
    assert https_names(blocks) == [["example.com"]]


def test_the_https_redirect_is_only_for_names_with_a_certificate(monkeypatch, tmp_path):
    www = issued(tmp_path, "www.example.com", "www.example.com")
    blocks = rendered(monkeypatch, tmp_path, {"www.example.com": www}, redirect=True)
    http = [
        (names, "return 301 https://$host$request_uri;" in text) for scheme, names, text in blocks if scheme == "http"
    ]
    assert http == [
        (["www.example.com"], True),
        (["example.com", "shop.example.com"], False),
        (["blog.example.com"], False),
    ]
    assert https_names(blocks) == [["www.example.com"]]
    # Every name of the site with a certificate: one redirecting block, as before.
    site = issued(tmp_path, "example.com", "example.com", "shop.example.com")
    blocks = rendered(monkeypatch, tmp_path, {"example.com": site, "www.example.com": www}, redirect=True)
    assert [names for scheme, names, _ in blocks if scheme == "http"][0] == [
        "example.com",
        "shop.example.com",
        "www.example.com",
    ]
    assert len([scheme for scheme, _, _ in blocks if scheme == "http"]) == 2  # that one and blog's


@pytest.mark.parametrize("driver_path", ["local.LinuxHostingDriver", "webstack.WebStackDriver"])
def test_deleting_a_hosting_removes_the_certificates_of_its_names(tmp_path, driver_path):
    import importlib

    module, name = driver_path.split(".")
    driver_class = getattr(importlib.import_module(f"apps.provisioning.drivers.{module}"), name)
    services = {
        "nginx_sites_dir": str(tmp_path / "nginx"),
        "php_versions": ["8.2"],
        "php_fpm_pool_dir": str(tmp_path / "pool.d"),
        "cron_spool_dir": str(tmp_path / "crontabs"),
        "pureftpd_passwd": str(tmp_path / "ftp" / "passwd"),
        "pureftpd_db": str(tmp_path / "ftp" / "pureftpd.pdb"),
    }
    (tmp_path / "ftp").mkdir()
    (tmp_path / "ftp" / "pureftpd.pdb").touch()
    root = tmp_path / "root"
    driver = driver_class.for_server(ServerInfo(name="web1", hostname="web1", root=str(root), services=services))
    sites = [
        {"name": "example.com", "host_headers": [{"name": "www.example.com"},
                                                 {"name": "old.example.com", "enabled": False}]},
        {"name": "blog.example.com"},
    ]  # fmt: skip
    for name in ("example.com", "www.example.com", "old.example.com", "blog.example.com", "other.com"):
        issued(root, name, name)
    (root / "sites" / "example.com").mkdir(parents=True)
    driver.delete(spec(sites=sites))
    assert sorted(path.name for path in (root / "ssl").iterdir()) == ["other.com"]
    assert not (root / "sites" / "example.com").exists()
