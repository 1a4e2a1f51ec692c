"""The web stack on loopback: nginx, PHP-FPM 8.2, pure-ftpd and sshd started by the suite with their own
configuration in a temporary directory, and a `ServerInfo` whose `services` point at them.

Everything lives under one directory in /tmp that the site users and www-data can traverse (the tests run as
root, like a hosting machine's worker). System users made by the tests start with ``pnh8a`` and are removed at
the end, whatever happened. Nothing here reads or changes the machine's own daemons or their /etc files."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from apps.assets.passwords import sha512_crypt
from apps.provisioning.drivers.base import AssetSpec, ServerInfo
from tests.stack.daemons import LOOPBACK, free_port, need, wait_for_port

USER_PREFIX = "pnh8a"
PHP_VERSION = "8.2"


class Daemon:
    def __init__(self, name: str, command: list[str], log: Path, **popen) -> None:
        self.name = name
        self.log = log
        self.stream = log.open("ab")
        self.process = subprocess.Popen(
            command, stdout=self.stream, stderr=subprocess.STDOUT, start_new_session=True, **popen
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.stream.close()


def remove_test_users() -> None:
    for entry in pwd.getpwall():
        ours = entry.pw_name.startswith(USER_PREFIX) or entry.pw_gecos.endswith(".h8a.test")
        if ours and entry.pw_gecos.startswith("Paneel linux_hosting "):
            subprocess.run(["pkill", "-KILL", "-u", entry.pw_name], check=False)
            subprocess.run(["userdel", entry.pw_name], capture_output=True, check=False)


class WebStack:
    """The daemons and the server they form."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.root = base / "provisioning"
        self.etc = base / "etc"
        self.run = base / "run"
        self.logs = base / "logs"
        for directory in (self.root, self.etc / "sites", self.etc / "pool.d", self.run, self.logs):
            directory.mkdir(parents=True, exist_ok=True)
        self.http_port = free_port()
        self.https_port = free_port()
        self.ftp_port = free_port()
        self.ssh_port = free_port()
        self.daemons: dict[str, Daemon] = {}
        self.services = {
            "nginx_config": str(self.etc / "nginx.conf"),
            "nginx_sites_dir": str(self.etc / "sites"),
            "nginx_pid_file": str(self.run / "nginx.pid"),
            "web_listen": [LOOPBACK],
            "http_port": self.http_port,
            "https_port": self.https_port,
            "php_versions": [PHP_VERSION],
            "php_fpm_config": str(self.etc / "php-fpm-{version}.conf"),
            "php_fpm_pool_dir": str(self.etc / "pool.d"),
            "php_fpm_pid_file": str(self.run / "php-fpm-{version}.pid"),
            "php_fpm_socket_dir": str(self.run),
            "pureftpd_passwd": str(self.etc / "pureftpd.passwd"),
            "pureftpd_db": str(self.etc / "pureftpd.pdb"),
            "cron_spool_dir": str(self.base / "crontabs"),
            "ftp_port": self.ftp_port,
            "ssh_port": self.ssh_port,
        }
        (self.base / "crontabs").mkdir(mode=0o1730)
        self.server = ServerInfo(
            name="web-h8a", hostname="localhost", ipv4_address=LOOPBACK, root=str(self.root), services=self.services
        )

    def write_configs(self) -> None:
        temp = self.base / "nginx-temp"
        temp.mkdir(exist_ok=True)
        (self.etc / "nginx.conf").write_text(
            f"""user www-data;
worker_processes 1;
pid {self.run}/nginx.pid;
error_log {self.logs}/nginx-error.log;
events {{ worker_connections 128; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    server_names_hash_bucket_size 256;  # host names up to 253 characters (README)
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # A name no hosting serves gets 404 here rather than the first hosting's site.
    server {{
        listen {LOOPBACK}:{self.http_port} default_server;
        return 404;
    }}
    include {self.etc}/sites/*.conf;
}}
"""
        )
        # The master needs at least one pool to start; the hostings' pools join it from pool.d.
        (self.etc / f"php-fpm-{PHP_VERSION}.conf").write_text(
            f"""[global]
pid = {self.run}/php-fpm-{PHP_VERSION}.pid
error_log = {self.logs}/php-fpm.log
daemonize = no

[h8a-base]
user = www-data
group = www-data
listen = {self.run}/base.sock
pm = ondemand
pm.max_children = 1

include = {self.etc}/pool.d/*.conf
"""
        )

    def start_web(self) -> None:
        binaries = need("/usr/sbin/nginx", f"/usr/sbin/php-fpm{PHP_VERSION}", "/usr/sbin/useradd")
        self.write_configs()
        self.daemons["php-fpm"] = Daemon(
            "php-fpm",
            [binaries[f"/usr/sbin/php-fpm{PHP_VERSION}"], "-F", "-y", str(self.etc / f"php-fpm-{PHP_VERSION}.conf")],
            self.logs / "php-fpm.out",
        )
        self.daemons["nginx"] = Daemon(
            "nginx",
            [binaries["/usr/sbin/nginx"], "-c", str(self.etc / "nginx.conf"), "-g", "daemon off;"],
            self.logs / "nginx.out",
        )
        wait_for_file(self.run / f"php-fpm-{PHP_VERSION}.pid")
        wait_for_file(self.run / "nginx.pid")

    def stop(self) -> None:
        for daemon in reversed(list(self.daemons.values())):
            daemon.stop()


def wait_for_file(path: Path, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"{path} did not appear after {timeout} s")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def web_stack():
    """nginx and PHP-FPM on loopback (pure-ftpd and sshd join when a test asks for them)."""
    if os.geteuid() != 0:
        pytest.skip("the web stack suite runs as root (it creates system users, like a hosting machine's worker)")
    base = Path(tempfile.mkdtemp(prefix="paneel-h8a-stack-", dir="/tmp"))
    base.chmod(0o755)
    stack = WebStack(base)
    try:
        stack.start_web()
        yield stack
    finally:
        stack.stop()
        remove_test_users()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def ftp_server(web_stack):
    """pure-ftpd on loopback, reading the driver's puredb file, everyone chrooted, no anonymous login."""
    binaries = need("/usr/sbin/pure-ftpd", "/usr/bin/pure-pw")
    passive = free_port()
    web_stack.daemons["pure-ftpd"] = Daemon(
        "pure-ftpd",
        [
            binaries["/usr/sbin/pure-ftpd"],
            "-S", f"{LOOPBACK},{web_stack.ftp_port}",
            "-l", f"puredb:{web_stack.services['pureftpd_db']}",
            "-E", "-A", "-H", "-j",
            "-p", f"{passive}:{passive + 20}",
            "-P", LOOPBACK,
        ],
        web_stack.logs / "pure-ftpd.out",
    )  # fmt: skip
    wait_for_port(web_stack.ftp_port)
    return web_stack


@pytest.fixture(scope="session")
def ssh_server(web_stack):
    """sshd on loopback: keys only, the users' own authorized_keys, SFTP in-process."""
    binaries = need("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/sftp")
    host_key = web_stack.etc / "ssh_host_ed25519_key"
    subprocess.run([binaries["/usr/bin/ssh-keygen"], "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    config = web_stack.etc / "sshd_config"
    config.write_text(
        f"""Port {web_stack.ssh_port}
ListenAddress {LOOPBACK}
HostKey {host_key}
PidFile {web_stack.run}/sshd.pid
AuthorizedKeysFile .ssh/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
UsePAM no
StrictModes yes
Subsystem sftp internal-sftp
"""
    )
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
    web_stack.daemons["sshd"] = Daemon(
        "sshd", [binaries["/usr/sbin/sshd"], "-D", "-e", "-f", str(config)], web_stack.logs / "sshd.out"
    )
    wait_for_port(web_stack.ssh_port)
    return web_stack


def make_spec(web_stack, *, suspended: bool = False, **details) -> AssetSpec:
    """A linux_hosting spec for a fresh domain and system user (both unique to the test)."""
    token = secrets.token_hex(4)
    domain = details.pop("domain_name", f"site-{token}.h8a.test")
    base = {
        "domain_name": domain,
        "system_user": f"{USER_PREFIX}_{token}",
        "php_version": PHP_VERSION,
        "php_memory_limit": 128,
        "apcu_enabled": False,
        "apcu_size": 32,
        "gzip_enabled": True,
        "ftp_enabled": True,
        "ftp_password_hash": sha512_crypt("Ftp-Secret-1"),
        "ssh_enabled": False,
        "ssh_keys": [],
        "sites": [{"name": domain, "path": "/www", "host_headers": [], "http2_enabled": True, "ssl_enabled": False,
                   "https_redirect_enabled": False}],
        "scheduled_tasks": [],
    }  # fmt: skip
    base.update(details)
    return AssetSpec(
        asset_type="linux_hosting",
        name=domain,
        account_identifier=domain,
        max_size=1024,
        suspended=suspended,
        details=base,
        placement={"web": web_stack.server},
    )


def with_details(spec: AssetSpec, *, suspended: bool | None = None, **changes) -> AssetSpec:
    return AssetSpec(
        asset_type=spec.asset_type,
        name=spec.name,
        account_identifier=spec.account_identifier,
        max_size=spec.max_size,
        suspended=spec.suspended if suspended is None else suspended,
        details={**spec.details, **changes},
        placement=spec.placement,
    )


def curl(web_stack, host: str, path: str = "/", *options: str, https: bool = False, retries: int = 20):
    """(status, headers lowercased, body) of a request to nginx for `host`; retries while PHP-FPM reloads (502)."""
    port = web_stack.https_port if https else web_stack.http_port
    scheme = "https" if https else "http"
    for _ in range(retries):
        result = subprocess.run(
            ["curl", "-s", "-i", "--max-time", "10", "--resolve", f"{host}:{port}:{LOOPBACK}", *options,
             f"{scheme}://{host}:{port}{path}"],
            capture_output=True,
            check=False,
        )  # fmt: skip
        head, _, body = result.stdout.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        if status not in (0, 502):
            return status, headers, body
        time.sleep(0.25)
    return status, headers, body
