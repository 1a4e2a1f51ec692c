"""Test-only provisioning drivers: the real local drivers, plus faults a test switches on with marker files.

A worker subprocess selects them through the settings' env overrides, e.g.
``PANEEL_DRIVER_LINUX_HOSTING=tests.integration.fault_drivers.FaultyLinuxHostingDriver``; in-process tests set
``settings.PANEEL_DRIVERS`` to `FAULTY_DRIVERS`. Markers live in the directory named by ``PANEEL_TEST_FAULT_DIR``
(read on every call, so a test arms and disarms them while a worker runs):

- ``fail-<asset_type>``: every `create`, `update` and `delete` of that type raises a `DriverError` with code
  `FAULT_CODE`, before touching anything.
- ``slow-<asset_type>``: `create` of that type first writes ``slow-<asset_type>.started`` (holding the process
  id) and then waits, touching nothing, until the marker is removed (at most `SLOW_LIMIT_SECONDS`). A test waits
  for the started file and then knows the job is claimed and its worker busy, e.g. to SIGKILL it.

Every call is appended to ``calls.log`` in the same directory (``<pid> <method> <asset_type> <name>``), so a
test can prove that a job did (or did not) reach its drivers.

Without ``PANEEL_TEST_FAULT_DIR`` these behave exactly like the local drivers.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from apps.provisioning.drivers import local
from apps.provisioning.drivers.base import AssetSpec, DriverError

FAULT_DIR_ENV = "PANEEL_TEST_FAULT_DIR"
FAULT_CODE = "injected_fault"
SLOW_LIMIT_SECONDS = 60.0


def fault_dir() -> Path | None:
    value = os.environ.get(FAULT_DIR_ENV, "").strip()
    return Path(value) if value else None


def calls(directory: Path) -> list[str]:
    """The driver calls logged in `directory`, oldest first, without the process id: ``"create mysql pn1_shop"``."""
    try:
        lines = (directory / "calls.log").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [line.split(" ", 1)[1] for line in lines if line]


class FaultInjection:
    """Mixed in before a local driver: log the call, apply the armed faults, then do the real work."""

    asset_type: str

    def create(self, spec: AssetSpec) -> None:
        self._before("create", spec)
        super().create(spec)

    def update(self, spec: AssetSpec) -> None:
        self._before("update", spec)
        super().update(spec)

    def delete(self, spec: AssetSpec) -> None:
        self._before("delete", spec)
        super().delete(spec)

    def _before(self, method: str, spec: AssetSpec) -> None:
        directory = fault_dir()
        if directory is None:
            return
        directory.mkdir(parents=True, exist_ok=True)
        # One short O_APPEND write per call: lines from concurrent workers never interleave.
        descriptor = os.open(directory / "calls.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(descriptor, f"{os.getpid()} {method} {spec.asset_type} {spec.name}\n".encode())
        finally:
            os.close(descriptor)
        if (directory / f"fail-{spec.asset_type}").exists():
            raise DriverError(f"Injected failure: {method} {spec.asset_type} '{spec.name}'.", code=FAULT_CODE)
        slow = directory / f"slow-{spec.asset_type}"
        if method == "create" and slow.exists():
            started = directory / f"slow-{spec.asset_type}.started"
            started.write_text(f"{os.getpid()}\n", encoding="utf-8")
            deadline = time.monotonic() + SLOW_LIMIT_SECONDS
            while slow.exists() and time.monotonic() < deadline:
                time.sleep(0.05)


class FaultyLinuxHostingDriver(FaultInjection, local.LinuxHostingDriver):
    pass


class FaultyMailboxDriver(FaultInjection, local.MailboxDriver):
    pass


class FaultyMySQLDriver(FaultInjection, local.LocalMySQLDriver):
    pass


# Dotted paths as `settings.PANEEL_DRIVERS` takes them (spelled out: pytest may import this module by another name).
FAULTY_DRIVERS = {
    "linux_hosting": "tests.integration.fault_drivers.FaultyLinuxHostingDriver",
    "mailbox": "tests.integration.fault_drivers.FaultyMailboxDriver",
    "mysql": "tests.integration.fault_drivers.FaultyMySQLDriver",
}
