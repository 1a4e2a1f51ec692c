"""What the `stack` suites share: free loopback ports, skipping when a daemon is not installed, waiting for a
port. Each suite starts its own daemon instances on 127.0.0.1 with configuration in a temporary directory and
stops them; nothing here touches the machine's own services."""

from __future__ import annotations

import shutil
import socket
import time
from pathlib import Path

import pytest

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def need(*binaries: str) -> dict[str, str]:
    """The full path of each binary (a name on PATH or an absolute path); skip the test, naming what is missing."""
    found = {}
    for binary in binaries:
        path = binary if Path(binary).is_absolute() and Path(binary).exists() else shutil.which(binary)
        if path is None:
            pytest.skip(f"{binary} is not installed (.ci/run installs the stack's Debian packages)")
        found[binary] = path
    return found


def wait_for_port(port: int, *, host: str = LOOPBACK, timeout: float = 15.0) -> None:
    """Return once something accepts connections on host:port; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    pytest.fail(f"nothing listens on {host}:{port} after {timeout} s")
