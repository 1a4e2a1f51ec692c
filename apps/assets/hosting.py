"""The rules of a Linux hosting's `details` (the web-stack contract): defaults, and the validation of every value
a reseller may change (sites, host headers, PHP settings, SSH keys, scheduled tasks).

Old assets may lack keys: `with_defaults` fills them in, and every reader goes through it (never a KeyError).
Each check raises `ValidationFailed` naming the request field, so the API and the panel say what is wrong.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import uuid
from typing import Any

from apps.core.errors import FieldProblem, ValidationFailed

# The PHP versions Paneel knows; a server lists the ones it has in `services["php_versions"]`.
PHP_VERSIONS = ("8.1", "8.2", "8.3", "8.4")
DEFAULT_PHP_VERSION = "8.3"

PHP_MEMORY_LIMITS = (64, 128, 256, 512, 1024)  # MB
DEFAULT_PHP_MEMORY_LIMIT = 128
APCU_SIZE_MIN, APCU_SIZE_MAX = 8, 512  # MB
DEFAULT_APCU_SIZE = 32
MAX_SITES = 50  # the main site and its subsites
MAX_HOST_HEADERS = 50  # per site
MAX_SSH_KEYS = 50
MAX_SCHEDULED_TASKS = 50
SYSTEM_USER_MAX = 32  # Linux's user-name limit (useradd)
SYSTEM_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# Paths inside the hosting's home: "/" then segments of safe characters; no "..", no empty segment, no NUL,
# nothing a crontab or an nginx directive would read specially (spaces, %, ;, quotes, newlines).
HOME_PATH = re.compile(r"^(?:/[A-Za-z0-9._-]+)+/?$|^/$")
HOME_PATH_MAX = 255
SSH_KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
)
RSA_MIN_BITS = 2048
SSH_COMMENT = re.compile(r"^[\x21-\x7e][\x20-\x7e]{0,199}$")  # printable ASCII, no leading space
# The reference's cron fields: minute (0-59, */5, */10, */15, */30), hour (0-23), day of month (1-31),
# month (1-12), day of week (1-7, Monday to Sunday); each may also be "*".
CRON_FIELDS = (
    ("minute", 0, 59, ("*", "*/5", "*/10", "*/15", "*/30")),
    ("hour", 0, 23, ("*",)),
    ("day of the month", 1, 31, ("*",)),
    ("month", 1, 12, ("*",)),
    ("day of the week", 1, 7, ("*",)),
)


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


def main_site(domain: str) -> dict[str, Any]:
    """The hosting's own site, answering `www.<domain>` too where that is still a legal host name (253)."""
    www = f"www.{domain}"
    return {
        "name": domain,
        "path": "/www",
        "host_headers": [{"name": www, "enabled": True}] if len(www) <= 253 else [],
        "http2_enabled": True,
        "ssl_enabled": False,
        "https_redirect_enabled": False,
    }


def subsite(name: str, path: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "host_headers": [],
        "http2_enabled": True,
        "ssl_enabled": False,
        "https_redirect_enabled": False,
    }


def defaults(domain: str) -> dict[str, Any]:
    """What a new hosting starts with (the contract's keys; `system_user` and the FTP hash come from `build`)."""
    return {
        "domain_name": domain,
        "php_memory_limit": DEFAULT_PHP_MEMORY_LIMIT,
        "apcu_enabled": False,
        "apcu_size": DEFAULT_APCU_SIZE,
        "gzip_enabled": True,
        "ftp_enabled": True,
        "ftp_password_hash": "",
        "ssh_enabled": False,
        "ssh_keys": [],
        "sites": [main_site(domain)],
        "scheduled_tasks": [],
    }


def with_defaults(details: dict[str, Any], domain: str) -> dict[str, Any]:
    """A deep copy of `details` with every missing key (and every missing key of each site) at its default."""
    filled = {**defaults(domain), "php_version": DEFAULT_PHP_VERSION, **copy.deepcopy(dict(details))}
    site_default = subsite("", "")
    filled["sites"] = [{**site_default, **site} for site in filled["sites"]] or [main_site(domain)]
    return filled


def system_user_for(account_pk: int, domain: str, taken: set[str]) -> str:
    """A Linux user name for the hosting: `w<account>_<domain>`, cut to 32 characters, numbered when taken.

    The account number makes it unique among accounts; `taken` (the account's other hostings' users) among an
    account's hostings. It starts with a letter, so it can never be a number or an option.
    """
    prefix = f"w{account_pk}_"
    label = re.sub(r"[^a-z0-9]+", "_", domain.lower()).strip("_") or "site"
    candidate = (prefix + label)[:SYSTEM_USER_MAX].rstrip("_-")
    number = 1
    while candidate in taken:
        number += 1
        suffix = f"_{number}"
        candidate = (prefix + label)[: SYSTEM_USER_MAX - len(suffix)].rstrip("_-") + suffix
    assert SYSTEM_USER.match(candidate), candidate
    return candidate


def checked_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, "Must be true or false.")
    return value


def checked_int(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(field, "Must be a whole number.")
    return value


def checked_memory_limit(value: Any) -> int:
    limit = checked_int(value, "memory_limit")
    if limit not in PHP_MEMORY_LIMITS:
        raise invalid("memory_limit", f"Choose one of {', '.join(map(str, PHP_MEMORY_LIMITS))} (MB).")
    return limit


def checked_apcu_size(value: Any) -> int:
    size = checked_int(value, "apcu_size")
    if not APCU_SIZE_MIN <= size <= APCU_SIZE_MAX:
        raise invalid("apcu_size", f"Must be between {APCU_SIZE_MIN} and {APCU_SIZE_MAX} (MB).")
    return size


def checked_home_path(value: Any, field: str) -> str:
    """A path inside the hosting's home: starts with "/", no "..", no NUL, only letters, digits and . _ - /."""
    if not isinstance(value, str) or not value:
        raise invalid(field, "A path starting with / is required.")
    if len(value) > HOME_PATH_MAX:
        raise invalid(field, f"At most {HOME_PATH_MAX} characters.")
    if "\x00" in value or not HOME_PATH.match(value):
        raise invalid(field, "Must start with / and hold only letters, digits, '.', '_', '-' and '/'.")
    segments = [segment for segment in value.split("/") if segment]
    if any(segment in (".", "..") for segment in segments) or "//" in value:
        raise invalid(field, "Must not hold '.', '..' or empty segments.")
    return "/" + "/".join(segments)


def checked_cron_expression(value: Any) -> str:
    """The reference's five-field schedule, fields separated by single spaces."""
    field = "cron_expression"
    if not isinstance(value, str):
        raise invalid(field, "A five-field cron expression such as */5 * * * * is required.")
    parts = value.strip().split()
    if len(parts) != 5:
        raise invalid(field, "Give five fields: minute, hour, day of the month, month, day of the week.")
    for part, (name, low, high, words) in zip(parts, CRON_FIELDS, strict=True):
        if part in words:
            continue
        if not (part.isascii() and part.isdigit() and len(part) <= 2 and low <= int(part) <= high):
            allowed = ", ".join(words)
            raise invalid(field, f"The {name} must be {low}-{high} or one of {allowed}; got {part!r}.")
    return " ".join(str(int(p)) if p.isdigit() else p for p in parts)


def new_task_id() -> str:
    return uuid.uuid4().hex


def checked_task(fields: dict[str, Any]) -> dict[str, Any]:
    """`enabled`, `cron_expression` and `script_location` of a scheduled task, validated (the id is not)."""
    problems: list[FieldProblem] = []
    task: dict[str, Any] = {}
    for name, check in (
        ("enabled", lambda v: checked_bool(v, "enabled")),
        ("cron_expression", checked_cron_expression),
        ("script_location", lambda v: checked_home_path(v, "script_location")),
    ):
        try:
            task[name] = check(fields.get(name))
        except ValidationFailed as error:
            problems.extend(error.problems)
    if problems:
        raise ValidationFailed.from_problems(problems)
    if str(fields.get("script_location")).endswith("/"):
        raise invalid("script_location", "Must name a file, not a directory.")
    return task


def _ssh_string(blob: bytes, offset: int) -> tuple[bytes, int]:
    if offset + 4 > len(blob):
        raise ValueError("truncated")
    length = int.from_bytes(blob[offset : offset + 4], "big")
    end = offset + 4 + length
    if end > len(blob):
        raise ValueError("truncated")
    return blob[offset + 4 : end], end


def checked_public_key(value: Any) -> dict[str, str]:
    """`{"fingerprint": "SHA256:...", "public_key": "<type> <base64> [comment]"}` of a valid OpenSSH public key.

    The key is parsed by `cryptography` (so a blob that merely looks like base64 is refused), RSA keys need
    2048 bits or more, and the stored line is rebuilt from its parts: one line, no options, no control
    characters, so it can go into `authorized_keys` as it is. The fingerprint is OpenSSH's (`ssh-keygen -l`).
    """
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    field = "public_key"
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "An OpenSSH public key (ssh-ed25519 AAAA... comment) is required.")
    if len(value) > 16384 or any(ch in value for ch in "\r\n\x00"):
        raise invalid(field, "Give one public key on one line.")
    parts = value.strip().split(None, 2)
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise invalid(field, f"The key must start with one of {', '.join(SSH_KEY_TYPES)}.")
    key_type, encoded = parts[0], parts[1]
    comment = parts[2].strip() if len(parts) == 3 else ""
    try:
        blob = base64.b64decode(encoded, validate=True)
        embedded, _ = _ssh_string(blob, 0)
        if embedded.decode("ascii") != key_type:
            raise ValueError("type mismatch")
        key = load_ssh_public_key(f"{key_type} {encoded}".encode("ascii"))
    except (ValueError, UnicodeError, TypeError):
        raise invalid(field, "This is not a valid OpenSSH public key.") from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < RSA_MIN_BITS:
        raise invalid(field, f"RSA keys need at least {RSA_MIN_BITS} bits.")
    if comment and not SSH_COMMENT.match(comment):
        raise invalid(field, "The comment after the key may hold printable characters only (at most 200).")
    fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii").rstrip("=")
    line = f"{key_type} {encoded}" + (f" {comment}" if comment else "")
    return {"fingerprint": fingerprint, "public_key": line}


def same_fingerprint(stored: str, asked: str) -> bool:
    """Whether `asked` (from a URL, with or without the `SHA256:` prefix) names the key `stored`."""
    return asked == stored or "SHA256:" + asked == stored


def host_names(details: dict[str, Any]) -> set[str]:
    """Every name the hosting's web server answers to: each site's name and its host headers."""
    names = set()
    for site in details.get("sites") or []:
        names.add(site.get("name"))
        names.update(header.get("name") for header in site.get("host_headers") or [])
    names.discard(None)
    return names


def host_name_owner(name: str, *, other_than: int | None = None):
    """The Linux hosting (an Asset) whose web server answers to `name` (a site or host header), if any.

    Host names are unique platform-wide: nginx would otherwise serve one customer's name from another's site.
    A hosting without `sites` (an old asset) answers to its domain and www.domain, as its defaults say. The
    database narrows the search to the hostings named so or whose details hold the quoted name (host names are
    plain ASCII, so their JSON text is exact); the exact check is then made on those few.
    """
    from django.db.models import Q

    from apps.assets.models import Asset

    names = {name, name.removeprefix("www.")}
    candidates = (
        Asset.objects.filter(asset_type="linux_hosting")
        .filter(Q(name__in=names) | Q(details__icontains=f'"{name}"'))
        .exclude(pk=other_than)
        .values_list("pk", "name", "details")
    )
    for pk, domain, details in candidates:
        if name in host_names(with_defaults(details or {}, domain)):
            return Asset.objects.get(pk=pk)
    return None


def connection_host(asset) -> str:
    """Where customers connect for SSH, SFTP and FTP: the web server's host name (without a server, as in
    `make run`, the hosting's own domain)."""
    server = asset.provisioning_server
    return server.hostname if server is not None and server.hostname else asset.name
