"""`make serve` (what `make run` serves with) checks HMAC signatures over the same raw target as production
(issue 14): two correctly signed requests that runserver refused, because it rebuilds the target from the decoded
path, are accepted. The server is started exactly as `make serve` starts it, on a free loopback port, with a
database of its own."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paneel_client import signing
from tests.integration.conftest import BASE_DIR, child_environment, tail

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`make serve` on a free port, over a migrated database with a read key whitelisted for 127.0.0.1."""
    tmp_path = tmp_path_factory.mktemp("serve")
    env = child_environment(
        PANEEL_SQLITE_PATH=str(tmp_path / "db.sqlite3"), PANEEL_PROVISIONING_ROOT=str(tmp_path / "provisioning")
    )
    manage(env, "migrate", "--noinput")
    slug = manage(env, "createreseller", "Serve test").strip()
    made = json.loads(
        manage(env, "createapikey", "--reseller", slug, "--level", "read", "--allow-ip", "127.0.0.1", "--json")
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                "make",
                "--no-print-directory",
                "serve",
                f"PORT={port}",
                f"PY={sys.executable}",
                f"VENV={Path(sys.executable).parent.parent}",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"make serve did not answer on port {port}:\n{tail(log)}")
                time.sleep(0.3)
        yield {"port": port, "key": made["key"], "secret": made["secret"], "log": log}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def signed_get(served: dict, target: str) -> tuple[int, dict]:
    """GET `target` byte for byte as given (http.client does not normalise it), signed over that target."""
    header = signing.authorization_header(
        key=served["key"], secret=served["secret"], method="GET", target=target, timestamp=int(time.time())
    )
    connection = http.client.HTTPConnection("127.0.0.1", served["port"], timeout=30)
    try:
        connection.request("GET", target, headers={"Authorization": header})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("target", "status"),
    [
        ("/v2/servicepacks", 200),
        ("/v2/servicepacks?", 200),  # a bare `?`: runserver's rebuilt target has none
        ("/v2/accounts/%FF", 404),  # not UTF-8: runserver's rebuilt target encodes the `%` again
        ("/v2/mailboxes/%ff%20x@example.com", 404),
    ],
)
def test_make_serve_verifies_the_raw_target_as_production_does(served, target, status):
    answered, body = signed_get(served, target)
    assert answered == status, (body, tail(served["log"]))
    if status == 404:
        assert body["code"] == "not_found"  # authenticated first: not 401 invalid_signature
