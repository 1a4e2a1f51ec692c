"""pure-ftpd, OpenSSH (SFTP) and cron through the web-stack driver, against the real daemons on loopback."""

from __future__ import annotations

import ftplib
import io
import os
import pwd
import subprocess
import time
from pathlib import Path

import pytest

from apps.provisioning.drivers.base import DriverError
from apps.provisioning.drivers.ssh import fingerprint_of
from apps.provisioning.drivers.webstack import WebStackDriver
from tests.stack.daemons import LOOPBACK, need
from tests.stack.web.conftest import make_spec, with_details

pytestmark = pytest.mark.stack

FTP_PASSWORD = "Ftp-Secret-1"  # what make_spec hashes


@pytest.fixture
def driver(web_stack):
    return WebStackDriver.for_server(web_stack.server)


@pytest.fixture
def created(driver, web_stack):
    specs = []

    def make(**details):
        spec = make_spec(web_stack, **details)
        driver.create(spec)
        specs.append(spec)
        return spec

    yield make
    for spec in specs:
        driver.delete(spec)


def ftp_login(stack, user: str, password: str) -> ftplib.FTP:
    ftp = ftplib.FTP()
    ftp.connect(LOOPBACK, stack.ftp_port, timeout=10)
    ftp.login(user, password)
    return ftp


def test_ftp_login_with_the_password_uploads_a_file_and_usage_counts_it(driver, created, ftp_server):
    spec = created()
    user = spec.details["system_user"]
    before = driver.usage(spec)
    ftp = ftp_login(ftp_server, spec.name, FTP_PASSWORD)  # the login is the domain name
    try:
        ftp.cwd("/www")
        ftp.storbinary("STOR upload.bin", io.BytesIO(os.urandom(3 * 1024 * 1024)))
        assert "upload.bin" in ftp.nlst()
    finally:
        ftp.quit()
    uploaded = Path(ftp_server.root) / "sites" / spec.name / "www" / "upload.bin"
    assert uploaded.stat().st_size == 3 * 1024 * 1024
    assert uploaded.stat().st_uid == pwd.getpwnam(user).pw_uid  # the site user's file, not root's
    assert driver.usage(spec) >= before + 3


def test_a_long_domain_name_logs_in_too(driver, created, ftp_server):
    spec = created(domain_name=f"{'a' * 60}.{'b' * 50}.h8a.test")
    ftp_login(ftp_server, spec.name, FTP_PASSWORD).quit()


def test_ftp_refuses_a_wrong_password_a_suspended_hosting_and_ftp_disabled(driver, created, ftp_server):
    spec = created()
    user = spec.name
    with pytest.raises(ftplib.error_perm):
        ftp_login(ftp_server, user, "Wrong-Password-1")
    driver.update(with_details(spec, suspended=True))
    with pytest.raises(ftplib.error_perm):
        ftp_login(ftp_server, user, FTP_PASSWORD)
    driver.update(with_details(spec, suspended=False))
    ftp_login(ftp_server, user, FTP_PASSWORD).quit()
    driver.update(with_details(spec, ftp_enabled=False))
    with pytest.raises(ftplib.error_perm):
        ftp_login(ftp_server, user, FTP_PASSWORD)


def make_key(directory: Path, name: str) -> tuple[Path, str]:
    private = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@h8a", "-f", str(private)], check=True)
    return private, (directory / f"{name}.pub").read_text().strip()


def sftp(stack, user: str, key: Path, batch: str) -> subprocess.CompletedProcess:
    script = key.with_suffix(".batch")
    script.write_text(batch)
    return subprocess.run(
        ["sftp", "-b", str(script), "-i", str(key), "-P", str(stack.ssh_port),
         "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
         "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", f"{user}@{LOOPBACK}"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_sftp_login_with_an_added_key_works_and_stops_after_the_key_is_deleted(driver, created, ssh_server, tmp_path):
    tmp_path.chmod(0o700)
    key, public = make_key(tmp_path, "customer")
    spec = created()
    user = spec.details["system_user"]
    assert sftp(ssh_server, user, key, "ls\n").returncode != 0  # no key yet, SSH off

    keyed = with_details(
        spec, ssh_enabled=True, ssh_keys=[{"fingerprint": fingerprint_of(public), "public_key": public}]
    )
    driver.update(keyed)
    result = sftp(ssh_server, user, key, "cd www\nput /etc/hostname uploaded.txt\nls\n")
    assert result.returncode == 0, result.stderr
    assert "uploaded.txt" in result.stdout
    assert (Path(ssh_server.root) / "sites" / spec.name / "www" / "uploaded.txt").exists()

    driver.update(with_details(keyed, suspended=True))
    assert sftp(ssh_server, user, key, "ls\n").returncode != 0  # suspended: no login
    assert pwd.getpwnam(user).pw_shell == "/usr/sbin/nologin"
    driver.update(keyed)
    assert sftp(ssh_server, user, key, "ls\n").returncode == 0

    driver.update(with_details(keyed, ssh_keys=[]))
    assert sftp(ssh_server, user, key, "ls\n").returncode != 0
    # SSH switched off with the key still listed: no login either.
    driver.update(with_details(keyed, ssh_enabled=False))
    assert sftp(ssh_server, user, key, "ls\n").returncode != 0


def test_ssh_keys_are_validated_and_identified_by_their_sha256_fingerprint(tmp_path, web_stack, driver):
    _, public = make_key(tmp_path, "check")
    listed = subprocess.run(["ssh-keygen", "-l", "-E", "sha256", "-f", str(tmp_path / "check.pub")],
                            capture_output=True, text=True, check=True).stdout.split()[1]  # fmt: skip
    assert fingerprint_of(public) == listed and listed.startswith("SHA256:")
    for bad in (
        "",
        "not a key",
        public.replace("AAAA", "BBBB", 1),
        f'command="sh" {public}',
        public + "\nssh-rsa AAAA",
    ):
        with pytest.raises(DriverError) as refused:
            fingerprint_of(bad)
        assert refused.value.code == "invalid_spec"
    spec = make_spec(
        web_stack, ssh_enabled=True, ssh_keys=[{"fingerprint": "SHA256:" + "A" * 43, "public_key": public}]
    )
    with pytest.raises(DriverError):
        driver.create(spec)  # the declared fingerprint is not the key's
    assert not (Path(web_stack.root) / "sites" / spec.name).exists()


def test_an_authorized_keys_link_planted_by_the_user_is_replaced_not_followed(driver, created, web_stack, tmp_path):
    _, public = make_key(tmp_path, "planted")
    spec = created()
    victim = tmp_path / "victim"
    victim.write_text("do not overwrite\n")
    ssh_dir = Path(web_stack.root) / "sites" / spec.name / ".ssh"
    (ssh_dir / "authorized_keys").unlink()
    (ssh_dir / "authorized_keys").symlink_to(victim)
    driver.update(with_details(spec, ssh_enabled=True, ssh_keys=[{"fingerprint": "", "public_key": public}]))
    assert victim.read_text() == "do not overwrite\n"
    assert not (ssh_dir / "authorized_keys").is_symlink()
    assert public in (ssh_dir / "authorized_keys").read_text()


def test_scheduled_tasks_are_validated_before_anything_is_written(driver, web_stack):
    task = {"id": "a" * 32, "enabled": True, "script_location": "/scripts/job.sh"}
    refused_specs = []
    for expression in ("61 * * * *", "* * *", "@reboot", "*/0 * * * *", "5-1 * * * *", "* * * * mon-xyz"):
        spec = make_spec(web_stack, scheduled_tasks=[{**task, "cron_expression": expression}])
        refused_specs.append(spec)
        with pytest.raises(DriverError) as refused:
            driver.create(spec)
        assert refused.value.code == "invalid_spec", expression
    for location in ("/../etc/passwd", "relative.sh", "/job%.sh", "/a\nb"):
        spec = make_spec(
            web_stack, scheduled_tasks=[{**task, "cron_expression": "* * * * *", "script_location": location}]
        )
        refused_specs.append(spec)
        with pytest.raises(DriverError) as refused:
            driver.create(spec)
        assert refused.value.code == "invalid_spec", location
    for spec in refused_specs:
        assert not (Path(web_stack.root) / "sites" / spec.name).exists()
        with pytest.raises(KeyError):
            pwd.getpwnam(spec.details["system_user"])


def test_the_crontab_holds_enabled_tasks_and_disabled_ones_as_comments(driver, created, web_stack):
    tasks = [
        {"id": "1" * 32, "enabled": True, "cron_expression": "*/5 * * * *", "script_location": "/scripts/job.sh"},
        {"id": "2" * 32, "enabled": False, "cron_expression": "0 3 * * sun", "script_location": "/cron.php"},
    ]
    spec = created(scheduled_tasks=tasks)
    user = spec.details["system_user"]
    crontab = Path(web_stack.services["cron_spool_dir"]) / user
    home = Path(web_stack.root) / "sites" / spec.name
    lines = [line for line in crontab.read_text().splitlines() if line and not line.startswith(("# Managed", "# task"))]
    assert f"*/5 * * * * cd {home} && {home}/scripts/job.sh" in lines
    assert f"# disabled: 0 3 * * sun cd {home} && /usr/bin/php8.2 {home}/cron.php" in lines
    info = crontab.stat()
    assert (info.st_uid, info.st_mode & 0o777) == (pwd.getpwnam(user).pw_uid, 0o600)
    driver.update(with_details(spec, suspended=True))
    assert not crontab.exists()  # nothing runs while suspended
    driver.update(with_details(spec, scheduled_tasks=[]))
    assert not crontab.exists()


@pytest.fixture
def cron_daemon(web_stack):
    """Debian's cron in its own mount namespace, seeing only the suite's spool (no /etc/crontab, no cron.d)."""
    binaries = need("/usr/sbin/cron", "/usr/bin/unshare")
    empty = web_stack.base / "cron-empty"
    empty.mkdir(exist_ok=True)
    (web_stack.base / "cron-empty-crontab").write_text("")
    spool = web_stack.services["cron_spool_dir"]
    script = (
        f"mount --bind {spool} /var/spool/cron/crontabs && mount --bind {empty} /etc/cron.d && "
        f"mount --bind {web_stack.base}/cron-empty-crontab /etc/crontab && "
        f"mount --bind {empty} /run && exec {binaries['/usr/sbin/cron']} -f -L 15"
    )
    log = (web_stack.logs / "cron.out").open("ab")
    command = [binaries["/usr/bin/unshare"], "--mount", "--propagation", "private", "sh", "-c", script]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    time.sleep(0.5)
    if process.poll() is not None:
        pytest.fail(f"cron did not start: {(web_stack.logs / 'cron.out').read_text()[-500:]}")
    yield process
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_a_scheduled_task_runs_as_the_site_user(driver, created, web_stack, cron_daemon):
    task = {"id": "3" * 32, "enabled": True, "cron_expression": "* * * * *", "script_location": "/scripts/tick.sh"}
    spec = created()
    home = Path(web_stack.root) / "sites" / spec.name
    user = pwd.getpwnam(spec.details["system_user"])
    script = home / "scripts" / "tick.sh"
    script.parent.mkdir()
    script.write_text('#!/bin/sh\nid -un >> "$HOME/ticks.txt"\n')
    script.chmod(0o755)
    for path in (script.parent, script):
        os.chown(path, user.pw_uid, user.pw_gid)
    driver.update(with_details(spec, scheduled_tasks=[task]))
    # cron wakes at each full minute and rereads the spool when it changed.
    deadline = time.monotonic() + 130
    ticks = home / "ticks.txt"
    while time.monotonic() < deadline and not ticks.exists():
        time.sleep(1)
    assert ticks.exists(), (web_stack.logs / "cron.out").read_text()[-1000:]
    assert ticks.read_text().split()[0] == user.pw_name
