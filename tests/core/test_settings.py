"""Settings from the environment: production refuses insecure defaults and passes `check --deploy`; development
starts with nothing set, on SQLite in WAL mode.

Each case runs `manage.py` in a fresh process, since settings are read once at import.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("SECRET_KEY", "PANEEL_ENCRYPTION_KEY", "REDIS_URL")
# Variables the settings read: none may leak in from the environment the tests run in.
SETTINGS_VARIABLES = (
    *REQUIRED,
    "DJANGO_ENV",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES and not k.startswith(("PANEEL_", "DJANGO_"))
    }
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env() -> dict[str, str]:
    return {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "PANEEL_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "paneel.example",
    }


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = production_env()
    del env[missing]
    result = run_manage("check", **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line
    assert missing in last_line
    for other in set(REQUIRED) - {missing}:
        assert other not in last_line


def test_production_names_every_missing_variable():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="paneel.example")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert all(name in last_line for name in REQUIRED)


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", **{**production_env(), "SECRET_KEY": "x" * 49})
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr


def test_production_refuses_debug():
    result = run_manage("check", **production_env(), DEBUG="1")
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_with_everything_set_passes_check_deploy():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_starts_without_any_variable():
    result = run_manage("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_uses_sqlite_in_wal_mode(tmp_path):
    database = tmp_path / "dev.sqlite3"
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as cursor:\n"
        "    cursor.execute('PRAGMA journal_mode')\n"
        "    print(connection.vendor, cursor.fetchone()[0])\n"
    )
    result = run_manage("shell", "--verbosity", "0", "-c", code, PANEEL_SQLITE_PATH=str(database))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["sqlite", "wal"]
    assert database.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="WAL mode concerns the SQLite database only")
def test_fresh_sqlite_connection_with_the_configured_options_is_in_wal_mode(tmp_path, settings, django_db_blocker):
    """The test database itself lives in memory (no WAL there): open a file with the configured options instead."""
    fresh = SQLiteWrapper({**settings.DATABASES["default"], "NAME": str(tmp_path / "fresh.sqlite3")}, alias="fresh")
    try:
        with django_db_blocker.unblock(), fresh.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    finally:
        fresh.close()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PANEEL_ENCRYPTION_KEY", "not-a-fernet-key"),
        ("PANEEL_ENCRYPTION_KEY", "c2hvcnQ="),  # Base64, but 5 bytes
        ("PANEEL_ENCRYPTION_OLD_KEYS", "{good},oops"),
    ],
)
@pytest.mark.parametrize("environment", ["production", "development"])
def test_a_key_that_is_not_a_fernet_key_is_refused_at_start(variable, value, environment):
    env = production_env() if environment == "production" else {"PANEEL_ENCRYPTION_KEY": Fernet.generate_key().decode()}
    env[variable] = value.format(good=Fernet.generate_key().decode())
    result = run_manage("check", **env)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and variable in last_line and "Fernet" in last_line


def test_old_fernet_keys_are_accepted_at_start():
    keys = f"{Fernet.generate_key().decode()}, {Fernet.generate_key().decode()}"
    result = run_manage("check", **production_env(), PANEEL_ENCRYPTION_OLD_KEYS=keys)
    assert result.returncode == 0, result.stderr
