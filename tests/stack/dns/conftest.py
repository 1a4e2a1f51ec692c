"""A PowerDNS of the test's own: `pdns_server` with the sqlite3 backend, DNS and API on loopback ports, config in
a temporary directory; stopped when the session's DNS tests end. Nothing of the machine's pdns service is used."""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.stack.daemons import LOOPBACK, free_port, need, wait_for_port

SCHEMA = Path("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")


def start_pdns(directory: Path) -> tuple[subprocess.Popen, SimpleNamespace]:
    binaries = need("/usr/sbin/pdns_server", "sqlite3", "dig")
    if not SCHEMA.exists():
        pytest.skip(f"{SCHEMA} is missing (Debian pdns-backend-sqlite3)")
    database = directory / "pdns.sqlite3"
    subprocess.run([binaries["sqlite3"], str(database)], stdin=SCHEMA.open(), check=True)
    dns_port, api_port, api_key = free_port(), free_port(), secrets.token_hex(16)
    (directory / "pdns.conf").write_text(
        "\n".join(
            [
                "launch=gsqlite3",
                f"gsqlite3-database={database}",
                f"local-address={LOOPBACK}",
                f"local-port={dns_port}",
                "api=yes",
                f"api-key={api_key}",
                "webserver=yes",
                f"webserver-address={LOOPBACK}",
                f"webserver-port={api_port}",
                "webserver-allow-from=127.0.0.0/8",
                f"socket-dir={directory}",
                "guardian=no",
                "daemon=no",
                "disable-syslog=yes",
                "loglevel=4",
                "cache-ttl=0",
                "negquery-cache-ttl=0",
                "query-cache-ttl=0",
                "zone-cache-refresh-interval=0",
                "",
            ]
        )
    )
    log = (directory / "pdns.log").open("w")
    process = subprocess.Popen(
        [binaries["/usr/sbin/pdns_server"], f"--config-dir={directory}"], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_port(api_port)
        wait_for_port(dns_port)
    except BaseException:
        process.kill()
        raise
    return process, SimpleNamespace(
        dns_port=dns_port,
        api_url=f"http://{LOOPBACK}:{api_port}",
        api_key=api_key,
        dig=binaries["dig"],
        log=directory / "pdns.log",
    )


@pytest.fixture(scope="session")
def pdns(tmp_path_factory):
    process, info = start_pdns(tmp_path_factory.mktemp("pdns"))
    yield info
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def dig(pdns, name: str, rtype: str = "A") -> list[str]:
    """What the test's PowerDNS answers for `name` `rtype` (short form, sorted)."""
    result = subprocess.run(
        [
            pdns.dig,
            f"@{LOOPBACK}",
            "-p",
            str(pdns.dns_port),
            "+short",
            "+norecurse",
            "+time=2",
            "+tries=2",
            name,
            rtype,
        ],
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(line for line in result.stdout.splitlines() if line)
