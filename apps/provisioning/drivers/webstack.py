"""The linux_hosting driver for a real web server: nginx, PHP-FPM, pure-ftpd, OpenSSH and cron (Debian).

Select it with ``PANEEL_DRIVER_LINUX_HOSTING=apps.provisioning.drivers.webstack.WebStackDriver``. Per hosting it
keeps, on the server the job runs on (paths from the server's `services`, Debian defaults otherwise; README,
"Servers"):

- a system user (``useradd``; its GECOS says ``Paneel linux_hosting <domain>``, and a user without that mark is
  never changed or removed), whose home is `<root>/sites/<domain>/` (owner the user, group the web server's,
  0750) with the sites' document roots (main site `/www`, subsites `/subsites/<name>` unless set) and `tmp/`;
- its nginx file (`nginx.py`), PHP-FPM pool (`phpfpm.py`), pure-ftpd virtual user (`pureftpd.py`),
  `~/.ssh/authorized_keys` (`ssh.py`) and crontab (`cron.py`);
- its logs in `<root>/logs/<domain>/`, outside the home, so the user cannot point a log at another file;
- on delete also the certificates of its names, `<root>/ssl/<name>/` (written by the certificate job).

The whole spec is validated before anything is touched (`hosting.checked_hosting`: names, paths, hashes, SSH keys
through ``ssh-keygen``, schedules, the PHP version against what the server has), and every step converges, so a
job run twice, or again after a failure, ends in the same state. Changes on one server are serialised by an
exclusive lock on `<root>/.webstack.lock`. Files in the user's home are written through directory descriptors
opened without following links, so a link the user planted never redirects a root-owned write.
"""

from __future__ import annotations

import fcntl
import math
import os
import pwd
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apps.provisioning.drivers import cron, nginx, phpfpm, pureftpd, ssh
from apps.provisioning.drivers.base import AssetSpec, DriverError, ServerInfo
from apps.provisioning.drivers.hosting import Hosting, checked_hosting
from apps.provisioning.drivers.local import (
    _SUSPENSION_PAGE,
    CONFIG_FILE_MODE,
    CREDENTIAL_FILE_MODE,
    PUBLIC_DIR_MODE,
    LocalDriver,
    _default_index,
    directory_size,
)

HOME_MODE = 0o750
DOCROOT_MODE = 0o755
_MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class WebStackConfig:
    """Where the daemons of one server keep their configuration, from its `services` (Debian defaults)."""

    root: Path
    server: ServerInfo | None = None
    services: Mapping[str, Any] = field(default_factory=dict)

    def _get(self, key: str, default: Any) -> Any:
        value = self.services.get(key)
        return default if value in (None, "") else value

    # Layout under the provisioning root (contract: web stack).
    def home(self, domain: str) -> Path:
        return self.root / "sites" / domain

    def log_dir(self, domain: str) -> Path:
        return self.root / "logs" / domain

    @property
    def acme_dir(self) -> Path:
        return self.root / "acme-challenges"

    def certificate(self, name: str) -> tuple[Path, Path] | None:
        directory = self.root / "ssl" / name
        fullchain, privkey = directory / "fullchain.pem", directory / "privkey.pem"
        return (fullchain, privkey) if fullchain.is_file() and privkey.is_file() else None

    @property
    def suspension_page(self) -> Path:
        return self.root / "suspended" / "suspended.html"

    @property
    def lock_path(self) -> Path:
        return self.root / ".webstack.lock"

    # nginx
    @property
    def nginx_binary(self) -> str:
        return str(self._get("nginx_binary", "/usr/sbin/nginx"))

    @property
    def nginx_config(self) -> Path:
        return Path(self._get("nginx_config", "/etc/nginx/nginx.conf"))

    @property
    def nginx_pid_file(self) -> Path:
        return Path(self._get("nginx_pid_file", "/run/nginx.pid"))

    @property
    def nginx_sites_dir(self) -> Path:
        return Path(self._get("nginx_sites_dir", "/etc/nginx/sites-enabled"))

    @property
    def nginx_fastcgi_params(self) -> str:
        return str(self._get("nginx_fastcgi_params", "/etc/nginx/fastcgi_params"))

    # Files are named after the system user (at most 32 characters): a domain may be too long for a file name.
    def nginx_site_path(self, hosting: Hosting) -> Path:
        return self.nginx_sites_dir / f"paneel-{hosting.system_user}.conf"

    @property
    def web_listen(self) -> list[str]:
        value = self._get("web_listen", [])
        return [value] if isinstance(value, str) else list(value)

    @property
    def http_port(self) -> int:
        return int(self._get("http_port", 80))

    @property
    def https_port(self) -> int:
        return int(self._get("https_port", 443))

    @property
    def web_user(self) -> str:
        return str(self._get("web_user", "www-data"))

    # PHP-FPM
    @property
    def php_versions(self) -> list[str]:
        return phpfpm.available_php_versions(self.server)

    def _versioned(self, key: str, default: str, version: str) -> str:
        return str(self._get(key, default)).replace("{version}", version)

    def php_fpm_binary(self, version: str) -> str:
        return self._versioned("php_fpm_binary", "/usr/sbin/php-fpm{version}", version)

    def php_fpm_config(self, version: str) -> Path:
        return Path(self._versioned("php_fpm_config", "/etc/php/{version}/fpm/php-fpm.conf", version))

    def php_fpm_pid_file(self, version: str) -> Path:
        return Path(self._versioned("php_fpm_pid_file", "/run/php/php{version}-fpm.pid", version))

    def php_pool_path(self, version: str, hosting: Hosting) -> Path:
        return (
            Path(self._versioned("php_fpm_pool_dir", "/etc/php/{version}/fpm/pool.d", version))
            / f"paneel-{hosting.system_user}.conf"
        )

    def php_socket(self, hosting: Hosting) -> Path:
        # Named after the system user (a socket path must stay under 108 bytes, a domain may not) and the version:
        # when the pool moves to another master, the old master's clean-up never removes the new master's socket.
        name = f"paneel-{hosting.system_user}-php{hosting.php_version}.sock"
        return Path(self._get("php_fpm_socket_dir", "/run/php")) / name

    def php_cli(self, version: str) -> str:
        return self._versioned("php_cli_binary", "/usr/bin/php{version}", version)

    # pure-ftpd, cron, accounts
    @property
    def pureftpd_passwd(self) -> Path:
        return Path(self._get("pureftpd_passwd", "/etc/pure-ftpd/pureftpd.passwd"))

    @property
    def pureftpd_db(self) -> Path:
        return Path(self._get("pureftpd_db", "/etc/pure-ftpd/pureftpd.pdb"))

    @property
    def pure_pw_binary(self) -> str:
        return str(self._get("pure_pw_binary", "/usr/bin/pure-pw"))

    @property
    def cron_spool_dir(self) -> Path:
        return Path(self._get("cron_spool_dir", "/var/spool/cron/crontabs"))

    @property
    def login_shell(self) -> str:
        return str(self._get("login_shell", "/bin/bash"))


class WebStackDriver(LocalDriver):
    """linux_hosting on a web server's real daemons (see the module docstring)."""

    asset_type = "linux_hosting"

    def __init__(self, root: Path | None = None, server: ServerInfo | None = None) -> None:
        super().__init__(root=root)
        self.config = WebStackConfig(
            root=self.root, server=server, services=dict(server.services) if server is not None else {}
        )

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> WebStackDriver:
        """Work on `server`'s daemons and under its provisioning root."""
        return cls(root=Path(server.root) if server is not None and server.root else None, server=server)

    # The Driver interface (LocalDriver adds file-system error handling around these).
    def _checked(self, spec: AssetSpec) -> AssetSpec:
        super()._checked(spec)
        self.hosting(spec)
        return spec

    def hosting(self, spec: AssetSpec) -> Hosting:
        """The validated hosting, including the PHP version the server must have."""
        hosting = checked_hosting(spec)
        available = self.installed_php_versions()
        if not spec.suspended and hosting.php_version not in available:
            raise DriverError(
                f"PHP {hosting.php_version} is not installed on this server (it has {', '.join(available) or 'none'}).",
                code="invalid_spec",
            )
        return hosting

    def installed_php_versions(self) -> list[str]:
        """The versions the server offers (its `php_versions`, or those found) whose php-fpm is really here."""
        return [version for version in self.config.php_versions if Path(self.config.php_fpm_binary(version)).exists()]

    def _apply(self, spec: AssetSpec) -> None:
        hosting = self.hosting(spec)
        with self._server_lock():
            uid, gid = self._ensure_user(hosting)
            self._prepare_home(hosting, uid, gid)
            self._prepare_logs(hosting, gid)
            # A suspended hosting may keep a version the server no longer has: it runs no PHP meanwhile.
            if hosting.php_version in self.installed_php_versions():
                phpfpm.apply_pool(hosting, self.config, self._write_config)
            self.apply_nginx(hosting)
            self._apply_ftp(hosting, uid, gid)
            self._write_in_home(
                hosting,
                ".ssh/authorized_keys",
                ssh.render_authorized_keys(
                    domain=hosting.domain_name,
                    keys=hosting.ssh_keys,
                    enabled=hosting.ssh_enabled and not hosting.suspended,
                ),
                0o600,
                uid,
                gid,
                directory_mode=0o700,
            )
            tasks = () if hosting.suspended else hosting.scheduled_tasks
            cron.write_crontab(
                self.config.cron_spool_dir,
                hosting.system_user,
                uid,
                cron.render_crontab(
                    domain=hosting.domain_name,
                    home=str(self.config.home(hosting.domain_name)),
                    php_binary=self.config.php_cli(hosting.php_version),
                    tasks=tasks,
                ),
            )

    def _remove(self, spec: AssetSpec) -> None:
        hosting = checked_hosting(spec)
        with self._server_lock():
            owned = self._owned_user(hosting)
            if owned is not None:
                cron.write_crontab(self.config.cron_spool_dir, hosting.system_user, owned.pw_uid, None)
            self._apply_ftp(hosting, 0, 0, remove=True)
            nginx.apply_config(self.config, self.config.nginx_site_path(hosting), None, self._write_config)
            phpfpm.apply_pool(hosting, self.config, self._write_config, remove=True)
            self._remove_tree(self.config.home(hosting.domain_name))
            self._remove_tree(self.config.log_dir(hosting.domain_name))
            self._remove_certificates(spec)
            if owned is not None:
                self._delete_user(hosting.system_user)

    def _measured_path(self, spec: AssetSpec) -> Path:
        return self.config.home(checked_hosting(spec).domain_name)

    def usage(self, spec: AssetSpec) -> int:
        """Space used by the hosting's home, in MB rounded up."""
        with self._failures("measure", spec):
            home = self._measured_path(spec)
            if home.is_symlink() or not home.is_dir():
                raise DriverError(f"linux_hosting '{spec.name}' does not exist.", code="not_found")
            return math.ceil(directory_size(home) / _MEGABYTE)

    # nginx, also for the certificate driver
    def apply_nginx(self, hosting: Hosting) -> bool:
        """(Re)write the hosting's nginx file from `hosting` and the certificates on disk; test; reload."""
        # Every name of a site with https has its own certificate if the certificate job wrote one for it.
        certificates = {
            name: certificate
            for site in hosting.sites
            if site.ssl_enabled
            for name in site.server_names
            if (certificate := self.config.certificate(name)) is not None
        }
        self._directory(self.config.acme_dir, PUBLIC_DIR_MODE)
        self._directory(self.config.suspension_page.parent, PUBLIC_DIR_MODE)
        self._write_file(self.config.suspension_page, _SUSPENSION_PAGE, CONFIG_FILE_MODE)
        content = nginx.render_config(hosting, self.config, certificates=certificates)
        self.config.nginx_sites_dir.mkdir(parents=True, exist_ok=True)
        return nginx.apply_config(self.config, self.config.nginx_site_path(hosting), content, self._write_config)

    def _write_config(self, path: Path, content: str) -> None:
        self._write_file(path, content, CONFIG_FILE_MODE)

    @contextmanager
    def _server_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.config.lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    # The system user
    @staticmethod
    def _marker(hosting: Hosting) -> str:
        return f"Paneel linux_hosting {hosting.domain_name}"

    def _owned_user(self, hosting: Hosting) -> pwd.struct_passwd | None:
        """The hosting's system user if it exists and is Paneel's for this hosting; another owner: conflict."""
        try:
            entry = pwd.getpwnam(hosting.system_user)
        except KeyError:
            return None
        if entry.pw_gecos != self._marker(hosting):
            raise DriverError(
                f"The system user {hosting.system_user} exists and does not belong to this hosting.",
                code="system_user_conflict",
            )
        return entry

    def _ensure_user(self, hosting: Hosting) -> tuple[int, int]:
        home = str(self.config.home(hosting.domain_name))
        shell = self.config.login_shell if hosting.ssh_enabled and not hosting.suspended else "/usr/sbin/nologin"
        entry = self._owned_user(hosting)
        if entry is None:
            # '*' is no password at all, yet not a locked account, so key logins work where sshd checks locks.
            _run_account_tool(
                "/usr/sbin/useradd",
                "--home-dir", home, "--no-create-home", "--shell", shell, "--user-group", "--password", "*",
                "--comment", self._marker(hosting), hosting.system_user,
            )  # fmt: skip
            entry = pwd.getpwnam(hosting.system_user)
        elif entry.pw_dir != home or entry.pw_shell != shell:
            _run_account_tool("/usr/sbin/usermod", "--home", home, "--shell", shell, hosting.system_user)
        return entry.pw_uid, entry.pw_gid

    @staticmethod
    def _delete_user(name: str) -> None:
        # PHP-FPM workers of the pool just removed may take a moment to exit; userdel refuses while they run.
        for _ in range(50):
            command = ["/usr/sbin/userdel", name]
            result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
            if result.returncode in (0, 6):  # 6: no such user
                return
            if result.returncode != 8:  # 8: user currently logged in / running processes
                break
            time.sleep(0.2)
        raise DriverError(f"userdel {name} failed: {result.stderr.strip()[:300]}", code="system_user_error")

    # The home and the files in it
    def _prepare_home(self, hosting: Hosting, uid: int, gid: int) -> None:
        home = self._directory(self.config.home(hosting.domain_name), HOME_MODE)
        try:
            web_gid = pwd.getpwnam(self.config.web_user).pw_gid
        except KeyError:
            web_gid = gid
        info = home.lstat()
        if (info.st_uid, info.st_gid) != (uid, web_gid):
            os.chown(home, uid, web_gid, follow_symlinks=False)
        self._make_home_dirs(hosting, "tmp", 0o700, uid, gid)
        for site in hosting.sites:
            self._make_home_dirs(hosting, site.path.strip("/"), DOCROOT_MODE, uid, gid)
            self._write_in_home(
                hosting,
                f"{site.path.strip('/')}/index.html",
                _default_index(site.name),
                0o644,
                uid,
                gid,
                only_if_absent=True,
            )

    def _prepare_logs(self, hosting: Hosting, gid: int) -> None:
        """`<root>/logs/<domain>/`: root's (nginx's master writes there), readable by the hosting's group only."""
        self._directory(self.config.log_dir(hosting.domain_name).parent, PUBLIC_DIR_MODE)
        logs = self._directory(self.config.log_dir(hosting.domain_name), HOME_MODE)
        if logs.lstat().st_gid != gid:
            os.chown(logs, 0, gid, follow_symlinks=False)

    def _open_in_home(self, hosting: Hosting, parts: list[str], mode: int, uid: int, gid: int) -> int:
        """A descriptor of <home>/<parts...>, creating missing directories; never follows a link."""
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
        descriptor = os.open(self.config.home(hosting.domain_name), flags)
        try:
            for part in parts:
                try:
                    os.mkdir(part, mode, dir_fd=descriptor)
                    created = True
                except FileExistsError:
                    created = False
                try:
                    child = os.open(part, flags, dir_fd=descriptor)
                except OSError as exc:
                    raise DriverError(
                        f"{part} in the home of {hosting.domain_name} is not a directory.", code="driver_error"
                    ) from exc
                os.close(descriptor)
                descriptor = child
                if created:
                    os.fchown(descriptor, uid, gid)
                    os.fchmod(descriptor, mode)
            return descriptor
        except BaseException:
            os.close(descriptor)
            raise

    def _make_home_dirs(self, hosting: Hosting, relative: str, mode: int, uid: int, gid: int) -> None:
        os.close(self._open_in_home(hosting, [part for part in relative.split("/") if part], mode, uid, gid))

    def _write_in_home(
        self,
        hosting: Hosting,
        relative: str,
        content: str,
        mode: int,
        uid: int,
        gid: int,
        *,
        directory_mode: int = DOCROOT_MODE,
        only_if_absent: bool = False,
    ) -> None:
        *directories, name = relative.split("/")
        descriptor = self._open_in_home(hosting, directories, directory_mode, uid, gid)
        temporary = f".paneel-{os.getpid()}-{time.monotonic_ns()}.tmp"
        try:
            if only_if_absent:
                try:
                    os.stat(name, dir_fd=descriptor, follow_symlinks=False)
                    return
                except FileNotFoundError:
                    pass
            else:
                try:
                    with open(os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=descriptor), "rb") as current:
                        if current.read() == content.encode():
                            return
                except OSError:
                    pass
            stream_fd = os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=descriptor
            )
            with os.fdopen(stream_fd, "wb") as stream:
                stream.write(content.encode())
                stream.flush()
                os.fchown(stream.fileno(), uid, gid)
                os.fchmod(stream.fileno(), mode)
                os.fsync(stream.fileno())
            if only_if_absent:
                with suppress(FileExistsError):
                    os.link(temporary, name, src_dir_fd=descriptor, dst_dir_fd=descriptor)
            else:
                os.replace(temporary, name, src_dir_fd=descriptor, dst_dir_fd=descriptor)
        finally:
            with suppress(FileNotFoundError):
                os.unlink(temporary, dir_fd=descriptor)
            os.close(descriptor)

    # pure-ftpd
    def _apply_ftp(self, hosting: Hosting, uid: int, gid: int, *, remove: bool = False) -> None:
        line = (
            None
            if remove
            else pureftpd.passwd_line(hosting, uid=uid, gid=gid, home=str(self.config.home(hosting.domain_name)))
        )
        path = self.config.pureftpd_passwd
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                existing = path.read_text(encoding="utf-8").splitlines()
            except FileNotFoundError:
                existing = []
            lines = [current for current in existing if current.split(":", 1)[0] != hosting.domain_name]
            if line is not None:
                lines.append(line)
            if lines == existing and self.config.pureftpd_db.exists():
                return
            self._write_file(path, "".join(f"{current}\n" for current in lines), CREDENTIAL_FILE_MODE)
            pureftpd.rebuild_database(self.config)
        finally:
            os.close(lock)


def _run_account_tool(tool: str, *arguments: str) -> None:
    try:
        result = subprocess.run([tool, *arguments], capture_output=True, text=True, timeout=60, check=False)  # noqa: S603
    except FileNotFoundError:
        raise DriverError(f"{tool} is not installed.", code="system_user_error") from None
    if result.returncode != 0:
        raise DriverError(f"{tool} failed: {result.stderr.strip()[:300]}", code="system_user_error")


def reload_web_server(server: ServerInfo | None) -> None:
    """Test and reload `server`'s nginx (for the certificate driver, after it renewed a certificate in place).

    A certificate that is new for a site needs its server block rewritten: enqueue a ``linux_hosting.update`` job
    for the hosting instead, which calls `WebStackDriver.apply_nginx`.
    """
    nginx.reload_nginx(WebStackDriver.for_server(server).config)
