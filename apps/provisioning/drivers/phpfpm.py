"""PHP-FPM: one pool per hosting, running as the hosting's system user, in the master of its PHP version.

The pool file lives in that version's pool directory (`php_fpm_pool_dir`, Debian: /etc/php/<v>/fpm/pool.d) and
sets the user, the socket nginx talks to, ``memory_limit`` and APCu (``apc.enabled``; ``apc.shm_size`` is read
when the master starts, so the segment size is the master's and `apcu_size` is written for information only).
A new file is checked with ``php-fpm<v> -t`` before the master reloads (SIGUSR2); when the check fails the
previous file is put back. Changing the PHP version moves the pool from one master to the other.

`available_php_versions` is what a server offers: the versions listed in its `php_versions` service key, or else
the php-fpm binaries installed (`/usr/sbin/php-fpm<v>`).
"""

from __future__ import annotations

import glob
import os
import re
import signal
import subprocess
import time
from pathlib import Path

from apps.provisioning.drivers.base import DriverError, ServerInfo

BINARY = re.compile(r"php-fpm([0-9]+\.[0-9]+)$")


def available_php_versions(server: ServerInfo | None = None) -> list[str]:
    """The PHP versions a hosting on `server` may use, oldest first (e.g. ``["8.2"]``)."""
    services = dict(server.services) if server is not None else {}
    listed = services.get("php_versions")
    if listed:
        versions = [str(version) for version in listed]
    else:
        pattern = services.get("php_fpm_binary", "/usr/sbin/php-fpm{version}").replace("{version}", "*")
        versions = [match.group(1) for path in glob.glob(pattern) if (match := BINARY.search(path))]
    return sorted(set(versions), key=lambda version: tuple(int(part) for part in version.split(".")))


def render_pool(hosting, config) -> str:
    """The pool file of `hosting`."""
    home = config.home(hosting.domain_name)
    private_tmp = home / "tmp"  # the hosting's own, mode 0700, never the shared /tmp
    return "\n".join(
        [
            f"; Managed by Paneel: PHP-FPM pool of linux_hosting {hosting.domain_name}. Rewritten on every change.",
            f"[{hosting.system_user}]",
            f"user = {hosting.system_user}",
            f"group = {hosting.system_user}",
            f"listen = {config.php_socket(hosting)}",
            f"listen.owner = {config.web_user}",
            f"listen.group = {config.web_user}",
            "listen.mode = 0660",
            "pm = ondemand",
            "pm.max_children = 5",
            "pm.process_idle_timeout = 30s",
            "pm.max_requests = 500",
            f"chdir = {home}",
            f"env[HOME] = {home}",
            f"env[TMPDIR] = {private_tmp}",
            f"php_admin_value[memory_limit] = {hosting.php_memory_limit}M",
            f"php_admin_flag[apc.enabled] = {'on' if hosting.apcu_enabled else 'off'}",
            f"; apcu_size {hosting.apcu_size} MB: the shared segment is the master's (apc.shm_size)",
            f"php_admin_value[upload_tmp_dir] = {private_tmp}",
            f"php_admin_value[session.save_path] = {private_tmp}",
            f"php_admin_value[open_basedir] = {home}/:/usr/share/php/",
            f"php_admin_value[error_log] = {config.log_dir(hosting.domain_name)}/php.error.log",
            "php_admin_flag[log_errors] = on",
            "",
        ]
    )


def _check(config, version: str) -> None:
    binary = config.php_fpm_binary(version)
    try:
        result = subprocess.run(  # noqa: S603
            [binary, "-t", "-y", str(config.php_fpm_config(version))],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise DriverError(f"PHP-FPM {version} is not installed ({binary}).", code="php_fpm_error") from None
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if "ERROR" in line]
        raise DriverError(
            f"PHP-FPM {version} refused the configuration: {(lines or ['no output'])[0][:300]}",
            code="php_fpm_config_invalid",
        )


def reload_master(config, version: str) -> None:
    """Gracefully reload the PHP-FPM master of `version` (SIGUSR2 to the pid in its pid file)."""
    pid_file = config.php_fpm_pid_file(version)
    try:
        pid = int(pid_file.read_text().strip())
        os.kill(pid, signal.SIGUSR2)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        raise DriverError(
            f"PHP-FPM {version} is not running (no live pid in {pid_file}).", code="php_fpm_error"
        ) from None


def wait_for_socket(path: Path, timeout: float = 15.0) -> None:
    """A reload is asynchronous: wait until the pool's socket is there, so the site answers when the job ends."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise DriverError(f"PHP-FPM did not open the pool socket {path}.", code="php_fpm_error")
        time.sleep(0.05)


def apply_pool(hosting, config, write, *, remove: bool = False) -> None:
    """Write (or remove) the hosting's pool in its version's master and drop it from every other version."""
    wanted = None if remove else render_pool(hosting, config)
    for version in config.php_versions:
        path = config.php_pool_path(version, hosting)
        content = wanted if version == hosting.php_version else None
        try:
            previous: bytes | None = path.read_bytes()
        except FileNotFoundError:
            previous = None
        if previous == (None if content is None else content.encode()):
            continue
        if content is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path, content)
        try:
            _check(config, version)
        except DriverError:
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                write(path, previous.decode())
            raise
        reload_master(config, version)
    if wanted is not None:
        socket = config.php_socket(hosting)
        # The old socket of a pool being replaced may linger a moment; the new one replaces it.
        wait_for_socket(socket)
