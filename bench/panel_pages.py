"""Time the panel's pages for one reseller with many accounts (100,000 by default), through the whole Django stack
(test client: middleware, session, permission layer, templates), and print the SQL plan of every query they run.

    .venv/bin/python bench/panel_pages.py                       # 100,000 accounts
    .venv/bin/python bench/panel_pages.py --accounts 10000 --keep

Only prints; it asserts nothing (timings depend on the machine). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from seed_scale import SELECT_LIST, configure, timed, verdict


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000, help="accounts of the one reseller (default 100,000)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page; the median is reported")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and say where it is")
    return parser.parse_args()


def measure(client, label: str, url: str, repeat: int) -> None:
    """GET `url` `repeat` times; print the median and best time, the query count and each query's plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (its length is capped) would hide what this page adds
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)  # noqa: S101 (a broken page is no benchmark)
    queries = captured.captured_queries  # now: each later request empties the connection's query log
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    print(f"\n{label}  GET {url}")
    print(
        f"  median {statistics.median(times):.1f} ms, best {min(times):.1f} ms over {repeat} requests; "
        f"{len(queries)} queries"
    )
    for query in queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "django_session" in sql or "auth_user" in sql:
            continue  # session and user loading: the same on every page
        print(f"  SQL  {SELECT_LIST.sub('SELECT … FROM', sql, count=1)[:300]}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[3] for row in cursor.fetchall()]
        print(f"  -> {verdict(plan)}")


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="paneel-bench-panel-"))
    os.environ["ALLOWED_HOSTS"] = "testserver"
    configure(workdir)

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from apps.accounts.models import Account
    from apps.core.principal import Level
    from apps.panel.panel import _encode_cursor
    from apps.resellers.models import Membership, Reseller

    print(f"Temporary database: {workdir / 'db.sqlite3'}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command(
        "seed_demo", "--scale", "1", "--accounts-per-reseller", str(args.accounts), "--assets-per-account", "2"
    )
    timed(f"migrate and seed one reseller with {args.accounts:,} accounts", started)

    reseller = Reseller.objects.get(slug="bench-0001")
    user = get_user_model().objects.create_user("bench-owner", password="bench-password-1")
    Membership.objects.create(user=user, reseller=reseller, level=Level.FULL)
    client = Client()
    client.force_login(user)

    accounts = Account.objects.filter(reseller=reseller).order_by("-created_at", "-id")
    middle = accounts[args.accounts // 2]
    deep_cursor = _encode_cursor([middle.created_at, middle.id])
    some = accounts[args.accounts // 3].identifier.split(".")[0]

    print(f"\nPages as a full member of {reseller.slug} ({args.accounts:,} accounts):")
    measure(client, "Dashboard", "/", args.repeat)
    measure(client, "Accounts, first page", "/accounts/", args.repeat)
    measure(
        client,
        f"Accounts, page at account {args.accounts // 2:,} (cursor)",
        f"/accounts/?after={deep_cursor}",
        args.repeat,
    )
    measure(client, "Accounts, filtered by status", "/accounts/?status=active", args.repeat)
    measure(client, "Accounts, searched", f"/accounts/?q={some}", args.repeat)
    measure(client, "Accounts with a MySQL database", "/accounts/?asset_type=mysql", args.repeat)
    measure(client, "One account", f"/accounts/{middle.id}/", args.repeat)
    measure(client, "Jobs", "/jobs/", args.repeat)
    measure(client, "Audit log", "/audit/", args.repeat)

    if args.keep:
        print(f"\nKept {workdir} (PANEEL_SQLITE_PATH={workdir / 'db.sqlite3'})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
