"""Provisioning latency: from the 202 of `POST /v2/mysqldatabases` to the job's `finished`, for 500 jobs, with
gunicorn (2 workers), Redis and one `manage.py db_worker` at its default settings (`--interval 1`), on the
PostgreSQL database of bench/api_ladder.py (seeded there if missing).

    .venv/bin/python bench/jobs.py                       # 500 jobs, one every 0-40 ms
    .venv/bin/python bench/jobs.py --jobs 200 --interval 5

Prints p50, p95 and max; asserts nothing. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import api_ladder  # noqa: E402  (the same set-up, server and client)

ROOT = api_ladder.ROOT
RESELLER = "bench-0002"
PASSWORD = "Bench-pass1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=api_ladder.DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=api_ladder.DEFAULT_REDIS_URL)
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=500)
    parser.add_argument("--pause-ms", type=float, default=40.0, help="random pause of 0..N ms between requests")
    parser.add_argument("--interval", default="", help="db_worker --interval (default: the worker's default)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    args.resellers = RESELLER
    return args


def start_worker(args: argparse.Namespace, log: Path) -> subprocess.Popen:
    # Every queue, as `make serve` runs it (the seed places accounts on its one local server).
    command = [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "db_worker", "--no-reload", "--queue-name", "*"]
    if args.interval:
        command += ["--interval", args.interval]
    env = api_ladder.environment(args, production=True)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    with open(log, "wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)


def roomiest_account(reseller_id: int) -> int:
    from django.db.models import Count, Q

    from apps.accounts.models import Account

    return (
        Account.objects.filter(reseller_id=reseller_id)
        .annotate(databases=Count("assets", filter=Q(assets__asset_type="mysql")))
        .order_by("databases", "id")
        .values_list("id", flat=True)
        .first()
    )


def signed_post(key: dict, target: str, data: dict) -> bytes:
    from paneel_client.signing import authorization_header

    body = json.dumps(data).encode()
    authorization = authorization_header(
        key=key["key"], secret=key["secret"], method="POST", target=target, body=body, timestamp=int(time.time())
    )
    head = (
        f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: {authorization}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def location(port: int, request: bytes) -> str:
    import socket

    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(request)
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    head = b"".join(chunks).partition(b"\r\n\r\n")[0].decode("latin-1")
    status = int(head.split(" ", 2)[1])
    if status != 202:
        raise SystemExit(f"POST answered {status}: {b''.join(chunks)[:400]!r}")
    for line in head.split("\r\n")[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "location":
            return value.strip()
    raise SystemExit("202 without Location")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def main() -> None:
    args = parse_args()
    keys = api_ladder.setup(args, [RESELLER])
    key = keys[RESELLER]
    account_id = roomiest_account(key["reseller_id"])
    port = api_ladder.free_port()
    server = api_ladder.start_gunicorn(args, port)
    log = ROOT / "var" / "bench-jobs-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    worker = start_worker(args, log)
    try:
        time.sleep(5)  # the worker starts and settles into its polling
        run = secrets.token_hex(2)
        accepted: dict[str, float] = {}
        for n in range(args.jobs):
            data = {"database_name": f"j{run}_{n}", "account_id": account_id, "password": PASSWORD}
            request = signed_post(key, "/v2/mysqldatabases", data)
            job_id = location(port, request).rsplit("/", 1)[1]
            accepted[job_id] = time.time()
            time.sleep(random.uniform(0, args.pause_ms) / 1000)
        from apps.provisioning.models import ProvisioningJob

        deadline = time.monotonic() + 120
        while True:
            done = dict(
                ProvisioningJob.objects.filter(pk__in=list(accepted), status="finished").values_list(
                    "id", "finished_at"
                )
            )
            if len(done) == len(accepted) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        missing = len(accepted) - len(done)
        latencies = [
            (finished.astimezone(UTC) - datetime.fromtimestamp(accepted[str(job_id)], UTC)).total_seconds()
            for job_id, finished in done.items()
        ]
        print(
            f"\n{len(latencies)} jobs, 202 -> finished (worker interval {args.interval or 'default'}): "
            f"p50 {statistics.median(latencies):.3f} s, p95 {percentile(latencies, 0.95):.3f} s, "
            f"max {max(latencies):.3f} s" + (f"; {missing} not finished within 120 s" if missing else "")
        )
    finally:
        worker.terminate()
        server.terminate()
        worker.wait(timeout=30)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
