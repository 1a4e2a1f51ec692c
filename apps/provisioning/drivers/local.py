"""Local drivers: the real artefacts of each asset, written under `PANEEL_PROVISIONING_ROOT`.

Used when no server is configured (DESIGN 6.3), so `make run` works with nothing else installed; the files are
what a sysadmin would point nginx, pure-ftpd and Dovecot at::

    <root>/
      sites/<domain>/{public_html,logs,tmp}/   web space of a linux_hosting (usage is measured here)
      vhosts/<domain>.conf                     nginx server block (PHP-FPM socket from the PHP version; a domain
                                               too long for that file name: its start, a digest, .conf)
      suspended/suspended.html                 the page a suspended site answers with (503)
      ssl/<host name>/{fullchain,privkey}.pem  a site's or host header's certificate (the certificate job's;
                                               removed with the hosting)
      ftp/passwd                               pure-ftpd virtual users (``pure-pw mkdb`` input), one per site
      mail/passwd                              Dovecot passwd-file, one line per mailbox
      mail/<domain>/<local part>/Maildir/      mailbox home and Maildir
      mysql/<name>/{db.opt,users}              stand-in for a database when no MySQL server is configured

Every file is written atomically (temporary file in the same directory, fsync, `os.replace`). The shared line
files (`ftp/passwd`, `mail/passwd`) are read-modified-written under an exclusive `flock` on a sibling
``.lock`` file, so concurrent workers lose no line. Only password hashes are ever written, never clear text.
Names are validated before anything is touched, so no spec can reach outside the root.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import math
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from apps.provisioning.drivers.base import AssetSpec, Driver, DriverError, ServerInfo
from apps.provisioning.drivers.mysql import checked_database

DEFAULT_PHP_VERSION = "8.3"
PHP_VERSION = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}$")
SITE_PATH = re.compile(r"^(?:/[A-Za-z0-9._-]+)+/?$|^/$")
DOMAIN_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$")
SHA512_CRYPT_HASH = re.compile(r"^\$6\$(?:rounds=[0-9]{1,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$")

# Modes: the web server's group traverses the site and reads public_html; credential files are never
# world-readable; a mailbox belongs to the mail user alone.
PUBLIC_DIR_MODE = 0o755
SITE_DIR_MODE = 0o750
PRIVATE_DIR_MODE = 0o700
CONFIG_FILE_MODE = 0o644
CREDENTIAL_FILE_MODE = 0o640

_MEGABYTE = 1024 * 1024
NAME_MAX = 255  # bytes of one file name on Linux file systems


def type_words(asset_type: str) -> str:
    """The asset type as people name it ("MySQL database"), for messages that reach the panel."""
    from apps.servicepacks.models import AssetType

    return str(dict(AssetType.choices).get(asset_type, asset_type))


def checked_domain(domain: object, what: str = "domain name") -> str:
    """`domain` if it is a lowercase host name (labels of a-z, 0-9, -), else `DriverError` (``invalid_spec``).

    This also refuses everything that could leave a directory: ``/``, ``..``, NUL, leading dots.
    """
    if not isinstance(domain, str) or len(domain) > 253:
        raise DriverError(f"Invalid {what}.", code="invalid_spec")
    labels = domain.split(".")
    if len(labels) < 2 or not all(DOMAIN_LABEL.match(label) for label in labels):
        raise DriverError(f"Invalid {what} {domain[:80]!r}.", code="invalid_spec")
    return domain


def fitting_file_name(name: str, suffix: str) -> str:
    """`name + suffix`, or where that is longer than a file name may be (NAME_MAX, 255 bytes: a domain of 251 to 253
    characters with `.conf`), the name's start, a digest of the whole name and the suffix: still one per name."""
    whole = name + suffix
    if len(whole.encode()) <= NAME_MAX:
        return whole
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    return f"{name[: NAME_MAX - len(suffix) - len(digest) - 1]}-{digest}{suffix}"


def checked_address(address: object) -> tuple[str, str]:
    """(local part, domain) of an e-mail address, validated as safe path components."""
    if not isinstance(address, str) or "@" not in address:
        raise DriverError("A mailbox name must be an e-mail address.", code="invalid_spec")
    local, _, domain = address.rpartition("@")
    if not LOCAL_PART.match(local) or ".." in local:
        raise DriverError(f"Invalid mailbox local part {local[:80]!r}.", code="invalid_spec")
    return local, checked_domain(domain, "mailbox domain")


def checked_size(spec: AssetSpec) -> int:
    """The spec's `max_size` (MB) if it is a whole number of zero or more."""
    if isinstance(spec.max_size, bool) or not isinstance(spec.max_size, int) or spec.max_size < 0:
        raise DriverError("max_size must be a whole number of megabytes.", code="invalid_spec")
    return spec.max_size


def checked_crypt_hash(value: object, what: str, *, required: bool) -> str:
    """A SHA-512-crypt hash (or "" when not `required`): the only form written into credential files."""
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not SHA512_CRYPT_HASH.match(value):
        raise DriverError(f"{what} must be a SHA-512-crypt hash ($6$...).", code="invalid_spec")
    return value


def directory_size(path: Path) -> int:
    """Bytes used by the files under `path`, walking with `os.scandir` without following symlinks.

    Hard-linked files count once; a symlink counts as its own (tiny) size, never its target's.
    """
    total = 0
    seen: set[tuple[int, int]] = set()
    pending = [path]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except FileNotFoundError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                # Files come and go while we walk (a Maildir moves mail from new/ to cur/): skip them.
                continue
            if stat.S_ISDIR(info.st_mode):
                pending.append(Path(entry.path))
            elif (info.st_dev, info.st_ino) not in seen:
                seen.add((info.st_dev, info.st_ino))
                total += info.st_size
    return total


class LocalDriver(Driver):
    """What the local drivers share: the root, atomic writes, locked line files, sizes, error reporting.

    Subclasses implement `_apply` (create and update converge on the same end state), `_remove` and
    `_measured_path`.
    """

    def __init__(self, root: Path | None = None) -> None:
        if root is None:
            from django.conf import settings

            root = Path(settings.PANEEL_PROVISIONING_ROOT)
        # Absolute, because the paths end up inside nginx, pure-ftpd and Dovecot configuration.
        self.root = Path(root).absolute()

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> LocalDriver:
        """Write under the server's provisioning root (or the worker's `PANEEL_PROVISIONING_ROOT`)."""
        return cls(root=Path(server.root) if server is not None and server.root else None)

    def create(self, spec: AssetSpec) -> None:
        """Write the asset's artefacts; running it again rewrites the same bytes."""
        with self._failures("create", spec):
            self._apply(self._checked(spec))

    def update(self, spec: AssetSpec) -> None:
        """Rewrite the artefacts from `spec` (passwords, PHP version, size, suspension)."""
        with self._failures("update", spec):
            self._apply(self._checked(spec))

    def delete(self, spec: AssetSpec) -> None:
        """Remove every artefact of the asset; what is already gone is skipped."""
        with self._failures("delete", spec):
            self._remove(self._checked(spec))

    def usage(self, spec: AssetSpec) -> int:
        """Size of the asset's directory in MB, rounded up."""
        with self._failures("measure", spec):
            path = self._measured_path(self._checked(spec))
            if path.is_symlink() or not path.is_dir():
                raise DriverError(f"{type_words(spec.asset_type)} '{spec.name}' does not exist.", code="not_found")
            return math.ceil(directory_size(path) / _MEGABYTE)

    def _apply(self, spec: AssetSpec) -> None:
        raise NotImplementedError

    def _remove(self, spec: AssetSpec) -> None:
        raise NotImplementedError

    def _measured_path(self, spec: AssetSpec) -> Path:
        raise NotImplementedError

    def _checked(self, spec: AssetSpec) -> AssetSpec:
        if spec.asset_type != self.asset_type:
            raise DriverError(
                f"{type(self).__name__} handles {self.asset_type}, not {spec.asset_type}.", code="invalid_spec"
            )
        checked_size(spec)
        return spec

    @contextmanager
    def _failures(self, action: str, spec: AssetSpec) -> Iterator[None]:
        """Turn file-system errors into `DriverError`, naming paths relative to the root only."""
        try:
            yield
        except OSError as exc:
            where = ""
            if exc.filename:
                try:
                    where = f" ({Path(exc.filename).relative_to(self.root)})"
                except ValueError:
                    where = ""
            reason = exc.strerror or type(exc).__name__
            raise DriverError(
                f"Could not {action} {type_words(spec.asset_type)} '{spec.name}': {reason}{where}."
            ) from exc

    def _directory(self, path: Path, mode: int) -> Path:
        """Make `path` a real directory with `mode`; refuse a symlink put in its place (it could point anywhere)."""
        path.parent.mkdir(mode=PUBLIC_DIR_MODE, parents=True, exist_ok=True)
        with suppress(FileExistsError):
            path.mkdir(mode=mode)
        info = path.lstat()
        if not stat.S_ISDIR(info.st_mode):
            raise DriverError(f"{path.relative_to(self.root)} exists and is not a directory.")
        if stat.S_IMODE(info.st_mode) != mode:
            path.chmod(mode)
        return path

    def _write_file(self, path: Path, content: str, mode: int) -> bool:
        """Write `content` to `path` atomically with `mode`; leave it alone (and say so) if already identical."""
        data = content.encode("utf-8")
        try:
            info = path.lstat()
            if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) == mode and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        with self._temporary_copy(path, data, mode) as temporary:
            os.replace(temporary, path)
        self._sync_directory(path.parent)
        return True

    def _write_file_if_absent(self, path: Path, content: str, mode: int) -> bool:
        """Create `path` atomically, only if nothing (not even a symlink) is there: the customer's file wins."""
        if os.path.lexists(path):
            return False
        with self._temporary_copy(path, content.encode("utf-8"), mode) as temporary:
            try:
                # link() never replaces an existing name, unlike rename(): a file that appeared meanwhile stays.
                os.link(temporary, path)
            except FileExistsError:
                return False
        self._sync_directory(path.parent)
        return True

    @staticmethod
    @contextmanager
    def _temporary_copy(path: Path, data: bytes, mode: int) -> Iterator[str]:
        """A fully written, fsynced temporary file beside `path`, removed afterwards unless renamed into place."""
        # The target's name cut short: a whole 253-character domain and the random part would pass NAME_MAX.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:64]}.", suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fchmod(stream.fileno(), mode)
                os.fsync(stream.fileno())
            yield temporary
        finally:
            Path(temporary).unlink(missing_ok=True)

    @staticmethod
    def _sync_directory(path: Path) -> None:
        # Persist the rename itself, not only the file's bytes.
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _set_line(self, path: Path, key: str, line: str | None) -> bool:
        """Replace (or add, or with None remove) the line of `path` whose first colon field is `key`.

        Under an exclusive lock on ``<path>.lock``, so concurrent writers for different keys lose nothing.
        Other lines keep their order and bytes. The new file's mtime is always a later second than the old one's:
        Dovecot re-reads its passwd-file only when the whole-second mtime or the size changed, and a new password
        hash has the old one's length. Answers whether the file changed (an unchanged file is not rewritten).
        """
        self._directory(path.parent, SITE_DIR_MODE)
        lock_path = path.with_name(path.name + ".lock")
        lock_descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, CREDENTIAL_FILE_MODE)
        try:
            fcntl.flock(lock_descriptor, fcntl.LOCK_EX)
            try:
                existing = path.read_text(encoding="utf-8").splitlines()
                old_second = int(path.stat().st_mtime)
            except FileNotFoundError:
                existing, old_second = [], None
            lines: list[str] = []
            placed = False
            for current in existing:
                if current.split(":", 1)[0] != key or current.startswith("#"):
                    lines.append(current)
                elif line is not None and not placed:
                    lines.append(line)
                    placed = True
            if line is not None and not placed:
                lines.append(line)
            if lines == existing:  # a missing file reads as no lines: nothing to write either
                return False
            self._write_file(path, "".join(f"{current}\n" for current in lines), CREDENTIAL_FILE_MODE)
            if old_second is not None and int(path.stat().st_mtime) <= old_second:
                os.utime(path, (old_second + 1, old_second + 1))
            return True
        finally:
            # Closing the descriptor releases the lock.
            os.close(lock_descriptor)

    def _remove_tree(self, path: Path) -> None:
        """Remove `path` and everything under it (symlinks are removed, never followed); absent is fine."""
        try:
            info = path.lstat()
        except FileNotFoundError:
            return
        if stat.S_ISDIR(info.st_mode):
            shutil.rmtree(path)
        else:
            path.unlink()

    def _remove_certificates(self, spec: AssetSpec) -> None:
        """Remove `ssl/<name>/` of every name of the linux_hosting `spec`: its sites and host headers, also the
        disabled ones (host names are unique platform-wide, so no other hosting's certificate is among them)."""
        details = spec.details or {}
        sites = details.get("sites") or [{"name": spec.name, "host_headers": [{"name": f"www.{spec.name}"}]}]
        names = {spec.name}
        for site in sites if isinstance(sites, list) else []:
            if isinstance(site, dict):
                names.add(site.get("name"))
                headers = site.get("host_headers")
                if isinstance(headers, list):
                    names.update(header.get("name") for header in headers if isinstance(header, dict))
        for name in names:
            with suppress(DriverError):  # a name that is no host name never had a directory
                self._remove_tree(self.root / "ssl" / checked_domain(name))

    @staticmethod
    def _remove_empty_directory(path: Path) -> None:
        try:
            path.rmdir()
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTEMPTY, errno.EEXIST):
                raise


class LinuxHostingDriver(LocalDriver):
    """A web site: web space, an nginx server block and a pure-ftpd virtual user.

    Suspended: the server block answers every request with 503 and the shared suspension page, and the FTP
    entry's hash is prefixed with ``!`` (no password can ever crypt to it, so login is refused).
    """

    asset_type = "linux_hosting"

    def _checked(self, spec: AssetSpec) -> AssetSpec:
        spec = super()._checked(spec)
        domain = checked_domain(spec.name)
        declared = spec.details.get("domain_name")
        if declared not in (None, "", domain):
            raise DriverError(
                f"details.domain_name '{declared}' differs from the name '{domain}'.", code="invalid_spec"
            )
        if spec.account_identifier:
            checked_domain(spec.account_identifier, "account identifier")
        php_version = spec.details.get("php_version") or DEFAULT_PHP_VERSION
        if not isinstance(php_version, str) or not PHP_VERSION.match(php_version):
            raise DriverError("details.php_version must look like 8.3.", code="invalid_spec")
        checked_crypt_hash(spec.details.get("ftp_password_hash"), "details.ftp_password_hash", required=False)
        for site in self.sites(spec):
            checked_domain(site["name"], "site name")
            for header in site["host_headers"]:
                checked_domain(header, "host header")
            if not isinstance(site["path"], str) or not SITE_PATH.match(site["path"]) or ".." in site["path"]:
                raise DriverError(f"Invalid path for site {site['name']}.", code="invalid_spec")
        return spec

    @staticmethod
    def sites(spec: AssetSpec) -> list[dict]:
        """The sites to serve, main site first: `name`, `path` in the home, enabled `host_headers` (names), http2.

        A spec without `sites` (a hosting from before the web-stack contract) is one site served from
        public_html under its domain and www.domain, as it always was.
        """
        listed = spec.details.get("sites") or [
            {"name": spec.name, "path": "/public_html", "host_headers": [{"name": f"www.{spec.name}", "enabled": True}]}
        ]
        return [
            {
                "name": site.get("name"),
                "path": site.get("path") or "/",
                "host_headers": [h.get("name") for h in site.get("host_headers") or [] if h.get("enabled", True)],
                "http2": site.get("http2_enabled", True) is not False,
            }
            for site in listed
        ]

    def site_path(self, domain: str) -> Path:
        """The site's directory, `sites/<domain>`."""
        return self.root / "sites" / domain

    def vhost_path(self, domain: str) -> Path:
        """The site's nginx server block, `vhosts/<domain>.conf`."""
        return self.root / "vhosts" / fitting_file_name(domain, ".conf")

    @property
    def ftp_passwd_path(self) -> Path:
        return self.root / "ftp" / "passwd"

    @property
    def suspension_page_path(self) -> Path:
        return self.root / "suspended" / "suspended.html"

    def _apply(self, spec: AssetSpec) -> None:
        domain = spec.name
        site = self._directory(self.site_path(domain), SITE_DIR_MODE)
        self._directory(site / "logs", SITE_DIR_MODE)
        self._directory(site / "tmp", PRIVATE_DIR_MODE)
        for number, served in enumerate(self.sites(spec)):
            document_root = self._document_root(site, served["path"])
            if number == 0:
                self._write_file_if_absent(document_root / "index.html", _default_index(served["name"]), 0o644)
        self._directory(self.suspension_page_path.parent, PUBLIC_DIR_MODE)
        self._write_file(self.suspension_page_path, _SUSPENSION_PAGE, CONFIG_FILE_MODE)
        self._directory(self.vhost_path(domain).parent, PUBLIC_DIR_MODE)
        self._write_file(self.vhost_path(domain), self._vhost(spec), CONFIG_FILE_MODE)
        self._set_line(self.ftp_passwd_path, domain, self._ftp_entry(spec))

    def _remove(self, spec: AssetSpec) -> None:
        domain = spec.name
        self._set_line(self.ftp_passwd_path, domain, None)
        self.vhost_path(domain).unlink(missing_ok=True)
        self._remove_tree(self.site_path(domain))
        self._remove_certificates(spec)

    def _measured_path(self, spec: AssetSpec) -> Path:
        return self.site_path(spec.name)

    def _document_root(self, home: Path, path: str) -> Path:
        """The site's document root `<home><path>`, made (directory by directory, no symlink followed) if absent."""
        current = home
        for segment in [part for part in path.split("/") if part]:
            current = self._directory(current / segment, SITE_DIR_MODE)
        return current

    def _vhost(self, spec: AssetSpec) -> str:
        """One server block per site (the main site first), each answering to its name and enabled host headers."""
        blocks = [self._server_block(spec, served, number == 0) for number, served in enumerate(self.sites(spec))]
        return "\n".join(blocks)

    def _server_block(self, spec: AssetSpec, served: dict, main: bool) -> str:
        domain = spec.name
        site = self.site_path(domain)
        php_version = spec.details.get("php_version") or DEFAULT_PHP_VERSION
        document_root = site / served["path"].strip("/") if served["path"].strip("/") else site
        gzip = spec.details.get("gzip_enabled", True) is not False
        head = [
            f"# Managed by Paneel: linux_hosting {domain} (account {spec.account_identifier or domain}), "
            f"{'site' if main else 'subsite'} {served['name']}.",
            "# Rewritten on every change; edit the asset in Paneel instead.",
            "server {",
            "    listen 80;",
            "    listen [::]:80;",
            # HTTP/2 (`http2_enabled`) needs TLS, which this file-only driver does not serve.
            f"    server_name {' '.join([served['name'], *served['host_headers']])};",
            f"    gzip {'on' if gzip else 'off'};",
            *(
                ["    gzip_types text/plain text/css application/javascript application/json image/svg+xml;"]
                if gzip
                else []
            ),
            "",
            f"    access_log {site}/logs/access.log;",
            f"    error_log {site}/logs/error.log;",
            "",
        ]
        if spec.suspended:
            body = [
                "    # Suspended: every request gets 503 and the suspension page; no PHP runs.",
                f"    root {self.suspension_page_path.parent};",
                "    error_page 503 /suspended.html;",
                "    location = /suspended.html {",
                "        internal;",
                "    }",
                "    location / {",
                "        return 503;",
                "    }",
            ]
        else:
            body = [
                f"    root {document_root};",
                "    index index.php index.html index.htm;",
                "    client_max_body_size 64m;",
                "",
                "    location / {",
                "        try_files $uri $uri/ /index.php?$args;",
                "    }",
                "",
                "    location ~ \\.php$ {",
                "        try_files $uri =404;",
                "        include fastcgi_params;",
                "        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;",
                f"        fastcgi_pass unix:/run/php/php{php_version}-fpm.sock;",
                "    }",
                "",
                "    location ~ /\\.(?!well-known) {",
                "        deny all;",
                "    }",
            ]
        return "\n".join([*head, *body, "}", ""])

    def _ftp_entry(self, spec: AssetSpec) -> str | None:
        """The pure-ftpd virtual-user line, or None (no FTP login at all) without a password hash.

        Fields: account:password:uid:gid:gecos:home:upload bw:download bw:upload ratio:download ratio:
        max connections:files quota:size quota (bytes):allowed local IPs:refused local IPs:allowed client IPs:
        refused client IPs:time restrictions. ``/./`` in the home chroots the user into the site.
        """
        password_hash = checked_crypt_hash(spec.details.get("ftp_password_hash"), "ftp", required=False)
        if not password_hash or spec.details.get("ftp_enabled", True) is False:
            return None
        if spec.suspended:
            password_hash = "!" + password_hash
        # The files belong to whoever runs the worker; the FTP server must write as that user too.
        fields = [
            spec.name,
            password_hash,
            str(os.getuid()),
            str(os.getgid()),
            spec.account_identifier or spec.name,
            f"{self.site_path(spec.name)}/./",
            *[""] * 6,
            str(spec.max_size * _MEGABYTE) if spec.max_size else "",
            *[""] * 5,
        ]
        return ":".join(fields)


class MailboxDriver(LocalDriver):
    """A mailbox: a line in Dovecot's passwd-file and a Maildir.

    Suspension adds the ``nologin=y`` passdb extra field (with a ``reason=``), which Dovecot documents as
    refusing login even when the password matches, as long as neither ``proxy`` nor ``host`` is set (we never
    set them). It is preferred to mangling the hash with ``!`` because the hash stays valid for unsuspension,
    Dovecot logs a clear reason instead of "password mismatch", and mail keeps being delivered (LMTP only does
    a userdb lookup), which is what a suspension should do.
    """

    asset_type = "mailbox"

    def _checked(self, spec: AssetSpec) -> AssetSpec:
        spec = super()._checked(spec)
        checked_address(spec.name)
        checked_crypt_hash(spec.details.get("password_hash"), "details.password_hash", required=True)
        return spec

    @property
    def passwd_path(self) -> Path:
        return self.root / "mail" / "passwd"

    def home_path(self, address: str) -> Path:
        """The mailbox's home, `mail/<domain>/<local part>` (its Maildir is inside)."""
        local, domain = checked_address(address)
        return self.root / "mail" / domain / local

    def _apply(self, spec: AssetSpec) -> None:
        home = self.home_path(spec.name)
        self._directory(home.parent, SITE_DIR_MODE)
        self._directory(home, PRIVATE_DIR_MODE)
        maildir = self._directory(home / "Maildir", PRIVATE_DIR_MODE)
        for part in ("cur", "new", "tmp"):
            self._directory(maildir / part, PRIVATE_DIR_MODE)
        self._set_line(self.passwd_path, spec.name, self._passwd_entry(spec))

    def _remove(self, spec: AssetSpec) -> None:
        home = self.home_path(spec.name)
        self._set_line(self.passwd_path, spec.name, None)
        self._remove_tree(home)
        self._remove_empty_directory(home.parent)

    def _measured_path(self, spec: AssetSpec) -> Path:
        return self.home_path(spec.name)

    def _passwd_entry(self, spec: AssetSpec) -> str:
        """The Dovecot passwd-file line: user:password:uid:gid:gecos:home:shell:extra fields.

        uid and gid stay empty: Dovecot then uses the global ``mail_uid``/``mail_gid`` (the virtual mail user).
        ``userdb_quota_rule`` sets the quota when the same file serves as userdb.
        """
        extra = [f"userdb_quota_rule=*:storage={spec.max_size}M"]
        if spec.suspended:
            # Extra fields are space-separated, hence no spaces in the reason.
            extra += ["nologin=y", "reason=Mailbox_suspended"]
        password = "{SHA512-CRYPT}" + spec.details["password_hash"]
        return f"{spec.name}:{password}::::{self.home_path(spec.name)}::{' '.join(extra)}"


class LocalMySQLDriver(LocalDriver):
    """Stand-in for a MySQL database without a server: `mysql/<name>/` with `db.opt` and a `users` file.

    Accepts and refuses exactly the specs the server driver does (same validation).
    """

    asset_type = "mysql"

    def _checked(self, spec: AssetSpec) -> AssetSpec:
        spec = super()._checked(spec)
        checked_database(spec)
        return spec

    def database_path(self, name: str) -> Path:
        """The database's directory, `mysql/<name>`."""
        return self.root / "mysql" / name

    def _apply(self, spec: AssetSpec) -> None:
        plan = checked_database(spec)
        database = self._directory(self.database_path(plan.name), SITE_DIR_MODE)
        self._write_file(
            database / "db.opt",
            "default-character-set=utf8mb4\ndefault-collation=utf8mb4_unicode_ci\n",
            CREDENTIAL_FILE_MODE,
        )
        lines = [
            f"# Managed by Paneel: mysql database {plan.name} (account {spec.account_identifier}), "
            f"max size {spec.max_size} MB.",
            "# user:rights:state:mysql_native_password hash; state enabled, disabled or suspended "
            "(only enabled may log in)",
        ]
        for user in plan.users:
            state = "suspended" if plan.suspended else ("enabled" if user.enabled else "disabled")
            lines.append(f"{user.name}:{user.rights}:{state}:{user.password_hash}")
        self._write_file(database / "users", "\n".join(lines) + "\n", CREDENTIAL_FILE_MODE)

    def _remove(self, spec: AssetSpec) -> None:
        self._remove_tree(self.database_path(spec.name))

    def _measured_path(self, spec: AssetSpec) -> Path:
        return self.database_path(spec.name)


def _default_index(domain: str) -> str:
    return (
        "<!doctype html>\n"
        '<html lang="en">\n'
        '<head><meta charset="utf-8"><title>' + domain + "</title></head>\n"
        "<body>\n"
        "<h1>" + domain + "</h1>\n"
        "<p>This site is ready. Upload your files over FTP or SFTP.</p>\n"
        "</body>\n"
        "</html>\n"
    )


_SUSPENSION_PAGE = (
    "<!doctype html>\n"
    '<html lang="en">\n'
    '<head><meta charset="utf-8"><title>Site suspended</title></head>\n'
    "<body>\n"
    "<h1>This site is suspended</h1>\n"
    "<p>This website is temporarily unavailable. If it is yours, please contact your hosting provider.</p>\n"
    "</body>\n"
    "</html>\n"
)
