"""nginx + PHP-FPM through the web-stack driver: the site answers through a real nginx with its own PHP pool."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from apps.provisioning.drivers.base import DriverError
from apps.provisioning.drivers.webstack import WebStackDriver, reload_web_server
from tests.stack.web.conftest import curl, make_spec, with_details

pytestmark = pytest.mark.stack


@pytest.fixture
def driver(web_stack):
    return WebStackDriver.for_server(web_stack.server)


@pytest.fixture
def hosting(driver, web_stack):
    """A created hosting, deleted after the test."""
    created = []

    def make(**details):
        spec = make_spec(web_stack, **details)
        driver.create(spec)
        created.append(spec)
        return spec

    yield make
    for spec in created:
        driver.delete(spec)


def home_of(web_stack, spec) -> Path:
    return Path(web_stack.root) / "sites" / spec.name


def put(web_stack, spec, relative: str, content: str) -> None:
    """A customer's file, owned by the site user, as an upload would leave it."""
    path = home_of(web_stack, spec) / relative.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    user = pwd.getpwnam(spec.details["system_user"])
    os.chown(path, user.pw_uid, user.pw_gid)


def test_site_serves_its_index_and_phpinfo_with_the_configured_version_and_memory_limit(hosting, web_stack):
    spec = hosting(php_memory_limit=192)
    status, _, body = curl(web_stack, spec.name)
    assert status == 200
    assert spec.name.encode() in body  # the default index names the site

    put(web_stack, spec, "www/info.php", "<?php phpinfo();")
    status, _, body = curl(web_stack, spec.name, "/info.php")
    assert status == 200
    text = body.decode()
    assert re.search(r"PHP Version 8\.2\.\d+", text)
    assert re.search(r"memory_limit</td><td class=\"v\">192M</td>", text)


def test_php_runs_as_the_hostings_own_system_user(hosting, web_stack):
    spec = hosting()
    put(web_stack, spec, "www/whoami.php", "<?php echo posix_getpwuid(posix_geteuid())['name'];")
    status, _, body = curl(web_stack, spec.name, "/whoami.php")
    assert (status, body.decode()) == (200, spec.details["system_user"])
    user = pwd.getpwnam(spec.details["system_user"])
    assert user.pw_dir == str(home_of(web_stack, spec))
    assert home_of(web_stack, spec).stat().st_uid == user.pw_uid


def test_memory_limit_and_apcu_change_on_update(driver, hosting, web_stack):
    spec = hosting()
    put(
        web_stack,
        spec,
        "www/ini.php",
        "<?php echo ini_get('memory_limit'), ' ', apcu_enabled() ? 'apcu-on' : 'apcu-off';",
    )
    assert curl(web_stack, spec.name, "/ini.php")[:3:2] == (200, b"128M apcu-off")
    driver.update(with_details(spec, php_memory_limit=256, apcu_enabled=True))
    assert curl(web_stack, spec.name, "/ini.php")[2] == b"256M apcu-on"


def test_host_header_and_subsite_answer(driver, hosting, web_stack):
    spec = hosting()
    domain = spec.name
    sites = [
        {**spec.details["sites"][0], "host_headers": [{"name": f"www.{domain}", "enabled": True},
                                                      {"name": f"old.{domain}", "enabled": False}]},
        {"name": f"blog.{domain}", "path": f"/subsites/blog.{domain}", "host_headers": []},
    ]  # fmt: skip
    driver.update(with_details(spec, sites=sites))
    put(web_stack, spec, "www/index.html", "main site")
    put(web_stack, spec, f"subsites/blog.{domain}/index.html", "the blog")

    assert curl(web_stack, f"www.{domain}")[:3:2] == (200, b"main site")
    assert curl(web_stack, f"blog.{domain}")[:3:2] == (200, b"the blog")
    # A disabled host header is not served by this hosting.
    assert curl(web_stack, f"old.{domain}")[0] == 404


def test_gzip_on_and_off_shows_in_the_response(driver, hosting, web_stack):
    spec = hosting()
    put(web_stack, spec, "www/index.html", "<p>compress me</p>\n" * 200)
    _, headers, _ = curl(web_stack, spec.name, "/", "-H", "Accept-Encoding: gzip")
    assert headers.get("content-encoding") == "gzip"
    driver.update(with_details(spec, gzip_enabled=False))
    status, headers, body = curl(web_stack, spec.name, "/", "-H", "Accept-Encoding: gzip")
    assert status == 200 and "content-encoding" not in headers
    assert body.startswith(b"<p>compress me</p>")


def test_suspension_answers_503_with_the_page_and_unsuspension_restores_the_site(driver, hosting, web_stack):
    spec = hosting()
    put(web_stack, spec, "www/index.html", "open for business")
    driver.update(with_details(spec, suspended=True))
    status, _, body = curl(web_stack, spec.name, "/")
    assert status == 503 and b"This site is suspended" in body
    assert curl(web_stack, spec.name, "/anything.php")[0] == 503
    driver.update(with_details(spec, suspended=False))
    assert curl(web_stack, spec.name, "/")[:3:2] == (200, b"open for business")


def test_acme_challenges_are_served_even_while_suspended(driver, hosting, web_stack):
    spec = hosting()
    challenges = Path(web_stack.root) / "acme-challenges"
    (challenges / "token-123").write_text("token-123.thumbprint")
    assert curl(web_stack, spec.name, "/.well-known/acme-challenge/token-123")[:3:2] == (200, b"token-123.thumbprint")
    driver.update(with_details(spec, suspended=True))
    assert curl(web_stack, spec.name, "/.well-known/acme-challenge/token-123")[:3:2] == (200, b"token-123.thumbprint")


def test_a_broken_config_never_reaches_the_running_nginx(driver, hosting, web_stack, monkeypatch):
    spec = hosting()
    put(web_stack, spec, "www/index.html", "still here")
    config_file = Path(web_stack.services["nginx_sites_dir"]) / f"paneel-{spec.details['system_user']}.conf"
    good = config_file.read_text()

    from apps.provisioning.drivers import nginx

    def broken_template(*args, **kwargs):
        return good.replace("server_name", "server_nam")  # an unknown directive

    monkeypatch.setattr(nginx, "render_config", broken_template)
    with pytest.raises(DriverError) as refused:
        driver.update(with_details(spec, gzip_enabled=False))
    assert refused.value.code == "nginx_config_invalid"
    assert "server_nam" in refused.value.detail
    assert config_file.read_text() == good  # the previous file is back
    assert curl(web_stack, spec.name)[:3:2] == (200, b"still here")


def test_update_twice_changes_nothing_the_second_time(driver, hosting, web_stack):
    spec = hosting()
    config_file = Path(web_stack.services["nginx_sites_dir"]) / f"paneel-{spec.details['system_user']}.conf"
    before = config_file.stat().st_mtime_ns
    driver.update(spec)
    driver.create(spec)
    assert config_file.stat().st_mtime_ns == before
    assert curl(web_stack, spec.name)[0] == 200


def test_delete_removes_the_site_the_pool_and_the_user(driver, web_stack):
    spec = make_spec(web_stack)
    driver.create(spec)
    pool = Path(web_stack.services["php_fpm_pool_dir"]) / f"paneel-{spec.details['system_user']}.conf"
    assert pool.exists()
    driver.delete(spec)
    driver.delete(spec)  # already gone: fine
    assert not pool.exists() and not home_of(web_stack, spec).exists()
    with pytest.raises(KeyError):
        pwd.getpwnam(spec.details["system_user"])
    assert curl(web_stack, spec.name)[0] == 404  # the default server: no hosting answers for it
    assert not (Path(web_stack.services["nginx_sites_dir"]) / f"paneel-{spec.details['system_user']}.conf").exists()


def test_a_system_user_that_is_not_the_hostings_is_never_taken_over(driver, web_stack):
    spec = make_spec(web_stack, system_user="root")
    with pytest.raises(DriverError) as refused:
        driver.create(spec)
    assert refused.value.code == "system_user_conflict"
    assert not home_of(web_stack, spec).exists()
    assert pwd.getpwnam("root").pw_dir == "/root"


def test_deleting_a_spec_naming_someone_elses_user_removes_nothing_of_theirs(driver, web_stack):
    spec = make_spec(web_stack, system_user="www-data")
    with pytest.raises(DriverError) as refused:
        driver.delete(spec)
    assert refused.value.code == "system_user_conflict"
    assert pwd.getpwnam("www-data").pw_uid == 33


def test_a_php_version_the_server_lacks_is_refused_before_anything_is_written(driver, web_stack):
    spec = make_spec(web_stack, php_version="5.6")
    with pytest.raises(DriverError) as refused:
        driver.create(spec)
    assert refused.value.code == "invalid_spec" and "5.6" in refused.value.detail
    assert not home_of(web_stack, spec).exists()
    with pytest.raises(KeyError):
        pwd.getpwnam(spec.details["system_user"])


def self_signed(web_stack, name: str) -> None:
    """What the certificate driver leaves: <root>/ssl/<name>/{fullchain,privkey}.pem."""
    directory = Path(web_stack.root) / "ssl" / name
    directory.mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name},DNS:www.{name}",
         "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
    (directory / "privkey.pem").chmod(0o600)


def test_tls_with_the_sites_certificate_http2_and_the_https_redirect(driver, hosting, web_stack):
    spec = hosting()
    put(web_stack, spec, "www/index.html", "secure site")
    site = spec.details["sites"][0]
    host_headers = [{"name": f"www.{spec.name}", "enabled": True}]
    # ssl_enabled without a certificate on disk yet: plain HTTP only, nothing breaks.
    driver.update(with_details(spec, sites=[{**site, "ssl_enabled": True, "host_headers": host_headers}]))
    assert curl(web_stack, spec.name)[:3:2] == (200, b"secure site")

    self_signed(web_stack, spec.name)
    tls = {**site, "ssl_enabled": True, "https_redirect_enabled": True, "host_headers": host_headers}
    driver.update(with_details(spec, sites=[tls]))
    status, headers, _ = curl(web_stack, f"www.{spec.name}", "/page?x=1")
    assert status == 301
    assert headers["location"] == f"https://www.{spec.name}/page?x=1"
    status, headers, body = curl(web_stack, f"www.{spec.name}", "/", "-k", "--http2", https=True)
    assert (status, body) == (200, b"secure site")
    http_version = subprocess.run(
        ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_version}", "--http2",
         "--resolve", f"{spec.name}:{web_stack.https_port}:127.0.0.1", f"https://{spec.name}:{web_stack.https_port}/"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert http_version == "2"
    # The ACME challenge stays on plain HTTP, even with the redirect.
    (Path(web_stack.root) / "acme-challenges" / "tok").write_text("tok.key")
    assert curl(web_stack, spec.name, "/.well-known/acme-challenge/tok")[:3:2] == (200, b"tok.key")

    # A renewed certificate in place: a reload picks it up without rewriting the blocks.
    shutil.rmtree(Path(web_stack.root) / "ssl" / spec.name)
    self_signed(web_stack, spec.name)
    reload_web_server(web_stack.server)
    assert curl(web_stack, spec.name, "/", "-k", https=True)[:3:2] == (200, b"secure site")

    driver.update(with_details(spec, sites=[{**tls, "http2_enabled": False, "https_redirect_enabled": False}]))
    assert curl(web_stack, spec.name)[:3:2] == (200, b"secure site")
    http_version = subprocess.run(
        ["curl", "-sk", "-o", "/dev/null", "-w", "%{http_version}", "--http2",
         "--resolve", f"{spec.name}:{web_stack.https_port}:127.0.0.1", f"https://{spec.name}:{web_stack.https_port}/"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert http_version == "1.1"


def test_a_link_to_another_hostings_file_is_not_served(hosting, web_stack):
    victim, attacker = hosting(), hosting()
    put(web_stack, victim, "www/secret.txt", "victim's secret")
    put(web_stack, attacker, "www/own.txt", "mine")
    link = home_of(web_stack, attacker) / "www" / "stolen.txt"
    link.symlink_to(home_of(web_stack, victim) / "www" / "secret.txt")
    user = pwd.getpwnam(attacker.details["system_user"])
    os.chown(link, user.pw_uid, user.pw_gid, follow_symlinks=False)
    own = home_of(web_stack, attacker) / "www" / "own-link.txt"
    own.symlink_to(home_of(web_stack, attacker) / "www" / "own.txt")
    os.chown(own, user.pw_uid, user.pw_gid, follow_symlinks=False)
    assert curl(web_stack, victim.name, "/secret.txt")[:3:2] == (200, b"victim's secret")
    status, _, body = curl(web_stack, attacker.name, "/stolen.txt")
    assert status in (403, 404) and b"secret" not in body
    assert curl(web_stack, attacker.name, "/own-link.txt")[:3:2] == (200, b"mine")


def test_logs_are_kept_outside_the_home_and_readable_by_the_hosting_only(hosting, web_stack):
    spec = hosting()
    curl(web_stack, spec.name)
    logs = Path(web_stack.root) / "logs" / spec.name
    info = logs.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (
        0,
        pwd.getpwnam(spec.details["system_user"]).pw_gid,
        0o750,
    )
    assert (logs / f"{spec.name}.access.log").exists()


def test_workers_changing_hostings_on_one_server_at_once_lose_nothing(web_stack):
    from concurrent.futures import ThreadPoolExecutor

    specs = [make_spec(web_stack) for _ in range(4)]
    # One driver per "worker", as separate db_worker processes would have.
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda spec: WebStackDriver.for_server(web_stack.server).create(spec), specs))
    try:
        for spec in specs:
            status, _, body = curl(web_stack, spec.name)
            assert status == 200 and spec.name.encode() in body
        lines = Path(web_stack.services["pureftpd_passwd"]).read_text().splitlines()
        for spec in specs:
            assert sum(line.startswith(spec.name + ":") for line in lines) == 1
    finally:
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda spec: WebStackDriver.for_server(web_stack.server).delete(spec), specs))


@pytest.fixture
def two_php_masters(web_stack):
    """A server whose PHP-FPM offers two versions, each its own master with its own pool directory. Only 8.2 is
    installed here, so "9.9" is the same binary under another name: what moves is the pool, between masters."""
    from tests.stack.web.conftest import Daemon, wait_for_file

    base = web_stack.base / "two-masters"
    (base / "bin").mkdir(parents=True)
    masters = []
    for version in ("8.2", "9.9"):
        (base / "bin" / f"php-fpm{version}").symlink_to("/usr/sbin/php-fpm8.2")
        (base / f"pool-{version}.d").mkdir()
        config = base / f"php-fpm-{version}.conf"
        config.write_text(
            f"[global]\npid = {base}/php-fpm-{version}.pid\nerror_log = {base}/php-fpm-{version}.log\ndaemonize = no\n"
            f"[base-{version}]\nuser = www-data\ngroup = www-data\nlisten = {base}/base-{version}.sock\n"
            f"pm = ondemand\npm.max_children = 1\ninclude = {base}/pool-{version}.d/*.conf\n"
        )
        masters.append(Daemon(f"php-fpm {version}", [f"{base}/bin/php-fpm{version}", "-F", "-y", str(config)],
                              base / f"php-fpm-{version}.out"))  # fmt: skip
        wait_for_file(base / f"php-fpm-{version}.pid")
    services = {
        **web_stack.services,
        "php_versions": ["8.2", "9.9"],
        "php_fpm_binary": f"{base}/bin/php-fpm{{version}}",
        "php_fpm_config": f"{base}/php-fpm-{{version}}.conf",
        "php_fpm_pid_file": f"{base}/php-fpm-{{version}}.pid",
        "php_fpm_pool_dir": f"{base}/pool-{{version}}.d",
    }
    server = type(web_stack.server)(**{**web_stack.server.__dict__, "services": services})
    yield server, base
    for master in masters:
        master.stop()


def test_changing_the_php_version_moves_the_pool_to_that_versions_master(two_php_masters, web_stack):
    server, base = two_php_masters
    driver = WebStackDriver.for_server(server)
    spec = make_spec(web_stack)
    driver.create(spec)
    try:
        pool = f"paneel-{spec.details['system_user']}.conf"
        put(web_stack, spec, "www/pid.php", "<?php echo posix_getppid();")
        master_of = {v: (base / f"php-fpm-{v}.pid").read_text().strip() for v in ("8.2", "9.9")}
        assert (base / "pool-8.2.d" / pool).exists() and not (base / "pool-9.9.d" / pool).exists()
        assert curl(web_stack, spec.name, "/pid.php")[2].decode() == master_of["8.2"]

        driver.update(with_details(spec, php_version="9.9"))
        assert not (base / "pool-8.2.d" / pool).exists() and (base / "pool-9.9.d" / pool).exists()
        assert curl(web_stack, spec.name, "/pid.php")[2].decode() == master_of["9.9"]
    finally:
        driver.delete(with_details(spec, php_version="9.9"))
    assert not (base / "pool-9.9.d" / pool).exists()
