"""A linux_hosting spec's `details`, validated and with every default applied (contract: web stack).

The web-stack driver and its parts (nginx, PHP-FPM, pure-ftpd, OpenSSH, cron) read a `Hosting`, never the raw
details: everything is checked here first, before any daemon or file is touched, and old assets that lack a key
get the same defaults the asset kind uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apps.provisioning.drivers.base import AssetSpec, DriverError
from apps.provisioning.drivers.local import SHA512_CRYPT_HASH, checked_domain

SYSTEM_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
PHP_VERSION = re.compile(r"^[0-9]{1,2}\.[0-9]{1,2}$")
TASK_ID = re.compile(r"^[0-9a-f]{32}$")
# Nothing nginx, a crontab or a shell reads specially: no space, quote, `;`, `$`, braces, and no `%` (a newline
# to cron).
PATH_CHARACTERS = re.compile(r"^/[A-Za-z0-9._~+@,=/-]*$")

DEFAULT_PHP_VERSION = "8.2"
DEFAULT_MEMORY_LIMIT = 128
DEFAULT_APCU_SIZE = 32
MAIN_SITE_PATH = "/www"


def checked_path(value: object, what: str) -> str:
    """A path relative to the hosting's home: starts with "/", printable, no "..", no NUL, no "%"."""
    if not isinstance(value, str) or not value or len(value) > 255:
        raise DriverError(f"{what} must be a path starting with '/'.", code="invalid_spec")
    if not PATH_CHARACTERS.match(value) or any(part == ".." for part in value.split("/")):
        raise DriverError(f"{what} {value[:80]!r} is not an allowed path.", code="invalid_spec")
    return "/" + "/".join(part for part in value.split("/") if part not in ("", "."))


def _flag(details: dict, key: str, default: bool) -> bool:
    value = details.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise DriverError(f"details.{key} must be true or false.", code="invalid_spec")
    return value


def _megabytes(details: dict, key: str, default: int, *, low: int, high: int) -> int:
    value = details.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DriverError(f"details.{key} must be a whole number from {low} to {high}.", code="invalid_spec")
    return value


@dataclass(frozen=True)
class Site:
    """One web site of the hosting: the main site (name == domain name) or a subsite."""

    name: str
    path: str  # relative to the home, starting with "/"
    host_headers: tuple[str, ...]  # the enabled ones only
    http2_enabled: bool
    ssl_enabled: bool
    https_redirect_enabled: bool

    @property
    def server_names(self) -> tuple[str, ...]:
        return (self.name, *self.host_headers)


@dataclass(frozen=True)
class SshKey:
    fingerprint: str
    public_key: str


@dataclass(frozen=True)
class ScheduledTask:
    id: str
    enabled: bool
    cron_expression: str
    script_location: str


@dataclass(frozen=True)
class Hosting:
    """Everything the web-stack driver applies for one linux_hosting."""

    domain_name: str
    account_identifier: str
    system_user: str
    max_size: int
    suspended: bool
    php_version: str
    php_memory_limit: int
    apcu_enabled: bool
    apcu_size: int
    gzip_enabled: bool
    ftp_enabled: bool
    ftp_password_hash: str
    ssh_enabled: bool
    ssh_keys: tuple[SshKey, ...]
    sites: tuple[Site, ...]
    scheduled_tasks: tuple[ScheduledTask, ...]


def _sites(details: dict, domain: str) -> tuple[Site, ...]:
    raw = details.get("sites") or [{"name": domain, "path": MAIN_SITE_PATH}]
    if not isinstance(raw, list) or len(raw) > 100:
        raise DriverError("details.sites must be a list of at most 100 sites.", code="invalid_spec")
    sites: list[Site] = []
    seen_names: set[str] = set()
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise DriverError(f"details.sites[{index}] must be an object.", code="invalid_spec")
        name = checked_domain(entry.get("name"), f"site name of details.sites[{index}]")
        if index == 0 and name != domain:
            raise DriverError(
                "The first site must be the main site (its name is the domain name).", code="invalid_spec"
            )
        default_path = MAIN_SITE_PATH if index == 0 else f"/subsites/{name}"
        path = checked_path(entry.get("path") or default_path, f"details.sites[{index}].path")
        first = path.split("/")[1] if path != "/" else ""
        if path == "/" or first == "tmp" or first.startswith("."):
            # The web would serve PHP's sessions (tmp/) or the SSH keys (.ssh/) of the hosting.
            raise DriverError(
                f"A site's path cannot be the home itself, its tmp/ or a hidden directory ({path}).",
                code="invalid_spec",
            )
        headers_raw = entry.get("host_headers") or []
        if not isinstance(headers_raw, list):
            raise DriverError(f"details.sites[{index}].host_headers must be a list.", code="invalid_spec")
        headers: list[str] = []
        for header in headers_raw:
            if not isinstance(header, dict):
                raise DriverError("A host header must be an object with name and enabled.", code="invalid_spec")
            header_name = checked_domain(header.get("name"), "host header")
            enabled = header.get("enabled", True)
            if not isinstance(enabled, bool):
                raise DriverError("A host header's enabled must be true or false.", code="invalid_spec")
            if enabled and header_name not in headers:
                headers.append(header_name)
        for server_name in (name, *headers):
            if server_name in seen_names:
                raise DriverError(f"The host name {server_name} is used twice in this hosting.", code="invalid_spec")
            seen_names.add(server_name)
        sites.append(
            Site(
                name=name,
                path=path,
                host_headers=tuple(headers),
                http2_enabled=_flag(entry, "http2_enabled", True),
                ssl_enabled=_flag(entry, "ssl_enabled", False),
                https_redirect_enabled=_flag(entry, "https_redirect_enabled", False),
            )
        )
    return tuple(sites)


def _ssh_keys(details: dict) -> tuple[SshKey, ...]:
    from apps.provisioning.drivers.ssh import fingerprint_of

    raw = details.get("ssh_keys") or []
    if not isinstance(raw, list) or len(raw) > 100:
        raise DriverError("details.ssh_keys must be a list of at most 100 keys.", code="invalid_spec")
    keys: list[SshKey] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise DriverError("An SSH key must be an object with fingerprint and public_key.", code="invalid_spec")
        public_key = entry.get("public_key")
        fingerprint = fingerprint_of(public_key)
        declared = entry.get("fingerprint")
        if declared not in (None, "", fingerprint):
            raise DriverError(f"The SSH key's fingerprint is {fingerprint}, not {declared}.", code="invalid_spec")
        keys.append(SshKey(fingerprint=fingerprint, public_key=str(public_key).strip()))
    return tuple(keys)


def _scheduled_tasks(details: dict) -> tuple[ScheduledTask, ...]:
    from apps.provisioning.drivers.cron import checked_cron_expression

    raw = details.get("scheduled_tasks") or []
    if not isinstance(raw, list) or len(raw) > 100:
        raise DriverError("details.scheduled_tasks must be a list of at most 100 tasks.", code="invalid_spec")
    tasks: list[ScheduledTask] = []
    for index, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise DriverError(f"details.scheduled_tasks[{index}] must be an object.", code="invalid_spec")
        task_id = entry.get("id")
        if not isinstance(task_id, str) or not TASK_ID.match(task_id):
            raise DriverError(f"details.scheduled_tasks[{index}].id must be 32 hex digits.", code="invalid_spec")
        tasks.append(
            ScheduledTask(
                id=task_id,
                enabled=_flag(entry, "enabled", True),
                cron_expression=checked_cron_expression(entry.get("cron_expression")),
                script_location=checked_path(
                    entry.get("script_location"), f"details.scheduled_tasks[{index}].script_location"
                ),
            )
        )
    return tuple(tasks)


def checked_hosting(spec: AssetSpec) -> Hosting:
    """The spec as a `Hosting`, or `DriverError` (``invalid_spec``) naming the first problem."""
    if spec.asset_type != "linux_hosting":
        raise DriverError(f"The web stack handles linux_hosting, not {spec.asset_type}.", code="invalid_spec")
    if isinstance(spec.max_size, bool) or not isinstance(spec.max_size, int) or spec.max_size < 0:
        raise DriverError("max_size must be a whole number of megabytes.", code="invalid_spec")
    details = dict(spec.details or {})
    domain = checked_domain(spec.name)
    declared = details.get("domain_name")
    if declared not in (None, "", domain):
        raise DriverError(f"details.domain_name '{declared}' differs from the name '{domain}'.", code="invalid_spec")
    account = checked_domain(spec.account_identifier or domain, "account identifier")
    system_user = details.get("system_user")
    if not isinstance(system_user, str) or not SYSTEM_USER.match(system_user):
        raise DriverError(
            "details.system_user must be 1 to 32 characters of a-z, 0-9, _ and -, not starting with a digit or -.",
            code="invalid_spec",
        )
    php_version = details.get("php_version") or DEFAULT_PHP_VERSION
    if not isinstance(php_version, str) or not PHP_VERSION.match(php_version):
        raise DriverError("details.php_version must look like 8.2.", code="invalid_spec")
    ftp_hash = details.get("ftp_password_hash") or ""
    if ftp_hash and (not isinstance(ftp_hash, str) or not SHA512_CRYPT_HASH.match(ftp_hash)):
        raise DriverError("details.ftp_password_hash must be a SHA-512-crypt hash ($6$...).", code="invalid_spec")
    return Hosting(
        domain_name=domain,
        account_identifier=account,
        system_user=system_user,
        max_size=spec.max_size,
        suspended=bool(spec.suspended),
        php_version=php_version,
        php_memory_limit=_megabytes(details, "php_memory_limit", DEFAULT_MEMORY_LIMIT, low=16, high=4096),
        apcu_enabled=_flag(details, "apcu_enabled", False),
        apcu_size=_megabytes(details, "apcu_size", DEFAULT_APCU_SIZE, low=1, high=1024),
        gzip_enabled=_flag(details, "gzip_enabled", True),
        ftp_enabled=_flag(details, "ftp_enabled", True),
        ftp_password_hash=ftp_hash,
        ssh_enabled=_flag(details, "ssh_enabled", False),
        ssh_keys=_ssh_keys(details),
        sites=_sites(details, domain),
        scheduled_tasks=_scheduled_tasks(details),
    )
