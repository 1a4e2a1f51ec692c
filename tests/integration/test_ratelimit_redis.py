"""Rate limits across processes (DESIGN 2 "Scaling out", 6): two gunicorn servers sharing one Redis and one
database count one principal's requests together, so the 11th request of a 10-a-minute limit is refused
whichever server answers it; and both see a change of API access data that a third process commits from their
very next request, although each keeps the key's rows (apps.api.keyrows).

Needs a Redis server at 127.0.0.1:6379; uses (and flushes) database 15, or `PANEEL_TEST_REDIS_DB`.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from apps.apikeys import signing

pytestmark = [pytest.mark.redis, pytest.mark.slow]

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_DB = int(os.environ.get("PANEEL_TEST_REDIS_DB", "15"))
LIMIT = 10
START_SECONDS = 30.0
# Settings the children must not inherit from a developer's shell.
NOT_INHERITED = {"DATABASE_URL", "DJANGO_ENV", "DJANGO_SETTINGS_MODULE", "REDIS_URL", "PANEEL_TRUSTED_PROXIES"}

SETUP = """
import json
from apps.apikeys.services import create_api_key
from apps.core.principal import Principal
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.resellers.models import Reseller

reseller = Reseller.objects.create(name="Redis", slug="redis")
IpWhitelistEntry.objects.create(reseller=reseller, cidr="127.0.0.1")
api_key, secret = create_api_key(principal=Principal.system(reseller), level="read", name="across processes")
print("SETUP " + json.dumps({"key": api_key.key, "secret": secret}))
"""


def redis_db() -> redis.Redis:
    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=2, socket_connect_timeout=2)


def flush_test_db() -> None:
    assert redis_db().flushdb()


@pytest.fixture(scope="module")
def redis_server():
    try:
        redis_db().ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {REDIS_HOST}:{REDIS_PORT} ({exc}); start redis-server to run this test")
    flush_test_db()
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    flush_test_db()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def environment(redis_server, tmp_path) -> dict[str, str]:
    flush_test_db()  # each test has a new database, whose first key has the same id as the last test's
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in NOT_INHERITED and not name.startswith("PANEEL_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PANEEL_SQLITE_PATH=str(tmp_path / "paneel.sqlite3"),
        PANEEL_PROVISIONING_ROOT=str(tmp_path / "provisioning"),
        REDIS_URL=redis_server,
        PANEEL_RATELIMIT_READ_PER_MINUTE=str(LIMIT),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, f"manage.py {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture
def credentials(environment) -> dict[str, str]:
    manage(environment, "migrate", "--noinput")
    out = manage(environment, "shell", "-c", SETUP)
    line = next(line for line in out.splitlines() if line.startswith("SETUP "))
    return json.loads(line.removeprefix("SETUP "))


def get(port: int, key: str, secret: str, target: str = "/v2/servicepacks") -> tuple[int, dict[str, str], dict]:
    authorization = signing.authorization_header(
        key=key, secret=secret, method="GET", target=target, timestamp=int(time.time()), nonce=secrets.token_urlsafe(16)
    )
    request = urllib.request.Request(f"http://127.0.0.1:{port}{target}", headers={"Authorization": authorization})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


@pytest.fixture
def servers(environment, credentials, tmp_path):
    """Two gunicorn servers (one worker each), killed whatever happens."""
    started: list[tuple[subprocess.Popen, int, Path]] = []
    try:
        for n in range(2):
            port = free_port()
            log = tmp_path / f"server{n}.log"
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--timeout",
                "30",
            ]
            with log.open("wb") as output:
                process = subprocess.Popen(
                    command,
                    cwd=BASE_DIR,
                    env=environment,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            started.append((process, port, log))
        for process, port, log in started:
            wait_until_serving(process, port, log)
        yield [port for _, port, _ in started]
    finally:
        for process, _, _ in started:
            stop(process)


def wait_until_serving(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server on port {port} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v2/docs/errors", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"server on port {port} did not answer within {START_SECONDS} s:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server's process group (gunicorn's master and worker), SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def start_of_a_fresh_window(port: int, credentials: dict[str, str]) -> None:
    """Make sure the 11 requests fit in one rate-limit window: if the current one ends soon, wait it out, then
    start from zero."""
    status, headers, _ = get(port, credentials["key"], credentials["secret"])
    assert status == 200, (status, headers)
    reset = int(headers["X-RateLimit-Reset"])
    if reset < 20:
        time.sleep(reset + 1)
    flush_test_db()


def test_two_processes_share_one_rate_limit(servers, credentials):
    start_of_a_fresh_window(servers[0], credentials)
    answers = []
    for n in range(LIMIT + 2):
        port = servers[n % 2]  # alternate between the two processes
        status, headers, body = get(port, credentials["key"], credentials["secret"])
        answers.append((port, status, headers, body))

    allowed, refused = answers[:LIMIT], answers[LIMIT:]
    assert [status for _, status, _, _ in allowed] == [200] * LIMIT, [(p, s, b) for p, s, _, b in answers]
    assert {port for port, *_ in allowed} == set(servers)
    # Usage is shared: it counts up across both processes, not per process.
    assert [int(headers["X-RateLimit-Usage"]) for _, _, headers, _ in allowed] == list(range(1, LIMIT + 1))
    assert {headers["X-RateLimit-Limit"] for _, _, headers, _ in allowed} == {str(LIMIT)}
    assert int(allowed[-1][2]["X-RateLimit-Remaining"]) == 0

    # The 11th request overall is refused by whichever server answers it, and so is the 12th by the other one.
    assert {port for port, *_ in refused} == set(servers)
    for port, status, headers, body in refused:
        assert status == 429, (port, status, body)
        assert headers["Content-Type"] == "application/problem+json"
        assert body["code"] == "rate_limited"
        assert headers["Retry-After"] == headers["X-RateLimit-Reset"]
        assert (headers["X-RateLimit-Usage"], headers["X-RateLimit-Remaining"]) == (str(LIMIT), "0")


def test_two_processes_share_nonces(servers, credentials):
    """A request replayed to the other process is refused too: nonces live in the shared cache."""
    key, secret = credentials["key"], credentials["secret"]
    authorization = signing.authorization_header(
        key=key,
        secret=secret,
        method="GET",
        target="/v2/servicepacks",
        timestamp=int(time.time()),
        nonce="shared-nonce-1",
    )
    statuses = []
    for port in servers:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/v2/servicepacks", headers={"Authorization": authorization}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                statuses.append((response.status, None))
        except urllib.error.HTTPError as error:
            statuses.append((error.code, json.loads(error.read())["code"]))
    assert statuses == [(200, None), (401, "replayed_nonce")]


CHANGE = """
from django.utils import timezone
from apps.apikeys.models import ApiKey
from apps.ipwhitelist.models import IpWhitelistEntry

api_key = ApiKey.objects.get(key={key!r})
if {what!r} == "unlist":
    IpWhitelistEntry.objects.filter(reseller_id=api_key.reseller_id, cidr="127.0.0.1").delete()
elif {what!r} == "list":
    IpWhitelistEntry.objects.create(reseller_id=api_key.reseller_id, cidr="127.0.0.1")
else:
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
"""


def test_a_change_made_by_a_third_process_takes_effect_at_once_in_both(servers, environment, credentials):
    """Both servers keep the key's rows (apps.api.keyrows); a whitelist change or a revocation committed by a third
    process (`manage.py shell`) is refused, or served, by both from their very next request."""
    key, secret = credentials["key"], credentials["secret"]

    def statuses() -> list[int]:
        return [get(port, key, secret)[0] for port in servers]

    assert statuses() == [200, 200]
    assert statuses() == [200, 200]  # served from the kept rows
    manage(environment, "shell", "-c", CHANGE.format(key=key, what="unlist"))
    assert statuses() == [403, 403]
    manage(environment, "shell", "-c", CHANGE.format(key=key, what="list"))
    assert statuses() == [200, 200]
    manage(environment, "shell", "-c", CHANGE.format(key=key, what="revoke"))
    assert statuses() == [401, 401]
