"""The API ladder: every list endpoint of API v2 (L3: HMAC, rate limit, filters, paging, serialization) against
a minimal Django view that reads the same rows with `.values()` and `JsonResponse` (L2), side by side, on
PostgreSQL at 1,000 resellers / 100,000 accounts / 1,000,000 assets, with gunicorn (2 workers) and Redis.

    make bench                                  # or: .venv/bin/python bench/api_ladder.py
    .venv/bin/python bench/api_ladder.py --only accounts,mailboxes --rounds 7

Only prints; it asserts nothing (the numbers depend on the machine). See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/paneel_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
# Fixed, so keys made by one run still decrypt in the next; a benchmark database holds nothing secret.
BENCH_ENCRYPTION_KEY = "YmVuY2gtb25seS1rZXktZm9yLXBhbmVlbC1sYWRkZXI="
BIG_RESELLER = "bench-big"
BIG_ACCOUNTS = 100_000
BIG_ASSETS_PER_ACCOUNT = 4  # 1 MySQL database + 3 mailboxes each: 400,000 assets
FILL_ROWS = 500  # jobs and audit events per measured reseller
ENDPOINTS = {
    "accounts": "/v2/accounts?take=100",
    "mysqldatabases": "/v2/mysqldatabases?take=100",
    # Not paged, as in the reference: its clients ask for one domain's mailboxes (the reseller's first account's).
    "mailboxes": "/v2/mailboxes?domain_name={mail_domain}",
    "linuxhostings": "/v2/linuxhostings?take=100",
    "servicepacks": "/v2/servicepacks",
    "provisioningjobs": "/v2/provisioningjobs?take=100",
    "auditevents": "/v2/auditevents?take=100",
    "apikeys": "/v2/apikeys?take=100",
    "ipwhitelist": "/v2/ipwhitelist?take=100",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    parser.add_argument("--scale", type=int, default=1000, help="bench resellers of 100 accounts x 10 assets")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per endpoint; the median is printed (>= 5)")
    parser.add_argument("--requests", type=int, default=300, help="requests per level, endpoint and round")
    parser.add_argument("--concurrency", type=int, default=4, help="client connections at a time")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names (default: all)")
    parser.add_argument(
        "--resellers", default=f"bench-0001,{BIG_RESELLER}", help="resellers to measure as (one per size)"
    )
    return parser.parse_args()


def environment(args: argparse.Namespace, *, production: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PANEEL_", "DJANGO_"))}
    env.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        PANEEL_ENCRYPTION_KEY=BENCH_ENCRYPTION_KEY,
        PANEEL_PROVISIONING_ROOT=str(ROOT / "var" / "bench-provisioning"),
        DEBUG="false",
        # The counting runs as always (same Redis work); the limits are only out of the way of the load.
        PANEEL_RATELIMIT_READ_PER_MINUTE="100000000",
        PANEEL_RATELIMIT_IP_READ_PER_MINUTE="100000000",
        PANEEL_RATELIMIT_WRITE_PER_MINUTE="100000000",  # bench/jobs.py's POSTs
        PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE="100000000",
        DJANGO_SETTINGS_MODULE="bench.ladder_settings" if production else "config.settings",
    )
    if production:
        env.update(
            DJANGO_ENV="production",
            SECRET_KEY="bench-" + secrets.token_urlsafe(48),
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="false",
            LOG_LEVEL="WARNING",
        )
    return env


# --- Set-up: seed or reuse the database, make keys (in this process, development mode, same database).


def setup(args: argparse.Namespace, resellers: list[str]) -> dict[str, dict]:
    os.environ.update(environment(args, production=False))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.assets.models import Asset
    from apps.resellers.models import Reseller

    started = time.monotonic()
    create_database_if_missing(connection)
    call_command("migrate", "--noinput", verbosity=0)
    seeded = False
    if not Reseller.objects.filter(slug=f"bench-{args.scale:04d}").exists():
        print(f"seeding {args.scale} bench resellers (about 3 minutes at 1,000) ...", flush=True)
        call_command("seed_demo", scale=args.scale, verbosity=1)
        seeded = True
    if BIG_RESELLER in resellers and not Reseller.objects.filter(slug=BIG_RESELLER).exists():
        print(f"seeding {BIG_RESELLER}: {BIG_ACCOUNTS:,} accounts ...", flush=True)
        seed_big_reseller()
        seeded = True
    if seeded and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # planner statistics and the visibility map (index-only scans)
    keys = {}
    for slug in resellers:
        reseller = Reseller.objects.get(slug=slug)
        fill_jobs_and_audit(reseller)
        keys[slug] = make_key(slug)
        keys[slug]["reseller_id"] = reseller.pk
        keys[slug]["mail_domain"] = (
            Asset.objects.filter(reseller=reseller, asset_type="mailbox")
            .order_by("account__created_at", "account_id")
            .values_list("account__identifier", flat=True)
            .first()
        )
    print(f"set-up: {time.monotonic() - started:.1f} s", flush=True)
    return keys


def create_database_if_missing(connection) -> None:
    """`CREATE DATABASE` the bench database on a fresh server (through the server's `postgres` database)."""
    if connection.vendor != "postgresql":
        return
    import psycopg
    from psycopg import sql

    params = connection.get_connection_params()
    name = params.pop("dbname")
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, dbname="postgres", autocommit=True) as server:
        if server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            print(f"creating database {name} ...", flush=True)
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def seed_big_reseller() -> None:
    from apps.assets.passwords import mysql_native_hash, sha512_crypt
    from apps.panel.management.commands.seed_demo import BENCH_PASSWORD, BenchRows, bench_servicepack

    mysql_count = BIG_ASSETS_PER_ACCOUNT * 3 // 10 or 1
    BenchRows(
        pack=bench_servicepack(),
        per_reseller=BIG_ACCOUNTS,
        mysql_count=mysql_count,
        mailbox_count=BIG_ASSETS_PER_ACCOUNT - mysql_count,
        mysql_hash=mysql_native_hash(BENCH_PASSWORD),
        mailbox_hash=sha512_crypt(BENCH_PASSWORD),
    ).insert((BIG_RESELLER,))


def fill_jobs_and_audit(reseller) -> None:
    """Jobs and audit events to list: bulk rows like those the services write, up to FILL_ROWS each."""
    from apps.core.models import AuditEvent
    from apps.core.principal import ActorKind, Via
    from apps.provisioning.models import JobStatus, ProvisioningJob

    missing = FILL_ROWS - ProvisioningJob.objects.filter(reseller=reseller).count()
    if missing > 0:
        ProvisioningJob.objects.bulk_create(
            ProvisioningJob(
                reseller=reseller,
                action="mailbox.create",
                target_type="asset",
                target_id=str(n),
                target_repr=f"mail{n}@bench.example",
                status=JobStatus.FINISHED,
                resource_links=[f"/v2/mailboxes/mail{n}@bench.example"],
                attempts=1,
                actor_repr="api_ladder",
            )
            for n in range(missing)
        )
    missing = FILL_ROWS - AuditEvent.objects.filter(reseller=reseller).count()
    if missing > 0:
        AuditEvent.objects.bulk_create(
            AuditEvent(
                reseller=reseller,
                via=Via.API,
                actor_kind=ActorKind.API_KEY,
                actor_id="1",
                actor_repr="API key bench",
                action="mailbox.create",
                object_type="asset",
                object_id=str(n),
                object_repr=f"mail{n}@bench.example",
                changes={"max_size": 2048},
                ip="127.0.0.1",
                request_id=secrets.token_hex(8),
            )
            for n in range(missing)
        )


def make_key(slug: str) -> dict:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "createapikey", reseller=slug, level="full", allow_ip=["127.0.0.1"], name="api_ladder", as_json=True, stdout=out
    )
    return json.loads(out.getvalue())


# --- The server.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(args: argparse.Namespace, port: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=environment(args, production=True), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if fetch(port, request_bytes("/bench/l2/ipwhitelist?reseller=0"))[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


# --- The client: pre-built requests over plain sockets, so the client costs little and the same for both levels.


def request_bytes(target: str, authorization: str = "") -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def fetch(port: int, request: bytes) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def signed_requests(key: dict, target: str, count: int) -> list[bytes]:
    from paneel_client.signing import authorization_header

    now = int(time.time())
    return [
        request_bytes(
            target,
            authorization_header(
                key=key["key"], secret=key["secret"], method="GET", target=target, timestamp=now, nonce=nonce
            ),
        )
        for nonce in (secrets.token_urlsafe(18) for _ in range(count))
    ]


def fire(port: int, requests: list[bytes], concurrency: int) -> float:
    """Send every request, `concurrency` at a time; the rate in requests per second. Any non-200 aborts."""
    pending = iter(requests)
    lock = threading.Lock()
    failures: list[str] = []

    def worker() -> None:
        while True:
            with lock:
                request = next(pending, None)
            if request is None or failures:
                return
            status, body = fetch(port, request)
            if status != 200:
                failures.append(f"{status} {body[:300]!r}")

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"a request failed: {failures[0]}")
    return len(requests) / elapsed


def l2_target(name: str, key: dict) -> str:
    target = f"/bench/l2/{name}?reseller={key['reseller_id']}"
    return target + f"&domain_name={key['mail_domain']}" if name == "mailboxes" else target


def check_same_rows(port: int, key: dict, name: str, target: str) -> int:
    """L2 and L3 must read the same page: same length, same first item's identity."""
    l2_status, l2_body = fetch(port, request_bytes(l2_target(name, key)))
    l3_status, l3_body = fetch(port, signed_requests(key, target, 1)[0])
    if (l2_status, l3_status) != (200, 200):
        raise SystemExit(f"{name}: L2 answered {l2_status}, L3 {l3_status}: {l3_body[:300]!r}")
    l2_rows, l3_rows = json.loads(l2_body), json.loads(l3_body)
    if len(l2_rows) != len(l3_rows):
        raise SystemExit(f"{name}: L2 read {len(l2_rows)} rows, L3 {len(l3_rows)}")
    return len(l3_rows)


def measure(args: argparse.Namespace, port: int, key: dict, name: str, target: str) -> tuple[float, float, float]:
    plain = l2_target(name, key)
    fire(port, [request_bytes(plain)] * 20, args.concurrency)  # warm both workers
    fire(port, signed_requests(key, target, 20), args.concurrency)
    l2_rates, l3_rates, ratios = [], [], []
    for round_number in range(args.rounds):
        l3_requests = signed_requests(key, target, args.requests)  # signed before the clock starts
        l2_requests = [request_bytes(plain)] * args.requests
        if round_number % 2 == 0:
            l2, l3 = fire(port, l2_requests, args.concurrency), fire(port, l3_requests, args.concurrency)
        else:
            l3, l2 = fire(port, l3_requests, args.concurrency), fire(port, l2_requests, args.concurrency)
        l2_rates.append(l2)
        l3_rates.append(l3)
        ratios.append(l3 / l2)
    return statistics.median(l2_rates), statistics.median(l3_rates), statistics.median(ratios)


def main() -> None:
    args = parse_args()
    if args.rounds < 5:
        raise SystemExit("--rounds must be 5 or more (the median of at least 5 rounds is reported)")
    names = [name for name in args.only.split(",") if name] or list(ENDPOINTS)
    unknown = set(names) - set(ENDPOINTS)
    if unknown:
        raise SystemExit(f"unknown endpoints: {', '.join(sorted(unknown))} (choose from {', '.join(ENDPOINTS)})")
    resellers = [slug for slug in args.resellers.split(",") if slug]
    keys = setup(args, resellers)
    port = args.port or free_port()
    server = start_gunicorn(args, port)
    try:
        print(
            f"\ngunicorn {args.workers} workers, {args.concurrency} client connections, {args.requests} requests per "
            f"level and round, median of {args.rounds} rounds (L2 and L3 alternate)\n"
        )
        print(f"{'reseller':<12} {'endpoint':<18} {'rows':>5} {'L2 req/s':>9} {'L3 req/s':>9} {'L3/L2':>6}")
        worst = None
        for slug in resellers:
            for name in names:
                target = ENDPOINTS[name].format(**keys[slug])
                rows = check_same_rows(port, keys[slug], name, target)
                l2, l3, ratio = measure(args, port, keys[slug], name, target)
                worst = ratio if worst is None else min(worst, ratio)
                print(f"{slug:<12} {name:<18} {rows:>5} {l2:>9.0f} {l3:>9.0f} {ratio:>6.2f}", flush=True)
        print(f"\nlowest L3/L2: {worst:.2f} (goal >= 0.5)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
