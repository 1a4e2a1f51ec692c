"""The MySQL driver against a real MariaDB/MySQL server: databases, users, privileges, locks, usage, deletion.

Needs a server reachable at PANEEL_TEST_MYSQL_URL (default mysql://root:@127.0.0.1:3306/) with an account that
may create databases and users; the module is skipped when none answers.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pymysql
import pytest

from apps.assets.passwords import mysql_native_hash
from apps.provisioning.drivers.base import AssetSpec, DriverError
from apps.provisioning.drivers.mysql import MySQLDriver, connection_parameters

pytestmark = pytest.mark.mariadb

URL = os.environ.get("PANEEL_TEST_MYSQL_URL", "mysql://root:@127.0.0.1:3306/")
ADMIN = connection_parameters(URL)
SERVER = ADMIN.get("unix_socket") or f"{ADMIN['host']}:{ADMIN['port']}"

try:
    pymysql.connect(**ADMIN, connect_timeout=3).close()
except pymysql.MySQLError as exc:
    pytest.skip(f"MariaDB not reachable at {SERVER}: {exc}", allow_module_level=True)

ACCESS_DENIED_TO_DATABASE = 1044
ACCESS_DENIED_FOR_USER = 1045
COMMAND_DENIED = 1142
ACCOUNT_LOCKED = (4151, 3118)  # MariaDB, MySQL


def admin_query(sql: str, parameters: tuple | None = None) -> list[tuple]:
    connection = pymysql.connect(**ADMIN, autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return list(cursor.fetchall())
    finally:
        connection.close()


def connect_as(user: str, password: str, database: str | None = None) -> pymysql.connections.Connection:
    parameters = {key: value for key, value in ADMIN.items() if key not in ("user", "password")}
    return pymysql.connect(**parameters, user=user, password=password, database=database, autocommit=True)


def login_error(user: str, password: str) -> int | None:
    """None if `user` can log in with `password`, else the server's error number."""
    try:
        connect_as(user, password).close()
    except pymysql.MySQLError as exc:
        return exc.args[0]
    return None


def user_exists(name: str) -> bool:
    return bool(admin_query("SELECT 1 FROM mysql.user WHERE User = %s", (name,)))


def database_exists(name: str) -> bool:
    return bool(admin_query("SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (name,)))


def user(name: str, password: str, *, rights: str = "read_and_write", enabled: bool = True) -> dict:
    return {"name": name, "rights": rights, "enabled": enabled, "password_hash": mysql_native_hash(password)}


def spec(name: str, users: list[dict], *, suspended: bool = False) -> AssetSpec:
    return AssetSpec(
        asset_type="mysql",
        name=name,
        account_identifier="example.com",
        max_size=100,
        suspended=suspended,
        details={"database_name": name.partition("_")[2], "users": users},
    )


@pytest.fixture
def prefix() -> Iterator[str]:
    """A prefix unique to this test; every database and user starting with it is dropped afterwards."""
    value = f"pnt{secrets.token_hex(3)}"
    yield value
    pattern = value + "%"
    for (schema,) in admin_query(
        "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE %s", (pattern,)
    ):
        admin_query(f"DROP DATABASE IF EXISTS `{schema}`")
    for name, host in admin_query("SELECT User, Host FROM mysql.user WHERE User LIKE %s", (pattern,)):
        admin_query("DROP USER IF EXISTS %s@%s", (name, host))


@pytest.fixture
def driver() -> MySQLDriver:
    return MySQLDriver(URL)


def test_create_makes_a_database_its_user_can_use_and_nothing_else(driver, prefix):
    name = f"{prefix}_shop"
    driver.create(spec(name, [user(name, "Secret123")]))
    assert database_exists(name)
    assert admin_query(
        "SELECT DEFAULT_CHARACTER_SET_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = %s", (name,)
    ) == [("utf8mb4",)]

    connection = connect_as(name, "Secret123", name)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(50))")
        cursor.execute("INSERT INTO orders VALUES (1, 'book'), (2, 'pen')")
        cursor.execute("SELECT item FROM orders ORDER BY id")
        assert cursor.fetchall() == (("book",), ("pen",))

    # Another database, and one the grant's `_` would match as a wildcard if it were not escaped.
    other, lookalike = f"{prefix}_other", f"{prefix}xshop"
    for database in (other, lookalike):
        admin_query(f"CREATE DATABASE `{database}`")
        with pytest.raises(pymysql.err.OperationalError) as denied:
            connection.select_db(database)
        assert denied.value.args[0] == ACCESS_DENIED_TO_DATABASE
    with connection.cursor() as cursor:
        cursor.execute("SHOW DATABASES")
        assert {row[0] for row in cursor.fetchall()} == {"information_schema", name}
    connection.close()


def test_read_only_user_can_read_but_not_write(driver, prefix):
    name, reader = f"{prefix}_shop", f"{prefix}_shop_ro"
    owner = user(name, "Owner123")
    driver.create(spec(name, [owner, user(reader, "Reader123", rights="read_only")]))
    with connect_as(name, "Owner123", name) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE notes (body TEXT)")
        cursor.execute("INSERT INTO notes VALUES ('hello')")

    with connect_as(reader, "Reader123", name) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notes")
        assert cursor.fetchall() == (("hello",),)
        with pytest.raises(pymysql.err.OperationalError) as denied:
            cursor.execute("INSERT INTO notes VALUES ('nope')")
        assert denied.value.args[0] == COMMAND_DENIED

    # Promoted, then demoted again: the extra privileges are revoked.
    driver.update(spec(name, [owner, user(reader, "Reader123")]))
    with connect_as(reader, "Reader123", name) as connection, connection.cursor() as cursor:
        cursor.execute("INSERT INTO notes VALUES ('now allowed')")
    driver.update(spec(name, [owner, user(reader, "Reader123", rights="read_only")]))
    with connect_as(reader, "Reader123", name) as connection, connection.cursor() as cursor:
        with pytest.raises(pymysql.err.OperationalError) as denied:
            cursor.execute("DELETE FROM notes")
        assert denied.value.args[0] == COMMAND_DENIED
    privileges = admin_query(
        "SELECT PRIVILEGE_TYPE FROM information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = %s", (f"'{reader}'@'%'",)
    )
    assert sorted(row[0] for row in privileges) == ["SELECT", "SHOW VIEW"]


def test_password_change_refuses_the_old_password(driver, prefix):
    name = f"{prefix}_shop"
    driver.create(spec(name, [user(name, "OldSecret1")]))
    assert login_error(name, "OldSecret1") is None

    driver.update(spec(name, [user(name, "NewSecret2")]))
    assert login_error(name, "OldSecret1") == ACCESS_DENIED_FOR_USER
    assert login_error(name, "NewSecret2") is None


def test_disabled_or_suspended_user_cannot_log_in_until_enabled_again(driver, prefix):
    name = f"{prefix}_shop"
    driver.create(spec(name, [user(name, "Secret123")]))
    open_session = connect_as(name, "Secret123", name)

    driver.update(spec(name, [user(name, "Secret123", enabled=False)]))
    assert login_error(name, "Secret123") in ACCOUNT_LOCKED
    # The session opened before the lock is ended too.
    with pytest.raises(pymysql.MySQLError), open_session.cursor() as cursor:
        cursor.execute("SELECT 1")

    driver.update(spec(name, [user(name, "Secret123")]))
    assert login_error(name, "Secret123") is None

    driver.update(spec(name, [user(name, "Secret123")], suspended=True))
    assert login_error(name, "Secret123") in ACCOUNT_LOCKED
    driver.update(spec(name, [user(name, "Secret123")]))
    assert login_error(name, "Secret123") is None


def test_create_twice_gives_the_same_end_state(driver, prefix):
    name = f"{prefix}_shop"
    asset = spec(name, [user(name, "Secret123"), user(f"{name}_ro", "Reader123", rights="read_only")])
    driver.create(asset)
    grants = [admin_query(f"SHOW GRANTS FOR '{account}'@'%'") for account in (name, f"{name}_ro")]
    driver.create(asset)
    driver.update(asset)
    assert [admin_query(f"SHOW GRANTS FOR '{account}'@'%'") for account in (name, f"{name}_ro")] == grants
    assert admin_query("SELECT COUNT(*) FROM mysql.user WHERE User LIKE %s", (prefix + "%",)) == [(2,)]
    assert login_error(name, "Secret123") is None


def test_update_drops_users_no_longer_listed(driver, prefix):
    name, reader = f"{prefix}_shop", f"{prefix}_shop_ro"
    driver.create(spec(name, [user(name, "Secret123"), user(reader, "Reader123", rights="read_only")]))
    assert user_exists(reader)
    driver.update(spec(name, [user(name, "Secret123")]))
    assert not user_exists(reader)
    assert user_exists(name)


def test_usage_reflects_the_data_stored(driver, prefix):
    name = f"{prefix}_shop"
    asset = spec(name, [user(name, "Secret123")])
    driver.create(asset)
    assert driver.usage(asset) == 0

    with connect_as(name, "Secret123", name) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE blobs (id INT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(1024)) ENGINE=InnoDB")
        cursor.executemany("INSERT INTO blobs (body) VALUES (%s)", [("x" * 1000,)] * 2200)
    # InnoDB's size statistics lag behind inserts; refresh them as the periodic measurement would find them.
    admin_query(f"ANALYZE TABLE `{name}`.blobs")
    assert driver.usage(asset) >= 2


def test_delete_drops_database_and_users_and_twice_is_fine(driver, prefix):
    name, reader = f"{prefix}_shop", f"{prefix}_shop_ro"
    asset = spec(name, [user(name, "Secret123"), user(reader, "Reader123", rights="read_only")])
    driver.create(asset)
    open_session = connect_as(name, "Secret123", name)

    driver.delete(asset)
    driver.delete(asset)
    assert not database_exists(name)
    assert not user_exists(name) and not user_exists(reader)
    assert login_error(name, "Secret123") == ACCESS_DENIED_FOR_USER
    with pytest.raises(pymysql.MySQLError), open_session.cursor() as cursor:
        cursor.execute("SELECT 1")
    with pytest.raises(DriverError) as caught:
        driver.usage(asset)
    assert caught.value.code == "not_found"


def test_delete_also_drops_users_created_by_us_but_missing_from_the_spec(driver, prefix):
    name, reader = f"{prefix}_shop", f"{prefix}_shop_ro"
    driver.create(spec(name, [user(name, "Secret123"), user(reader, "Reader123", rights="read_only")]))
    driver.delete(spec(name, []))
    assert not user_exists(name) and not user_exists(reader)
    assert not database_exists(name)


def test_a_user_of_another_database_is_never_taken_over(driver, prefix):
    first, second = f"{prefix}_a", f"{prefix}_a_b"
    driver.create(spec(second, [user(second, "Second123")]))
    # `pn..._a_b` starts with `pn..._a`, so the name rule alone would let the first database claim it.
    with pytest.raises(DriverError) as caught:
        driver.create(spec(first, [user(first, "First1234"), user(second, "Hijack123")]))
    assert caught.value.code == "mysql_user_conflict"
    assert login_error(second, "Second123") is None
    assert login_error(second, "Hijack123") == ACCESS_DENIED_FOR_USER
    # Updating or deleting the first database leaves the second one's user alone.
    driver.update(spec(first, [user(first, "First1234")]))
    driver.delete(spec(first, [user(first, "First1234")]))
    assert user_exists(second) and database_exists(second)


@pytest.mark.parametrize(
    "asset",
    [
        spec("x`; DROP DATABASE mysql; --", []),
        spec("mysql", []),
        spec("pn1_shop", [user("pn1_shop'@'%' IDENTIFIED BY 'x", "Secret123")]),
        spec("pn1_shop", [{**user("pn1_shop", "Secret123"), "password_hash": "*' OR 1=1 --"}]),
        spec("pn1_shop", [{**user("pn1_shop", "Secret123"), "rights": "ALL PRIVILEGES"}]),
        spec("pn1_shop", [user("root", "Secret123")]),
    ],
    ids=["database-name", "system-database", "user-name", "hash", "rights", "foreign-user"],
)
def test_injection_attempts_are_refused_before_any_sql(monkeypatch, asset):
    def no_connection(*args, **kwargs):
        raise AssertionError("the driver connected before validating the spec")

    monkeypatch.setattr(pymysql, "connect", no_connection)
    driver = MySQLDriver(URL)
    for step in (driver.create, driver.update, driver.delete, driver.usage):
        with pytest.raises(DriverError) as caught:
            step(asset)
        assert caught.value.code == "invalid_spec"
    monkeypatch.undo()
    assert database_exists("mysql")


def test_server_errors_become_driver_errors_without_the_password():
    socket = f"?unix_socket={ADMIN['unix_socket']}" if "unix_socket" in ADMIN else ""
    driver = MySQLDriver(f"mysql://{ADMIN['user']}:Wr0ngSecret@{ADMIN['host']}:{ADMIN['port']}/{socket}")
    with pytest.raises(DriverError) as caught:
        driver.usage(spec("pn1_shop", []))
    assert caught.value.code == "mysql_error"
    assert "1045" in caught.value.detail
    assert "Wr0ngSecret" not in caught.value.detail and "Wr0ngSecret" not in str(caught.value)
