"""Fixtures for tests that run real worker processes (`manage.py db_worker`) against a real, shared database.

Everything that touches that database runs in child processes with the real settings (`config.settings`):
pytest-django gives this process its own test database (in memory on SQLite), which no worker could see, and a
second connection set up by hand in this process would fight pytest-django's database blocker. So a test drives
a `Stack` of children that share one database, one provisioning root and one fault directory:

- workers: ``manage.py db_worker`` as production starts it, plus ``--no-reload`` (with DEBUG on, the stock
  command would fork an autoreloader child, and a SIGKILL would then hit the parent, not the worker) and
  ``--no-startup-delay``;
- one control process (`serve_control`): calls the services and reports states as JSON, one request per line
  over a pipe, so polling a job costs a round trip rather than a Django start-up.

The database is migrated once per module into a template that each test copies (SQLite's backup API, or
PostgreSQL's ``CREATE DATABASE ... TEMPLATE``). Without ``DATABASE_URL`` it is a SQLite file; with it (CI's
PostgreSQL pass) it is a fresh ``paneel_worker_<random>`` database on that server, dropped afterwards.
Workers use the fault drivers of `tests.integration.fault_drivers`, which are the local drivers until a test
arms a fault with `Stack.arm`.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.integration.fault_drivers import FAULT_DIR_ENV, FAULTY_DRIVERS

BASE_DIR = Path(__file__).resolve().parents[2]
MANAGE = str(BASE_DIR / "manage.py")
WAIT_SECONDS = 20.0
# What a developer's shell may hold that would change what the children do; each child gets its own.
NOT_INHERITED = {
    "DATABASE_URL",
    "DJANGO_ENV",
    "DJANGO_SETTINGS_MODULE",
    "PANEEL_JOB_LEASE_SECONDS",
    "PANEEL_MYSQL_URL",
    "PANEEL_PROVISIONING_ROOT",
    "PANEEL_SQLITE_PATH",
    "PANEEL_TASKS_BACKEND",
    "PANEEL_TEST_PROVISIONING_ROOT",
    FAULT_DIR_ENV,
}


def child_environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED and not k.startswith("PANEEL_DRIVER_")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1")
    env.update({f"PANEEL_DRIVER_{asset_type.upper()}": path for asset_type, path in FAULTY_DRIVERS.items()})
    env.update(extra)
    return env


def tail(path: Path, limit: int = 6000) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "(no output)"
    return text if len(text) <= limit else "...\n" + text[-limit:]


# Databases ------------------------------------------------------------------------------------------------------


class SqliteDatabases:
    """A migrated template file, copied with SQLite's online backup (safe whatever the WAL holds)."""

    def __init__(self, directory: Path) -> None:
        self.template = directory / "template.sqlite3"

    def template_env(self) -> dict[str, str]:
        return {"PANEEL_SQLITE_PATH": str(self.template)}

    def clone(self, directory: Path) -> dict[str, str]:
        target = directory / "db.sqlite3"
        with closing(sqlite3.connect(self.template)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
        return {"PANEEL_SQLITE_PATH": str(target)}

    def drop(self, env: dict[str, str]) -> None:
        """Nothing to do: the file lives in the test's temporary directory."""

    def drop_all(self) -> None:
        """Nothing to do: the template lives in a temporary directory."""


class PostgresDatabases:
    """Fresh databases on the server of `DATABASE_URL`, named ``paneel_worker_<random>[_<n>]``, dropped after use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.template = f"paneel_worker_{secrets.token_hex(4)}"
        self.created: list[str] = []

    def url_for(self, name: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def execute(self, statement) -> None:
        import psycopg

        # The maintenance database: the one of DATABASE_URL may not exist yet, and must not be the one dropped.
        with psycopg.connect(self.url_for("postgres"), autocommit=True) as connection:
            connection.execute(statement)

    def create(self, name: str, template: str | None = None) -> dict[str, str]:
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self.execute(statement)
        self.created.append(name)
        return {"DATABASE_URL": self.url_for(name)}

    def template_env(self) -> dict[str, str]:
        return self.create(self.template)

    def clone(self, directory: Path) -> dict[str, str]:
        return self.create(f"{self.template}_{len(self.created)}", template=self.template)

    def drop(self, env: dict[str, str]) -> None:
        from psycopg import sql

        name = urlsplit(env["DATABASE_URL"]).path.lstrip("/")
        # FORCE: a SIGKILLed worker's session may not be gone yet.
        self.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if name in self.created:
            self.created.remove(name)

    def drop_all(self) -> None:
        for name in reversed(list(self.created)):
            self.drop({"DATABASE_URL": self.url_for(name)})


@pytest.fixture(scope="module")
def worker_databases(tmp_path_factory) -> Iterator[SqliteDatabases | PostgresDatabases]:
    """A migrated template database for this module's tests (PostgreSQL when `DATABASE_URL` is set)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    databases = PostgresDatabases(url) if url else SqliteDatabases(tmp_path_factory.mktemp("worker-db"))
    try:
        env = child_environment(**databases.template_env())
        migrate = subprocess.run(
            [sys.executable, MANAGE, "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        if migrate.returncode != 0:
            pytest.fail(f"manage.py migrate failed ({migrate.returncode}):\n{migrate.stdout}\n{migrate.stderr}")
        yield databases
    finally:
        databases.drop_all()


# Child processes -------------------------------------------------------------------------------------------------


class Worker:
    """One ``manage.py db_worker`` process; its stdout and stderr go to `log`."""

    def __init__(self, name: str, process: subprocess.Popen, log: Path) -> None:
        self.name, self.process, self.log = name, process, log

    @property
    def pid(self) -> int:
        return self.process.pid

    def is_alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the worker gets no chance to clean up (what a crash or the OOM killer does)."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def describe(self) -> str:
        return f"--- {self.name} (pid {self.pid}, exit code {self.process.poll()}) ---\n{tail(self.log)}"


class ControlError(Exception):
    """A control operation raised; `code` is the domain error's code (e.g. ``invalid_state``) when it had one."""

    def __init__(self, code: str | None, detail: str) -> None:
        super().__init__(detail)
        self.code = code


class Control:
    """The control process: `call(op, **kwargs)` runs one of `control_operations` and returns its JSON result."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        with open(log, "wb") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from tests.integration.conftest import serve_control; serve_control()"],
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                bufsize=1,
            )

    def call(self, op: str, *, timeout: float = 60.0, **kwargs: Any) -> Any:
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps({"op": op, "kwargs": kwargs}) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pytest.fail(f"The control process has died (exit code {self.process.poll()}).\n{tail(self.log)}")
        # One request, one reply line: nothing is ever left in the reader's buffer, so select() is exact.
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            pytest.fail(f"The control process gave no answer to {op}({kwargs}).\n{tail(self.log)}")
        reply = json.loads(line)
        if not reply["ok"]:
            raise ControlError(reply["code"], f"{op}({kwargs}) raised:\n{reply['error']}")
        return reply["result"]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


class Stack:
    """One test's world: its database, provisioning root and fault directory, its workers and control process."""

    def __init__(self, directory: Path, database_env: dict[str, str]) -> None:
        self.directory = directory
        self.provisioning_root = directory / "prov"
        self.faults = directory / "faults"
        self.faults.mkdir()
        self.database_env = database_env
        self.env = child_environment(
            PANEEL_PROVISIONING_ROOT=str(self.provisioning_root), **{FAULT_DIR_ENV: str(self.faults)}, **database_env
        )
        self.workers: list[Worker] = []
        self._control: Control | None = None

    @property
    def control(self) -> Control:
        if self._control is None:
            self._control = Control(self.env, self.directory / "control.log")
        return self._control

    def start_worker(
        self, *, lease_seconds: int | None = None, queue_name: str | None = None, interval: float = 0.2
    ) -> Worker:
        """Start ``manage.py db_worker --interval 0.2`` (with `lease_seconds` as PANEEL_JOB_LEASE_SECONDS, and
        ``--queue-name`` when given: the worker of that server)."""
        name = f"worker-{len(self.workers) + 1}"
        env = dict(self.env)
        if lease_seconds is not None:
            env["PANEEL_JOB_LEASE_SECONDS"] = str(lease_seconds)
        log = self.directory / f"{name}.log"
        command = [MANAGE, "db_worker", "--interval", str(interval), "--no-reload", "--no-startup-delay"]
        command += ["--worker-id", name]
        if queue_name is not None:
            command += ["--queue-name", queue_name]
        with open(log, "wb") as output:
            process = subprocess.Popen(
                [sys.executable, *command],
                cwd=BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        worker = Worker(name, process, log)
        self.workers.append(worker)
        return worker

    def arm(self, marker: str) -> None:
        """Switch a fault on (see `tests.integration.fault_drivers`), e.g. ``fail-mysql`` or ``slow-linux_hosting``."""
        (self.faults / marker).touch()

    def disarm(self, marker: str) -> None:
        (self.faults / marker).unlink(missing_ok=True)

    def diagnostics(self) -> str:
        parts = [worker.describe() for worker in self.workers]
        if self._control is not None:
            parts.append(f"--- control (exit code {self._control.process.poll()}) ---\n{tail(self._control.log)}")
        return "\n".join(parts) or "(no child process was started)"

    def wait_for(self, what: str, probe: Callable[[], Any], *, timeout: float = WAIT_SECONDS) -> Any:
        """Poll `probe` until it returns something truthy and return that; after `timeout` s, fail with the logs."""
        deadline = time.monotonic() + timeout
        while True:
            value = probe()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{self.diagnostics()}")
            time.sleep(0.1)

    def wait_for_file(self, path: Path, *, timeout: float = WAIT_SECONDS) -> Path:
        return self.wait_for(f"{path} to exist", lambda: path.exists() and path, timeout=timeout)

    def wait_for_job(self, job_id: str, status: str, *, timeout: float = WAIT_SECONDS) -> dict[str, Any]:
        """The job's state once it has `status`; fails at once if it ends otherwise."""

        def probe() -> dict[str, Any] | None:
            job = self.control.call("job", job_id=job_id)
            if job["status"] == status:
                return job
            if job["status"] in {"finished", "failed", "cancelled"}:
                pytest.fail(f"Job {job_id} ended {job['status']}, not {status}: {job}\n{self.diagnostics()}")
            return None

        return self.wait_for(f"job {job_id} to be {status}", probe, timeout=timeout)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        if self._control is not None:
            self._control.close()


@pytest.fixture
def stack(worker_databases, tmp_path) -> Iterator[Stack]:
    """A `Stack` on a fresh copy of the migrated database; every child it started is stopped afterwards."""
    database_env = worker_databases.clone(tmp_path)
    stack = Stack(tmp_path, database_env)
    try:
        yield stack
    finally:
        stack.close()
        worker_databases.drop(database_env)


# The control process ---------------------------------------------------------------------------------------------


def serve_control() -> None:
    """Entry point of the control process: one JSON request per line on stdin, one JSON reply per line on stdout.

    A request is ``{"op": name, "kwargs": {...}}``; the reply ``{"ok": true, "result": ...}`` or ``{"ok": false,
    "code": <domain error code or null>, "error": <traceback>}``.
    """
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever else is printed goes to the log, never into the replies

    import django

    django.setup()
    operations = control_operations()
    for line in sys.stdin:
        request = json.loads(line)
        try:
            reply = {"ok": True, "result": operations[request["op"]](**request["kwargs"])}
        except Exception as exc:
            reply = {"ok": False, "code": getattr(exc, "code", None), "error": traceback.format_exc()}
        replies.write(json.dumps(reply, default=str) + "\n")
        replies.flush()


def control_operations() -> dict[str, Callable[..., Any]]:
    """What a test may ask the control process: service calls (as a reseller's owner) and state reads."""
    from django.contrib.auth import get_user_model

    from apps.accounts import services as account_services
    from apps.accounts.models import Account
    from apps.assets import services as asset_services
    from apps.assets.models import Asset
    from apps.core.principal import Level, Principal, Via
    from apps.provisioning import services as provisioning_services
    from apps.provisioning.models import ProvisioningJob
    from apps.resellers.models import Membership
    from apps.resellers.services import create_reseller
    from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

    def owner(slug: str) -> Principal:
        membership = Membership.objects.select_related("user", "reseller").get(reseller__slug=slug, level=Level.FULL)
        return Principal.for_user(membership.user, membership.reseller, Level.FULL, via=Via.CLI)

    def setup_reseller(slug: str) -> dict[str, Any]:
        """Reseller `slug` with a `full` owner, and the 'Starter' pack: a hosting made with each account, 2 MySQL."""
        user = get_user_model().objects.create_user(f"{slug}-owner", f"{slug}-owner@example.test", "Passw0rd123")
        reseller = create_reseller(name=slug.capitalize(), slug=slug, owner_email=user.email)
        # Packs are the operator's, made in Django admin: there is no service for them.
        pack, created = ServicePack.objects.get_or_create(name="Starter")
        if created:
            ServicePackItem.objects.create(
                servicepack=pack,
                asset_type=AssetType.LINUX_HOSTING,
                max_count=1,
                max_size_mb=1024,
                created_with_account=True,
            )
            ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MYSQL, max_count=2, max_size_mb=500)
        return {"reseller_id": reseller.pk, "servicepack_id": pack.pk}

    def create_account(slug: str, identifier: str, servicepack_id: int, ftp_password: str) -> dict[str, Any]:
        account, job = account_services.create_account(
            principal=owner(slug), identifier=identifier, servicepack=servicepack_id, ftp_password=ftp_password
        )
        return {"account_id": account.pk, "job_id": str(job.pk)}

    def create_asset(
        slug: str, account_id: int, asset_type: str, fields: dict[str, Any], password: str
    ) -> dict[str, Any]:
        asset, job = asset_services.create_asset(
            principal=owner(slug), account_id=account_id, asset_type=asset_type, fields=fields, password=password
        )
        return {"asset_id": asset.pk, "name": asset.name, "job_id": str(job.pk)}

    def change_asset(slug: str, service: str, **kwargs: Any) -> dict[str, Any]:
        """One of the asset services that change an asset (e.g. `change_asset_password`), as the reseller's owner."""
        asset, job = getattr(asset_services, service)(principal=owner(slug), **kwargs)
        return {"asset_id": asset.pk, "job_id": str(job.pk)}

    def retry_job(slug: str, job_id: str) -> dict[str, Any]:
        provisioning_services.retry_job(principal=owner(slug), job_id=job_id)
        return job(job_id)

    def job(job_id: str) -> dict[str, Any]:
        found = ProvisioningJob.objects.get(pk=job_id)
        return {
            "action": found.action,
            "status": found.status,
            "resource_links": found.resource_links,
            "error": found.error,
            "attempts": found.attempts,
            "lease_expires_at": found.lease_expires_at and found.lease_expires_at.isoformat(),
            "started_at": found.started_at and found.started_at.isoformat(),
            "finished_at": found.finished_at and found.finished_at.isoformat(),
        }

    def asset_state(found: Asset) -> dict[str, Any]:
        return {"id": found.pk, "asset_type": found.asset_type, "name": found.name, "status": found.status}

    def account(account_id: int) -> dict[str, Any] | None:
        found = Account.objects.filter(pk=account_id).first()
        if found is None:
            return None
        assets = [asset_state(a) for a in found.assets.order_by("pk")]
        return {"identifier": found.identifier, "status": found.status, "assets": assets}

    def asset(asset_id: int) -> dict[str, Any] | None:
        found = Asset.objects.filter(pk=asset_id).first()
        return None if found is None else asset_state(found)

    def create_server(name: str, root: str) -> dict[str, Any]:
        """A web server (the operator's, in Django admin) writing under `root`; its worker runs queue `name`."""
        from apps.servers.models import Server

        server = Server.objects.create(name=name, hostname=f"{name}.example.test", web=True, provisioning_root=root)
        return {"server_id": server.pk}

    def placement(account_id: int) -> dict[str, Any]:
        found = Account.objects.select_related("web_server").get(pk=account_id)
        return {"web": found.web_server.name if found.web_server else None}

    def job_workers(job_id: str) -> dict[str, Any]:
        """The queue the job's tasks went to and the workers that ran them (django-tasks-db's records)."""
        from django_tasks_db.models import DBTaskResult

        found = ProvisioningJob.objects.select_related("server").get(pk=job_id)
        tasks = [t for t in DBTaskResult.objects.all() if job_id in json.dumps(t.args_kwargs)]
        return {
            "server": found.server.name if found.server else None,
            "queues": sorted({t.queue_name for t in tasks}),
            "workers": sorted({w for t in tasks for w in t.worker_ids}),
        }

    def change_setting(slug: str, asset_id: int, enabled: bool) -> dict[str, Any]:
        from apps.assets.hosting_services import set_gzip_compression

        _, found = set_gzip_compression(principal=owner(slug), asset_id=asset_id, enabled=enabled)
        return {"job_id": str(found.pk)}

    operations = (setup_reseller, create_account, create_asset, change_asset, retry_job, job, account, asset)
    operations += (create_server, placement, job_workers, change_setting)
    from tests.integration.events_control import event_operations

    return {**{f.__name__: f for f in operations}, **event_operations(owner)}
