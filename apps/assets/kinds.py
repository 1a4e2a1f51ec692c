"""Asset kinds: what each asset type's fields are, how they are validated, and how its password is hashed.

One class per kind, one shape for all: `build` turns request fields into the provisioned name and the
`details` stored on the asset; `password_details` turns a clear password into the hash the driver needs (the
clear text is never stored); `public_details` is what may be shown (never a hash).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from apps.assets.hosting import DEFAULT_PHP_VERSION, PHP_VERSIONS
from apps.assets.passwords import mysql_native_hash, sha512_crypt, validate_password
from apps.core.errors import Duplicate, FieldProblem, ValidationFailed
from apps.servicepacks.models import AssetType

if TYPE_CHECKING:
    from apps.accounts.models import Account
    from apps.assets.models import Asset

MYSQL_PREFIX = "pn"
MYSQL_USER_MAX = 32  # MySQL's user-name limit; the default user carries the database's name
DATABASE_NAME = re.compile(r"^[a-z0-9][a-z0-9_]*$")
LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$")
USER_RIGHTS = ("read_and_write", "read_only")
EMAIL_ADDRESS_MAX = 254  # RFC 5321: a path is at most 256 octets, with its angle brackets


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


def checked_password(password: Any, field: str) -> str:
    """The password if it follows the reference API's rules, else `ValidationFailed` listing each broken rule."""
    if not isinstance(password, str):
        raise invalid(field, "A password is required.")
    problems = validate_password(password)
    if problems:
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", p, field) for p in problems])
    return password


def crypt_hash(password: Any, field: str) -> str:
    """The SHA-512-crypt hash that FTP and mail servers check `password` against, with the configured rounds."""
    from django.conf import settings

    return sha512_crypt(checked_password(password, field), rounds=settings.PANEEL_CRYPT_ROUNDS)


@dataclass(frozen=True)
class Built:
    name: str
    details: dict[str, Any]


class Kind:
    asset_type: ClassVar[str]
    password_field: ClassVar[str] = "password"
    # Hash keys in `details`: stored for the driver, never shown.
    secret_keys: ClassVar[tuple[str, ...]] = ("password_hash",)

    def build(self, account: Account, fields: dict[str, Any], password: str | None) -> Built:
        raise NotImplementedError

    def default_fields(self, account: Account) -> dict[str, Any]:
        """Fields for the asset created together with an account (servicepack item `created_with_account`)."""
        raise NotImplementedError

    def settled(self, account: Account, built: Built) -> Built:
        """`built` once checked against what the database holds (the caller holds the account's lock)."""
        return built

    def password_details(self, details: dict[str, Any], password: str) -> dict[str, Any]:
        """`details` with the password hash replaced by one for `password`."""
        return {**details, "password_hash": crypt_hash(password, self.password_field)}

    def public_details(self, details: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in details.items() if key not in self.secret_keys}


def default_php_version(account: Account) -> str:
    """DEFAULT_PHP_VERSION, or the newest version the account's web server offers when it lacks that one (h8a: the
    web-stack driver refuses a version its server has not installed, e.g. Debian 12's only 8.2)."""
    server = account.server_for("web")
    offered = (server.services or {}).get("php_versions") if server is not None else None
    if isinstance(offered, list) and offered and DEFAULT_PHP_VERSION not in offered:
        known = [version for version in PHP_VERSIONS if version in offered]
        if known:
            return known[-1]
    return DEFAULT_PHP_VERSION


class LinuxHostingKind(Kind):
    """A web hosting: its `details` are the web-stack contract's (apps.assets.hosting has the rules)."""

    asset_type = AssetType.LINUX_HOSTING
    password_field = "ftp_password"
    secret_keys = ("ftp_password_hash",)

    def build(self, account: Account, fields: dict[str, Any], password: str | None) -> Built:
        from apps.accounts.domains import normalize_domain
        from apps.assets import hosting

        domain = normalize_domain(fields.get("domain_name") or account.identifier, field="domain_name")
        if domain != account.identifier and not domain.endswith("." + account.identifier):
            raise invalid("domain_name", f"Must be {account.identifier} or one of its subdomains.")
        php_version = fields.get("php_version") or default_php_version(account)
        if php_version not in PHP_VERSIONS:
            raise invalid("php_version", f"Choose one of {', '.join(PHP_VERSIONS)}.")
        details = {
            **hosting.defaults(domain),
            "php_version": php_version,
            "system_user": hosting.system_user_for(account.pk, domain, set()),
        }
        if password:
            details = self.password_details(details, password)
        return Built(name=domain, details=details)

    def default_fields(self, account: Account) -> dict[str, Any]:
        return {"domain_name": account.identifier}

    def settled(self, account: Account, built: Built) -> Built:
        """Refuse a host name another hosting serves; number the system user if the account has it already."""
        from apps.assets import hosting

        for name in sorted(hosting.host_names(built.details)):
            if hosting.host_name_owner(name) is not None:
                raise Duplicate(f"{name} is already served by another Linux hosting.", field="domain_name")
        taken = {
            (other or {}).get("system_user")
            for other in account.assets.filter(asset_type=self.asset_type).values_list("details", flat=True)
        }
        user = hosting.system_user_for(account.pk, built.name, taken)
        return Built(name=built.name, details={**built.details, "system_user": user})

    def password_details(self, details: dict[str, Any], password: str) -> dict[str, Any]:
        return {**details, "ftp_password_hash": crypt_hash(password, self.password_field)}

    def with_defaults(self, asset: Asset) -> dict[str, Any]:
        """The asset's details with every key the contract names (old assets may lack some)."""
        from apps.assets import hosting

        return hosting.with_defaults(asset.details or {}, asset.name)


class MySQLKind(Kind):
    asset_type = AssetType.MYSQL

    def build(self, account: Account, fields: dict[str, Any], password: str | None) -> Built:
        database_name = fields.get("database_name")
        if not isinstance(database_name, str) or not database_name:
            raise invalid("database_name", "A database name is required.")
        database_name = database_name.lower()
        name = f"{MYSQL_PREFIX}{account.pk}_{database_name}"
        if not DATABASE_NAME.match(database_name):
            raise invalid(
                "database_name",
                "Use lowercase letters, digits and underscores, starting with a letter or digit.",
            )
        if len(name) > MYSQL_USER_MAX:
            room = MYSQL_USER_MAX - len(name) + len(database_name)
            raise invalid("database_name", f"At most {room} characters on this account (the prefix takes the rest).")
        user = {"name": name, "rights": "read_and_write", "enabled": True, "password_hash": ""}
        if password is None:
            raise invalid("password", "A password is required.")
        user["password_hash"] = mysql_native_hash(checked_password(password, "password"))
        return Built(name=name, details={"database_name": database_name, "users": [user]})

    def default_fields(self, account: Account) -> dict[str, Any]:
        first_label = re.sub(r"[^a-z0-9_]", "_", account.identifier.split(".")[0])
        return {"database_name": first_label[: MYSQL_USER_MAX - len(f"{MYSQL_PREFIX}{account.pk}_")] or "db"}

    def password_details(self, details: dict[str, Any], password: str, user_name: str | None = None) -> dict[str, Any]:
        """Set the password of `user_name` (default: the database's own user)."""
        hashed = mysql_native_hash(checked_password(password, "password"))
        users = [dict(user) for user in details.get("users", [])]
        target = user_name or (users[0]["name"] if users else None)
        for user in users:
            if user["name"] == target:
                user["password_hash"] = hashed
        return {**details, "users": users}

    def public_details(self, details: dict[str, Any]) -> dict[str, Any]:
        users = [{k: v for k, v in user.items() if k != "password_hash"} for user in details.get("users", [])]
        return {**details, "users": users}


class MailboxKind(Kind):
    asset_type = AssetType.MAILBOX

    def build(self, account: Account, fields: dict[str, Any], password: str | None) -> Built:
        address = fields.get("email_address")
        if not isinstance(address, str) or "@" not in address:
            raise invalid("email_address", "An e-mail address such as info@example.com is required.")
        local, _, domain = address.strip().lower().rpartition("@")
        if not LOCAL_PART.match(local) or ".." in local:
            raise invalid(
                "email_address",
                "The part before @ may hold letters, digits and . _ + - (not at the ends, no two dots in a row).",
            )
        from apps.accounts.domains import normalize_domain

        if normalize_domain(domain, field="email_address") != account.identifier:
            raise invalid("email_address", f"The address must be on the account's domain, {account.identifier}.")
        if len(local) + 1 + len(account.identifier) > EMAIL_ADDRESS_MAX:
            raise invalid("email_address", f"An e-mail address is at most {EMAIL_ADDRESS_MAX} characters.")
        if password is None:
            raise invalid("password", "A password is required.")
        details = self.password_details({}, password)
        return Built(name=f"{local}@{account.identifier}", details=details)

    def default_fields(self, account: Account) -> dict[str, Any]:
        return {"email_address": f"info@{account.identifier}"}


KINDS: dict[str, Kind] = {kind.asset_type: kind for kind in (LinuxHostingKind(), MySQLKind(), MailboxKind())}


def kind_of(asset_type: str) -> Kind:
    try:
        return KINDS[asset_type]
    except KeyError:
        raise invalid("asset_type", f"Unknown asset type '{asset_type}'.") from None


def resource_link(asset: Asset) -> str:
    """The API v2 path of an asset, as job `resource_links` carry it."""
    prefix = {
        AssetType.LINUX_HOSTING: "/v2/linuxhostings/",
        AssetType.MYSQL: "/v2/mysqldatabases/",
        AssetType.MAILBOX: "/v2/mailboxes/",
    }[asset.asset_type]
    return prefix + asset.name
