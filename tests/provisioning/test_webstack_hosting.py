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
