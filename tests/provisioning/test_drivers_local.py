"""The local drivers write real, usable artefacts: site trees, nginx server blocks, pure-ftpd and Dovecot
passwd files, Maildirs and a MySQL stand-in; idempotently, atomically, without clear text, inside the root."""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from apps.assets.passwords import mysql_native_hash, sha512_crypt, verify_sha512_crypt
from apps.provisioning.drivers import get_driver
from apps.provisioning.drivers.base import AssetSpec, DriverError
from apps.provisioning.drivers.local import LinuxHostingDriver, LocalMySQLDriver, MailboxDriver

MB = 1024 * 1024
FTP_PASSWORD = "FtpSecret42"
MAIL_PASSWORD = "MailSecret42"
DB_PASSWORD = "DbSecret42"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "provisioning"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def snapshot(root: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `root` with its mode and (for files) bytes."""
    result: dict[str, tuple[int, bytes | None]] = {}
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            path = Path(directory) / name
            result[str(path.relative_to(root))] = (mode_of(path), None)
        for name in files:
            path = Path(directory) / name
            result[str(path.relative_to(root))] = (mode_of(path), path.read_bytes())
    return result


def assert_no_clear_text(root: Path, *passwords: str) -> None:
    for directory, _, files in os.walk(root):
        for name in files:
            content = (Path(directory) / name).read_bytes()
            for password in passwords:
                assert password.encode() not in content, f"clear-text password in {name}"


def hosting_spec(
    domain: str = "example.com",
    *,
    password: str | None = FTP_PASSWORD,
    php_version: str = "8.3",
    suspended: bool = False,
    max_size: int = 500,
    ftp_hash: str | None = None,
) -> AssetSpec:
    if ftp_hash is None:
        ftp_hash = sha512_crypt(password) if password else ""
    return AssetSpec(
        asset_type="linux_hosting",
        name=domain,
        account_identifier=domain,
        max_size=max_size,
        suspended=suspended,
        details={"domain_name": domain, "php_version": php_version, "ftp_password_hash": ftp_hash},
    )


def mailbox_spec(
    address: str = "info@example.com",
    *,
    password_hash: str | None = None,
    max_size: int = 100,
    suspended: bool = False,
) -> AssetSpec:
    return AssetSpec(
        asset_type="mailbox",
        name=address,
        account_identifier=address.rpartition("@")[2],
        max_size=max_size,
        suspended=suspended,
        details={"password_hash": password_hash or sha512_crypt(MAIL_PASSWORD)},
    )


def mysql_spec(name: str = "pn12_shop", *, users: list[dict] | None = None, suspended: bool = False) -> AssetSpec:
    if users is None:
        users = [
            {"name": name, "rights": "read_and_write", "enabled": True, "password_hash": mysql_native_hash(DB_PASSWORD)}
        ]
    return AssetSpec(
        asset_type="mysql",
        name=name,
        account_identifier="example.com",
        max_size=200,
        suspended=suspended,
        details={"database_name": name.partition("_")[2], "users": users},
    )


def ftp_entries(root: Path) -> dict[str, list[str]]:
    lines = (root / "ftp" / "passwd").read_text().splitlines()
    return {line.split(":")[0]: line.split(":") for line in lines}


def mail_entries(root: Path) -> dict[str, str]:
    lines = (root / "mail" / "passwd").read_text().splitlines()
    return {line.split(":")[0]: line for line in lines}


# --- linux_hosting -----------------------------------------------------------------------------------------


def test_hosting_create_writes_site_tree_vhost_and_ftp_user(root):
    LinuxHostingDriver(root).create(hosting_spec())

    site = root / "sites" / "example.com"
    assert mode_of(site) == 0o750
    assert mode_of(site / "public_html") == 0o750
    assert mode_of(site / "logs") == 0o750
    assert mode_of(site / "tmp") == 0o700
    assert "example.com" in (site / "public_html" / "index.html").read_text()

    vhost = (root / "vhosts" / "example.com.conf").read_text()
    assert mode_of(root / "vhosts" / "example.com.conf") == 0o644
    assert "server_name example.com www.example.com;" in vhost
    assert f"root {site}/public_html;" in vhost
    assert f"access_log {site}/logs/access.log;" in vhost
    assert f"error_log {site}/logs/error.log;" in vhost
    assert "fastcgi_pass unix:/run/php/php8.3-fpm.sock;" in vhost
    assert "return 503" not in vhost
    assert vhost.count("{") == vhost.count("}")

    assert mode_of(root / "ftp" / "passwd") == 0o640
    entry = ftp_entries(root)["example.com"]
    assert len(entry) == 18  # pure-ftpd's virtual-user line
    assert verify_sha512_crypt(FTP_PASSWORD, entry[1])
    assert entry[2] == str(os.getuid()) and entry[3] == str(os.getgid())
    assert entry[5] == f"{site}/./"  # chrooted into the site
    assert entry[12] == str(500 * MB)


def test_hosting_create_twice_gives_the_same_bytes(root):
    driver = LinuxHostingDriver(root)
    spec = hosting_spec()
    driver.create(spec)
    before = snapshot(root)
    driver.create(spec)
    driver.update(spec)
    assert snapshot(root) == before


def test_hosting_create_keeps_the_customers_index(root):
    driver = LinuxHostingDriver(root)
    driver.create(hosting_spec())
    index = root / "sites" / "example.com" / "public_html" / "index.html"
    index.write_text("<h1>my shop</h1>")
    driver.create(hosting_spec())
    driver.update(hosting_spec(php_version="8.2"))
    assert index.read_text() == "<h1>my shop</h1>"


def test_hosting_update_changes_password_and_php_version(root):
    driver = LinuxHostingDriver(root)
    driver.create(hosting_spec())
    driver.update(hosting_spec(password="NewSecret99", php_version="8.2"))

    entry = ftp_entries(root)["example.com"]
    assert verify_sha512_crypt("NewSecret99", entry[1])
    assert not verify_sha512_crypt(FTP_PASSWORD, entry[1])
    vhost = (root / "vhosts" / "example.com.conf").read_text()
    assert "fastcgi_pass unix:/run/php/php8.2-fpm.sock;" in vhost
    assert "php8.3" not in vhost


def test_hosting_suspension_serves_the_suspension_page_and_refuses_ftp(root):
    driver = LinuxHostingDriver(root)
    spec = hosting_spec()
    driver.create(spec)
    active_vhost = (root / "vhosts" / "example.com.conf").read_bytes()
    active_ftp = (root / "ftp" / "passwd").read_bytes()

    driver.update(hosting_spec(ftp_hash=spec.details["ftp_password_hash"], suspended=True))
    vhost = (root / "vhosts" / "example.com.conf").read_text()
    assert "return 503;" in vhost
    assert "error_page 503 /suspended.html;" in vhost
    assert f"root {root / 'suspended'};" in vhost
    assert "fastcgi_pass" not in vhost and "public_html" not in vhost
    assert "server_name example.com www.example.com;" in vhost
    assert "suspended" in (root / "suspended" / "suspended.html").read_text()
    entry = ftp_entries(root)["example.com"]
    assert entry[1].startswith("!$6$")
    assert not verify_sha512_crypt(FTP_PASSWORD, entry[1])
    # The site's files are untouched by a suspension.
    assert (root / "sites" / "example.com" / "public_html" / "index.html").exists()

    driver.update(spec)
    assert (root / "vhosts" / "example.com.conf").read_bytes() == active_vhost
    assert (root / "ftp" / "passwd").read_bytes() == active_ftp


def test_hosting_without_ftp_password_has_no_ftp_login(root):
    driver = LinuxHostingDriver(root)
    driver.create(hosting_spec("other.org"))
    driver.create(hosting_spec(password=None))
    assert set(ftp_entries(root)) == {"other.org"}
    driver.update(hosting_spec())
    assert set(ftp_entries(root)) == {"other.org", "example.com"}
    driver.update(hosting_spec(password=None))
    assert set(ftp_entries(root)) == {"other.org"}


def test_hosting_delete_removes_everything_and_twice_is_fine(root):
    driver = LinuxHostingDriver(root)
    driver.create(hosting_spec("other.org"))
    other_entry = ftp_entries(root)["other.org"]
    spec = hosting_spec()
    driver.create(spec)

    driver.delete(spec)
    driver.delete(spec)
    assert not (root / "sites" / "example.com").exists()
    assert not (root / "vhosts" / "example.com.conf").exists()
    assert ftp_entries(root) == {"other.org": other_entry}
    assert (root / "sites" / "other.org" / "public_html").is_dir()
    assert (root / "vhosts" / "other.org.conf").is_file()


def test_hosting_usage_counts_files_written_into_the_site(root, tmp_path):
    driver = LinuxHostingDriver(root)
    spec = hosting_spec()
    driver.create(spec)
    assert driver.usage(spec) == 1  # the default index.html, rounded up

    (root / "sites" / "example.com" / "public_html" / "video.bin").write_bytes(b"x" * (3 * MB))
    assert driver.usage(spec) == 4
    # A symlink to something big outside the site counts as a symlink, not as its target.
    big = tmp_path / "big.bin"
    big.write_bytes(b"y" * (5 * MB))
    (root / "sites" / "example.com" / "public_html" / "link.bin").symlink_to(big)
    (root / "sites" / "example.com" / "public_html" / "dirlink").symlink_to(tmp_path)
    assert driver.usage(spec) == 4


def test_hosting_usage_of_a_missing_site_is_not_found(root):
    with pytest.raises(DriverError) as caught:
        LinuxHostingDriver(root).usage(hosting_spec())
    assert caught.value.code == "not_found"


@pytest.mark.parametrize(
    "domain",
    ["../evil.com", "evil.com/..", "a/b.com", "..", ".example.com", "exa\x00mple.com", "Example.com", "localhost", ""],
)
def test_hosting_refuses_unsafe_names_before_touching_disk(root, domain):
    with pytest.raises(DriverError) as caught:
        LinuxHostingDriver(root).create(hosting_spec(domain, ftp_hash=""))
    assert caught.value.code == "invalid_spec"
    assert not root.exists()


@pytest.mark.parametrize(
    "details",
    [
        {"php_version": "8.3;\n}\nserver {"},
        {"php_version": "../../x"},
        {"ftp_password_hash": "plaintext"},
        {"ftp_password_hash": sha512_crypt(FTP_PASSWORD) + ":0:0"},
        {"ftp_password_hash": sha512_crypt(FTP_PASSWORD) + "\nroot:x"},
        {"domain_name": "other.com"},
    ],
)
def test_hosting_refuses_unsafe_details(root, details):
    spec = hosting_spec()
    with pytest.raises(DriverError) as caught:
        LinuxHostingDriver(root).create(AssetSpec(**{**spec.__dict__, "details": {**spec.details, **details}}))
    assert caught.value.code == "invalid_spec"
    assert not root.exists()


def test_hosting_refuses_a_symlink_in_place_of_a_site_directory(root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir(mode=0o700)
    driver = LinuxHostingDriver(root)
    driver.create(hosting_spec())
    logs = root / "sites" / "example.com" / "logs"
    logs.rmdir()
    logs.symlink_to(outside)

    with pytest.raises(DriverError):
        driver.update(hosting_spec())
    assert mode_of(outside) == 0o700


# --- mailbox -----------------------------------------------------------------------------------------------


def test_mailbox_create_writes_dovecot_line_and_maildir(root):
    spec = mailbox_spec()
    MailboxDriver(root).create(spec)

    home = root / "mail" / "example.com" / "info"
    assert mail_entries(root)["info@example.com"] == (
        f"info@example.com:{{SHA512-CRYPT}}{spec.details['password_hash']}::::{home}::userdb_quota_rule=*:storage=100M"
    )
    assert mode_of(root / "mail" / "passwd") == 0o640
    assert mode_of(home) == 0o700
    for part in ("cur", "new", "tmp"):
        assert (home / "Maildir" / part).is_dir()
        assert mode_of(home / "Maildir" / part) == 0o700


def test_mailbox_create_twice_gives_the_same_bytes(root):
    driver = MailboxDriver(root)
    spec = mailbox_spec()
    driver.create(spec)
    before = snapshot(root)
    driver.create(spec)
    driver.update(spec)
    assert snapshot(root) == before


def test_mailbox_update_changes_password_and_quota(root):
    driver = MailboxDriver(root)
    driver.create(mailbox_spec())
    driver.update(mailbox_spec(password_hash=sha512_crypt("NewSecret99"), max_size=250))

    line = mail_entries(root)["info@example.com"]
    stored_hash = line.split(":")[1].removeprefix("{SHA512-CRYPT}")
    assert verify_sha512_crypt("NewSecret99", stored_hash)
    assert not verify_sha512_crypt(MAIL_PASSWORD, stored_hash)
    assert line.endswith("::userdb_quota_rule=*:storage=250M")


def test_mailbox_suspension_refuses_login_and_unsuspend_restores(root):
    driver = MailboxDriver(root)
    spec = mailbox_spec()
    driver.create(spec)
    active = (root / "mail" / "passwd").read_bytes()

    driver.update(mailbox_spec(password_hash=spec.details["password_hash"], suspended=True))
    line = mail_entries(root)["info@example.com"]
    extra_fields = line.split(":", 7)[7].split(" ")
    assert "nologin=y" in extra_fields
    assert any(field.startswith("reason=") for field in extra_fields)
    assert not any(field.startswith(("proxy", "host=")) for field in extra_fields)  # they would override nologin
    assert (root / "mail" / "example.com" / "info" / "Maildir").is_dir()  # mail is kept (and still delivered)

    driver.update(spec)
    assert (root / "mail" / "passwd").read_bytes() == active


def test_mailbox_delete_removes_line_and_maildir_and_twice_is_fine(root):
    driver = MailboxDriver(root)
    keep = mailbox_spec("sales@example.com")
    driver.create(keep)
    spec = mailbox_spec()
    driver.create(spec)

    driver.delete(spec)
    driver.delete(spec)
    assert set(mail_entries(root)) == {"sales@example.com"}
    assert not (root / "mail" / "example.com" / "info").exists()
    assert (root / "mail" / "example.com" / "sales" / "Maildir" / "new").is_dir()

    driver.delete(keep)
    assert mail_entries(root) == {}
    assert not (root / "mail" / "example.com").exists()


def test_mailbox_usage_counts_mail_in_the_maildir(root):
    driver = MailboxDriver(root)
    spec = mailbox_spec()
    driver.create(spec)
    assert driver.usage(spec) == 0
    (root / "mail" / "example.com" / "info" / "Maildir" / "new" / "1700000000.M1.host").write_bytes(b"m" * (2 * MB))
    assert driver.usage(spec) == 2
    (root / "mail" / "example.com" / "info" / "Maildir" / "cur" / "1700000001.M2.host:2,S").write_bytes(b"m" * 10)
    assert driver.usage(spec) == 3


@pytest.mark.parametrize(
    "address",
    [
        "../x@example.com",
        "a/b@example.com",
        ".hidden@example.com",
        "a..b@example.com",
        "info@../../etc",
        "info@example.com/..",
        "info@exa\x00mple.com",
        "no-at-sign",
        "@example.com",
    ],
)
def test_mailbox_refuses_unsafe_names_before_touching_disk(root, address):
    with pytest.raises(DriverError) as caught:
        MailboxDriver(root).create(mailbox_spec(address, password_hash=sha512_crypt(MAIL_PASSWORD)))
    assert caught.value.code == "invalid_spec"
    assert not root.exists()


def test_mailbox_refuses_a_hash_that_would_break_the_passwd_file(root):
    bad = sha512_crypt(MAIL_PASSWORD) + "::::/:: nopassword=y"
    with pytest.raises(DriverError) as caught:
        MailboxDriver(root).create(mailbox_spec(password_hash=bad))
    assert caught.value.code == "invalid_spec"
    assert not root.exists()


PRECOMPUTED_HASH = sha512_crypt(MAIL_PASSWORD)


def _create_mailboxes(root: Path, start: int, count: int) -> None:
    driver = MailboxDriver(root)
    for number in range(start, start + count):
        driver.create(mailbox_spec(f"user{number}@example.com", password_hash=PRECOMPUTED_HASH))


def test_concurrent_threads_lose_no_mailbox_line(root):
    threads = [threading.Thread(target=_create_mailboxes, args=(root, start, 5)) for start in range(0, 20, 5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(mail_entries(root)) == {f"user{number}@example.com" for number in range(20)}
    assert len((root / "mail" / "passwd").read_text().splitlines()) == 20


def test_concurrent_processes_lose_no_mailbox_line(root):
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_create_mailboxes, args=(root, start, 5)) for start in range(0, 20, 5)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert set(mail_entries(root)) == {f"user{number}@example.com" for number in range(20)}
    # No temporary file is left behind by the atomic writes.
    assert sorted(path.name for path in (root / "mail").iterdir() if path.is_file()) == ["passwd", "passwd.lock"]


# --- mysql (local stand-in) ------------------------------------------------------------------------------------


def test_local_mysql_create_writes_db_opt_and_users(root):
    spec = mysql_spec()
    LocalMySQLDriver(root).create(spec)

    database = root / "mysql" / "pn12_shop"
    assert mode_of(database) == 0o750
    assert "default-character-set=utf8mb4" in (database / "db.opt").read_text()
    users = [line for line in (database / "users").read_text().splitlines() if not line.startswith("#")]
    assert users == [f"pn12_shop:read_and_write:enabled:{mysql_native_hash(DB_PASSWORD)}"]
    assert mode_of(database / "users") == 0o640


def test_local_mysql_create_twice_gives_the_same_bytes(root):
    driver = LocalMySQLDriver(root)
    driver.create(mysql_spec())
    before = snapshot(root)
    driver.create(mysql_spec())
    assert snapshot(root) == before


def test_local_mysql_update_tracks_users_rights_and_suspension(root):
    driver = LocalMySQLDriver(root)
    driver.create(mysql_spec())
    reader = {"name": "pn12_shop_ro", "rights": "read_only", "enabled": False, "password_hash": mysql_native_hash("x1")}
    owner = {"name": "pn12_shop", "rights": "read_and_write", "enabled": True, "password_hash": mysql_native_hash("y2")}
    users_file = root / "mysql" / "pn12_shop" / "users"

    driver.update(mysql_spec(users=[owner, reader]))
    users = [line for line in users_file.read_text().splitlines() if not line.startswith("#")]
    assert users == [
        f"pn12_shop:read_and_write:enabled:{mysql_native_hash('y2')}",
        f"pn12_shop_ro:read_only:disabled:{mysql_native_hash('x1')}",
    ]

    driver.update(mysql_spec(users=[owner], suspended=True))
    users = [line for line in users_file.read_text().splitlines() if not line.startswith("#")]
    assert users == [f"pn12_shop:read_and_write:suspended:{mysql_native_hash('y2')}"]


def test_local_mysql_delete_and_usage(root):
    driver = LocalMySQLDriver(root)
    spec = mysql_spec()
    driver.create(spec)
    (root / "mysql" / "pn12_shop" / "orders.ibd").write_bytes(b"\0" * (2 * MB))
    assert driver.usage(spec) == 3
    driver.delete(spec)
    driver.delete(spec)
    assert not (root / "mysql" / "pn12_shop").exists()
    with pytest.raises(DriverError):
        driver.usage(spec)


@pytest.mark.parametrize(
    "spec",
    [
        mysql_spec("../etc", users=[]),
        mysql_spec("pn12/shop", users=[]),
        mysql_spec("x`; DROP DATABASE mysql; --", users=[]),
        AssetSpec(asset_type="mysql", name="mysql", account_identifier="example.com", max_size=1),
        mysql_spec(users=[{"name": "root", "rights": "read_only", "enabled": True, "password_hash": "*" + "A" * 40}]),
        mysql_spec(users=[{"name": "pn12_shop", "rights": "all", "enabled": True, "password_hash": "*" + "A" * 40}]),
        mysql_spec(users=[{"name": "pn12_shop", "rights": "read_only", "enabled": True, "password_hash": "Secret1"}]),
    ],
    ids=["traversal", "slash", "injection", "system-db", "foreign-user", "bad-rights", "clear-password"],
)
def test_local_mysql_refuses_invalid_specs_before_touching_disk(root, spec):
    with pytest.raises(DriverError) as caught:
        LocalMySQLDriver(root).create(spec)
    assert caught.value.code == "invalid_spec"
    assert not root.exists()


# --- all of them -----------------------------------------------------------------------------------------------


def test_no_clear_text_password_is_ever_written(root):
    hosting, mailbox, mysql = LinuxHostingDriver(root), MailboxDriver(root), LocalMySQLDriver(root)
    hosting.create(hosting_spec())
    hosting.update(hosting_spec(suspended=True))
    mailbox.create(mailbox_spec())
    mailbox.update(mailbox_spec(suspended=True))
    mysql.create(mysql_spec())
    mysql.update(mysql_spec(suspended=True))
    assert_no_clear_text(root, FTP_PASSWORD, MAIL_PASSWORD, DB_PASSWORD)


def test_a_driver_refuses_another_asset_type(root):
    with pytest.raises(DriverError) as caught:
        MailboxDriver(root).create(hosting_spec())
    assert caught.value.code == "invalid_spec"


def test_get_driver_builds_the_configured_driver_with_the_configured_root(monkeypatch, root):
    fake_settings = SimpleNamespace(
        PANEEL_DRIVERS={
            "mailbox": "apps.provisioning.drivers.local.MailboxDriver",
            "mysql": "apps.provisioning.drivers.local.LocalMySQLDriver",
        },
        PANEEL_PROVISIONING_ROOT=root,
    )
    monkeypatch.setattr("django.conf.settings", fake_settings)

    driver = get_driver("mailbox")
    assert isinstance(driver, MailboxDriver)
    assert driver.root == root
    assert isinstance(get_driver("mysql"), LocalMySQLDriver)
    with pytest.raises(DriverError) as caught:
        get_driver("dns")
    assert caught.value.code == "no_driver"


# --- linux_hosting with the web-stack contract's details (sites, host headers, gzip) ------------------------


def contract_spec(**details) -> AssetSpec:
    from apps.assets.hosting import defaults, subsite

    base = {**defaults("example.com"), "php_version": "8.2", "system_user": "w1_example_com"}
    shop = subsite("shop.example.com", "/subsites/shop.example.com")
    shop["host_headers"] = [
        {"name": "winkel.example.com", "enabled": True},
        {"name": "off.example.com", "enabled": False},
    ]
    base["sites"] = [*base["sites"], shop]
    base["sites"][0]["host_headers"].append({"name": "alias.example.org", "enabled": True})
    return AssetSpec(
        asset_type="linux_hosting",
        name="example.com",
        account_identifier="example.com",
        max_size=100,
        details={**base, **details},
    )


def test_hosting_serves_each_site_with_its_enabled_host_headers_from_its_path(root):
    LinuxHostingDriver(root).create(contract_spec())
    home = root / "sites" / "example.com"
    vhost = (root / "vhosts" / "example.com.conf").read_text()
    assert vhost.count("server {") == 2
    assert "server_name example.com www.example.com alias.example.org;" in vhost
    assert f"root {home}/www;" in vhost
    assert "server_name shop.example.com winkel.example.com;" in vhost and "off.example.com" not in vhost
    assert f"root {home}/subsites/shop.example.com;" in vhost
    assert (home / "www" / "index.html").is_file()
    assert (home / "subsites" / "shop.example.com").is_dir()
    assert "fastcgi_pass unix:/run/php/php8.2-fpm.sock;" in vhost


def test_hosting_gzip_follows_the_setting(root):
    driver = LinuxHostingDriver(root)
    driver.create(contract_spec(gzip_enabled=True))
    assert "gzip on;" in (root / "vhosts" / "example.com.conf").read_text()
    driver.update(contract_spec(gzip_enabled=False))
    vhost = (root / "vhosts" / "example.com.conf").read_text()
    assert "gzip off;" in vhost and "gzip on;" not in vhost


@pytest.mark.parametrize(
    "bad_site",
    [
        {"name": "evil.example.com", "path": "/../../etc"},
        {"name": "evil.example.com", "path": "/a;b"},
        {"name": "evil.example.com;", "path": "/www"},
        {"name": "evil.example.com", "path": "/www", "host_headers": [{"name": "x.example.com;\n}", "enabled": True}]},
    ],
)
def test_hosting_refuses_a_site_that_could_leave_its_home_or_break_the_config(root, bad_site):
    spec = contract_spec()
    spec = AssetSpec(**{**spec.__dict__, "details": {**spec.details, "sites": [*spec.details["sites"], bad_site]}})
    with pytest.raises(DriverError) as caught:
        LinuxHostingDriver(root).create(spec)
    assert caught.value.code == "invalid_spec"
    assert not (root / "vhosts" / "example.com.conf").exists()


def test_hosting_with_ftp_disabled_has_no_ftp_login(root):
    driver = LinuxHostingDriver(root)
    driver.create(contract_spec(ftp_password_hash=sha512_crypt(FTP_PASSWORD)))
    assert "example.com" in ftp_entries(root)
    driver.update(contract_spec(ftp_password_hash=sha512_crypt(FTP_PASSWORD), ftp_enabled=False))
    assert "example.com" not in ftp_entries(root)
