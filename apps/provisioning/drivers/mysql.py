"""The `mysql` driver for a real MySQL or MariaDB server (PyMySQL), configured by `PANEEL_MYSQL_URL`.

What it provisions for a spec named ``pn12_shop``:

- the database ``pn12_shop`` (utf8mb4);
- each user of ``details["users"]`` as ``'<name>'@'%'``, authenticated by the stored `mysql_native_password`
  hash (the clear password never reaches the panel's jobs), with privileges on that database only
  (read_and_write or read_only), locked (``ACCOUNT LOCK``) when disabled or when the spec is suspended.

Which users belong to a database: a user name must start with the database's owner prefix (`pn12_`, the
account's; the name rule every spec must follow), and the users the driver manages for a database are those
with privileges on it whose names start with that prefix. A user only ever holds privileges on one database,
and one already holding privileges elsewhere is never taken over. `update` drops those no longer listed.

The size limit (`max_size`) is not enforced by MySQL; `usage` measures it so the panel can act on it.

Safety: every identifier is validated (`[a-z0-9_]`, MySQL's length limits) before any SQL runs and quoted with
backticks; user names, hosts and hashes travel as query parameters. A user that already holds privileges on
another database or global privileges is never taken over. Errors never carry a password or a hash.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pymysql
import pymysql.cursors

from apps.provisioning.drivers.base import AssetSpec, Driver, DriverError, ServerInfo

DATABASE_NAME = re.compile(r"^[a-z0-9_]{1,64}$")
USER_NAME = re.compile(r"^[a-z0-9_]{1,32}$")  # 32: MySQL's limit (MariaDB allows 80)
NATIVE_HASH = re.compile(r"^\*[0-9A-F]{40}$")
# Never provisioned, never dropped, whatever a spec says.
RESERVED_DATABASES = frozenset({"mysql", "information_schema", "performance_schema", "sys"})
RESERVED_USERS = frozenset({"root", "mysql", "mariadb_sys", "debian_sys_maint"})

RIGHTS: dict[str, tuple[str, ...]] = {
    "read_and_write": (
        "SELECT",
        "INSERT",
        "UPDATE",
        "DELETE",
        "CREATE",
        "DROP",
        "INDEX",
        "ALTER",
        "CREATE TEMPORARY TABLES",
        "LOCK TABLES",
        "CREATE VIEW",
        "SHOW VIEW",
        "EXECUTE",
        "CREATE ROUTINE",
        "ALTER ROUTINE",
        "TRIGGER",
        "REFERENCES",
    ),
    "read_only": ("SELECT", "SHOW VIEW"),
}
USER_HOST = "%"
LOCK_TIMEOUT_SECONDS = 30
CONNECT_TIMEOUT_SECONDS = 10

_PRIVILEGE_NAME = re.compile(r"^[A-Z][A-Z ]*$")
_HASH_IN_TEXT = re.compile(r"\*[0-9A-Fa-f]{40}")
_MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class DatabaseUser:
    """One validated database user of a spec."""

    name: str
    rights: str
    enabled: bool
    password_hash: str


@dataclass(frozen=True)
class DatabasePlan:
    """A validated mysql spec: the database's name, its users, and whether it is suspended."""

    name: str
    users: tuple[DatabaseUser, ...]
    suspended: bool


def checked_database(spec: AssetSpec) -> DatabasePlan:
    """Validate a mysql spec completely, before anything is touched; raise `DriverError` (``invalid_spec``).

    Used by both mysql drivers (server and local), so both accept and refuse the same specs.
    """
    name = spec.name
    if not isinstance(name, str) or not DATABASE_NAME.match(name):
        raise DriverError(
            "A database name is 1 to 64 characters: lowercase letters, digits and underscores.", code="invalid_spec"
        )
    if name in RESERVED_DATABASES:
        raise DriverError(f"'{name}' is a system database and cannot be provisioned.", code="invalid_spec")
    raw_users = spec.details.get("users", [])
    if not isinstance(raw_users, list | tuple):
        raise DriverError("details.users must be a list.", code="invalid_spec")
    users = tuple(_checked_user(name, raw) for raw in raw_users)
    names = [user.name for user in users]
    if len(names) != len(set(names)):
        raise DriverError("details.users lists a user twice.", code="invalid_spec")
    return DatabasePlan(name=name, users=users, suspended=bool(spec.suspended))


def owner_prefix(database: str) -> str:
    """The part of a database name that names its owner: up to and including the first underscore (`pn12_`).

    Users of one account share it (`pn12_shop`, `pn12_admin`); a user is only ever granted on one database, and
    `refuse_foreign_user` keeps one database from taking over another's user.
    """
    head, separator, _ = database.partition("_")
    return head + separator if separator else database


def _checked_user(database: str, raw: Any) -> DatabaseUser:
    if not isinstance(raw, Mapping):
        raise DriverError("Each entry of details.users must be an object.", code="invalid_spec")
    name = raw.get("name")
    if not isinstance(name, str) or not USER_NAME.match(name):
        raise DriverError(
            "A database user name is 1 to 32 characters: lowercase letters, digits and underscores.",
            code="invalid_spec",
        )
    if not name.startswith(owner_prefix(database)) or name in RESERVED_USERS:
        # The name rule is what tells which users belong to which database (see the module docstring).
        raise DriverError(
            f"User '{name}' must start with the database's owner prefix '{owner_prefix(database)}'.",
            code="invalid_spec",
        )
    rights = raw.get("rights")
    if rights not in RIGHTS:
        raise DriverError(
            f"User '{name}': rights must be one of {', '.join(RIGHTS)}.",
            code="invalid_spec",
        )
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise DriverError(f"User '{name}': enabled must be true or false.", code="invalid_spec")
    password_hash = raw.get("password_hash")
    if not isinstance(password_hash, str) or not NATIVE_HASH.match(password_hash):
        raise DriverError(
            f"User '{name}': password_hash must be a mysql_native_password hash (*40 hex digits).",
            code="invalid_spec",
        )
    return DatabaseUser(name=name, rights=rights, enabled=enabled, password_hash=password_hash)


def quoted_database(name: str) -> str:
    """`name` (validated) quoted as an identifier for statements that name the database itself."""
    if not DATABASE_NAME.match(name):
        raise DriverError("Invalid database name.", code="invalid_spec")
    return f"`{name}`"


def quoted_grant_database(name: str) -> str:
    """`name` quoted for ``GRANT ... ON <db>.*``, where `_` and `%` are wildcards unless escaped.

    Without the escape, a grant on ``pn12_shop`` would also open ``pn12xshop`` to the user.
    """
    return quoted_database(name).replace("_", r"\_")


def connection_parameters(url: str) -> dict[str, Any]:
    """PyMySQL connection arguments from a URL such as ``mysql://root:secret@127.0.0.1:3306/``.

    ``?unix_socket=/run/mysqld/mysqld.sock`` connects through a socket instead of TCP.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"mysql", "mariadb"}:
        raise DriverError("PANEEL_MYSQL_URL must start with mysql:// or mariadb://.", code="driver_error")
    try:
        port = parts.port or 3306
    except ValueError:
        raise DriverError("PANEEL_MYSQL_URL has an invalid port.", code="driver_error") from None
    parameters: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1",
        "port": port,
        "user": unquote(parts.username or "root"),
        "password": unquote(parts.password or ""),
    }
    socket = parse_qs(parts.query).get("unix_socket")
    if socket:
        parameters["unix_socket"] = socket[0]
    return parameters


def _mysql_error(exc: pymysql.MySQLError) -> DriverError:
    """A `DriverError` for a PyMySQL error; hashes that a server may echo back are masked."""
    if exc.args and isinstance(exc.args[0], int):
        text = f"MySQL error {exc.args[0]}: {exc.args[1] if len(exc.args) > 1 else ''}"
    else:
        text = f"MySQL error: {exc}"
    return DriverError(_HASH_IN_TEXT.sub("*<hash>", text), code="mysql_error")


class MySQLDriver(Driver):
    """Databases and users on a real MySQL/MariaDB server, from `PANEEL_MYSQL_URL` unless `url` is given."""

    asset_type = "mysql"

    def __init__(self, url: str | None = None) -> None:
        if url is None:
            from django.conf import settings

            url = getattr(settings, "PANEEL_MYSQL_URL", None)
        if not url:
            raise DriverError("PANEEL_MYSQL_URL is not set: no MySQL server is configured.", code="driver_error")
        self._connection_parameters = connection_parameters(url)

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> MySQLDriver:
        """The database server's own `mysql_url` service address where it has one, else `PANEEL_MYSQL_URL`."""
        url = (server.services.get("mysql_url") if server is not None else None) or None
        return cls(url=url)

    def create(self, spec: AssetSpec) -> None:
        """Create the database and its users (create and update converge on the same end state)."""
        self._converge(checked_database(spec))

    def update(self, spec: AssetSpec) -> None:
        """Bring passwords, privileges, locks and the list of users in line with `spec`."""
        self._converge(checked_database(spec))

    def delete(self, spec: AssetSpec) -> None:
        """Drop the database's users (listed or found by the name rule), then the database."""
        plan = checked_database(spec)
        with self._session(plan.name) as session:
            owned = session.owned_users(plan.name)
            for user in plan.users:
                if user.name not in owned and session.user_exists(user.name):
                    session.refuse_foreign_user(user.name, plan.name)
                    owned.add(user.name)
            for name in sorted(owned):
                session.drop_user(name)
            session.execute(f"DROP DATABASE IF EXISTS {quoted_database(plan.name)}")

    def usage(self, spec: AssetSpec) -> int:
        """Data and index size of the database's tables, in MB rounded up (InnoDB's estimate)."""
        plan = checked_database(spec)
        with self._session(plan.name) as session:
            if not session.fetch("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (plan.name,)):
                raise DriverError(f"Database '{plan.name}' does not exist.", code="not_found")
            rows = session.fetch(
                "SELECT COALESCE(SUM(DATA_LENGTH + INDEX_LENGTH), 0) FROM information_schema.TABLES "
                "WHERE TABLE_SCHEMA = %s",
                (plan.name,),
            )
        return math.ceil(int(rows[0][0]) / _MEGABYTE)

    def _converge(self, plan: DatabasePlan) -> None:
        with self._session(plan.name) as session:
            session.execute(
                f"CREATE DATABASE IF NOT EXISTS {quoted_database(plan.name)} "
                "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
            )
            wanted = {user.name for user in plan.users}
            for name in sorted(session.owned_users(plan.name) - wanted):
                session.drop_user(name)
            for user in plan.users:
                session.ensure_user(plan, user)

    @contextmanager
    def _session(self, database: str) -> Iterator[_Session]:
        """A connection holding the server-wide named lock for `database`, so two workers never interleave."""
        try:
            connection = pymysql.connect(
                **self._connection_parameters,
                charset="utf8mb4",
                autocommit=True,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                cursorclass=pymysql.cursors.Cursor,
            )
        except pymysql.MySQLError as exc:
            raise _mysql_error(exc) from None
        try:
            session = _Session(connection)
            # Named locks are at most 64 characters; a digest keeps any database name within that.
            lock_name = "paneel:" + hashlib.sha256(database.encode()).hexdigest()[:40]
            acquired = session.fetch("SELECT GET_LOCK(%s, %s)", (lock_name, LOCK_TIMEOUT_SECONDS))
            if not acquired or acquired[0][0] != 1:
                raise DriverError(
                    f"Database '{database}' is being changed by another job; try again.", code="mysql_error"
                )
            yield session
        except pymysql.MySQLError as exc:
            raise _mysql_error(exc) from None
        finally:
            # Closing the connection releases the named lock too.
            connection.close()


class _Session:
    """The statements of one driver call, on one admin connection."""

    def __init__(self, connection: pymysql.connections.Connection) -> None:
        self.connection = connection
        version = self.fetch("SELECT VERSION()")[0][0]
        self.is_mariadb = "mariadb" in str(version).lower()

    def execute(self, sql: str, parameters: tuple[Any, ...] | None = None) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)

    def fetch(self, sql: str, parameters: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return list(cursor.fetchall())

    def user_exists(self, name: str) -> bool:
        return bool(self.fetch("SELECT 1 FROM mysql.user WHERE User = %s AND Host = %s", (name, USER_HOST)))

    def owned_users(self, database: str) -> set[str]:
        """Users at host % with privileges on `database` whose names follow the name rule."""
        rows = self.fetch(
            "SELECT DISTINCT GRANTEE FROM information_schema.SCHEMA_PRIVILEGES WHERE TABLE_SCHEMA IN (%s, %s)",
            (database, quoted_grant_database(database).strip("`")),
        )
        owned = set()
        for (grantee,) in rows:
            user, _, host = str(grantee).rpartition("@")
            user, host = user.strip("'"), host.strip("'")
            if host == USER_HOST and USER_NAME.match(user) and user.startswith(owner_prefix(database)):
                owned.add(user)
        return owned

    def refuse_foreign_user(self, name: str, database: str) -> None:
        """Raise if user `name` holds privileges on another database or global ones: it is not ours to change."""
        grantee = _grantee(name)
        own_schemas = {database, quoted_grant_database(database).strip("`")}
        schemas = {
            row[0]
            for row in self.fetch(
                "SELECT DISTINCT TABLE_SCHEMA FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = %s",
                (grantee,),
            )
        }
        global_privileges = {
            row[0]
            for row in self.fetch(
                "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = %s", (grantee,)
            )
        }
        if schemas - own_schemas or global_privileges - {"USAGE"}:
            raise DriverError(
                f"User '{name}' already exists with privileges outside database '{database}'.",
                code="mysql_user_conflict",
            )

    def ensure_user(self, plan: DatabasePlan, user: DatabaseUser) -> None:
        """Create or correct one user: password hash, privileges on `plan.name` only, lock state."""
        if self.user_exists(user.name):
            self.refuse_foreign_user(user.name, plan.name)
        # MariaDB still has IDENTIFIED BY PASSWORD; MySQL 5.7+ spells it IDENTIFIED WITH ... AS.
        if self.is_mariadb:
            authentication = "IDENTIFIED BY PASSWORD %s"
        else:
            authentication = "IDENTIFIED WITH mysql_native_password AS %s"
        account = (user.name, USER_HOST, user.password_hash)
        self.execute(f"CREATE USER IF NOT EXISTS %s@%s {authentication}", account)
        # CREATE ... IF NOT EXISTS leaves an existing user alone: set the hash again for a password change.
        self.execute(f"ALTER USER %s@%s {authentication}", account)
        self.sync_privileges(plan.name, user)
        if user.enabled and not plan.suspended:
            self.execute("ALTER USER %s@%s ACCOUNT UNLOCK", (user.name, USER_HOST))
        else:
            self.execute("ALTER USER %s@%s ACCOUNT LOCK", (user.name, USER_HOST))
            # A lock only refuses new logins; end the sessions already open.
            self.kill_sessions(user.name)

    def sync_privileges(self, database: str, user: DatabaseUser) -> None:
        """Grant what `user.rights` needs on `database` and revoke anything else held there."""
        target = quoted_grant_database(database)
        rows = self.fetch(
            "SELECT PRIVILEGE_TYPE, IS_GRANTABLE FROM information_schema.SCHEMA_PRIVILEGES "
            "WHERE GRANTEE = %s AND TABLE_SCHEMA = %s",
            (_grantee(user.name), target.strip("`")),
        )
        held = {str(row[0]) for row in rows}
        wanted = RIGHTS[user.rights]
        extra = sorted(privilege for privilege in held - set(wanted) if _PRIVILEGE_NAME.match(privilege))
        missing = [privilege for privilege in wanted if privilege not in held]
        if extra:
            self.execute(f"REVOKE {', '.join(extra)} ON {target}.* FROM %s@%s", (user.name, USER_HOST))
        if any(row[1] == "YES" for row in rows):
            self.execute(f"REVOKE GRANT OPTION ON {target}.* FROM %s@%s", (user.name, USER_HOST))
        if missing:
            self.execute(f"GRANT {', '.join(missing)} ON {target}.* TO %s@%s", (user.name, USER_HOST))

    def drop_user(self, name: str) -> None:
        self.execute("DROP USER IF EXISTS %s@%s", (name, USER_HOST))
        self.kill_sessions(name)

    def kill_sessions(self, name: str) -> None:
        for (session_id,) in self.fetch("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = %s", (name,)):
            try:
                self.execute("KILL CONNECTION %s", (int(session_id),))
            except pymysql.err.OperationalError as exc:
                # 1094: unknown thread id, i.e. the session ended on its own meanwhile.
                if not exc.args or exc.args[0] != 1094:
                    raise


def _grantee(name: str) -> str:
    """The GRANTEE form information_schema uses: ``'user'@'host'`` (`name` is validated, no quotes in it)."""
    return f"'{name}'@'{USER_HOST}'"
