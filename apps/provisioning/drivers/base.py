"""The one small interface every provisioning driver implements (DESIGN 6.3).

A driver makes one kind of asset real: `create`, `update` (bring the real thing in line with the spec),
`delete` and `usage`. Every step is idempotent, because a job whose worker died is simply run again, and every
failure is a `DriverError`, which the job records as its error.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ServerInfo:
    """The server a driver works on or points at (DESIGN 8), as plain data.

    `root` is the directory the file-based drivers write under (None: `PANEEL_PROVISIONING_ROOT`); `services`
    holds the addresses of the server's daemons (see README, "Servers").
    """

    name: str
    hostname: str
    ipv4_address: str | None = None
    ipv6_address: str | None = None
    root: str | None = None
    services: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssetSpec:
    """What an asset should look like, as the worker hands it to a driver.

    `details` per asset type (hashes only, never clear-text passwords):

    - linux_hosting: ``{"domain_name": str, "php_version": "8.3", "ftp_password_hash": "$6$..." or ""}``
    - mysql: ``{"database_name": "shop", "users": [{"name": "pn12_shop", "rights": "read_and_write" or
      "read_only", "enabled": bool, "password_hash": "*ABC..."}]}``
    - mailbox: ``{"password_hash": "$6$..."}``
    """

    asset_type: str  # "linux_hosting" | "mysql" | "mailbox"
    # The provisioned, platform-unique name: linux_hosting -> the domain name; mysql -> the prefixed database
    # name (e.g. "pn12_shop"); mailbox -> the e-mail address.
    name: str
    account_identifier: str  # the account's domain, lowercased, e.g. "example.com"
    max_size: int  # MB
    suspended: bool = False
    details: Mapping[str, Any] = field(default_factory=dict)
    # The account's servers by role ("web", "mail", "dns", "db"), for what a driver writes that points at
    # another role (a DNS zone's A and MX records, a hosting's SSH host).
    placement: Mapping[str, ServerInfo] = field(default_factory=dict)


class DriverError(Exception):
    """A provisioning step failed; the job records `code` (stable, for programs) and `detail` (for people).

    Codes used by the drivers: ``invalid_spec`` (the spec is refused before anything is touched),
    ``not_found`` (usage of something that does not exist), ``no_driver`` (no driver configured),
    ``driver_error`` (the local drivers' file-system failures), ``mysql_error`` (the MySQL server refused or
    failed), ``mysql_user_conflict`` (a user name already belongs to something else); the web stack's
    ``nginx_config_invalid`` / ``php_fpm_config_invalid`` (the daemon's test refused the new file, the old one is
    back), ``nginx_error`` / ``php_fpm_error`` / ``ftp_error`` / ``ssh_error`` / ``cron_error`` (a daemon or tool
    failed), ``system_user_conflict`` (the user exists and is not the hosting's), ``system_user_error``.
    """

    def __init__(self, detail: str, *, code: str = "driver_error") -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail

    def __repr__(self) -> str:
        return f"DriverError(code={self.code!r}, detail={self.detail!r})"


class Driver(ABC):
    """Makes one asset type real. Each method is idempotent and raises only `DriverError`."""

    asset_type: str

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> Driver:
        """An instance working on `server` (the one the job runs on); None: the worker's own configuration."""
        return cls()

    @abstractmethod
    def create(self, spec: AssetSpec) -> None:
        """Make the asset exist as `spec` describes; running it twice gives the same end state."""

    @abstractmethod
    def update(self, spec: AssetSpec) -> None:
        """Bring the real asset in line with `spec` (passwords, users, PHP version, size, suspension)."""

    @abstractmethod
    def delete(self, spec: AssetSpec) -> None:
        """Remove the asset and everything provisioned for it; deleting what is already gone is fine."""

    @abstractmethod
    def usage(self, spec: AssetSpec) -> int:
        """Return the space the asset really uses, in MB rounded up."""
