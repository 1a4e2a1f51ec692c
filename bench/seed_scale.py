"""Seed a throw-away SQLite database with `seed_demo --scale N`, then time representative permission-scoped reads
and print their query plans, to show that the indexes carry them.

    .venv/bin/python bench/seed_scale.py --scale 20
    .venv/bin/python bench/seed_scale.py --scale 1000 --keep     # 1,000,000 assets; keep the database

Only prints; it asserts nothing (timings depend on the machine). See bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = 25  # the API's and the panel's default page size
# A long column list says nothing about the plan; short ones (COUNT(*)) stay.
SELECT_LIST = re.compile(r"^SELECT .{80,}? FROM", re.DOTALL)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=20, help="bench resellers to create (default 20)")
    parser.add_argument("--accounts-per-reseller", type=int, default=100)
    parser.add_argument("--assets-per-account", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=20, help="runs of each read; the median is reported")
    parser.add_argument(
        "--analyze", action="store_true", help="run ANALYZE before the reads (planner statistics, as PRAGMA optimize)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and say where it is")
    return parser.parse_args()


def configure(workdir: Path) -> None:
    """Point the real settings at a fresh SQLite file before Django starts."""
    os.environ["PANEEL_SQLITE_PATH"] = str(workdir / "db.sqlite3")
    os.environ["PANEEL_PROVISIONING_ROOT"] = str(workdir / "provisioning")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DJANGO_ENV"] = "development"
    os.environ["DEBUG"] = "false"  # no query log: it would weigh on both the seed and the reads
    os.environ.pop("DATABASE_URL", None)  # always the temporary SQLite file, never a configured server
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()


def timed(label: str, started: float) -> float:
    elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.1f} s")
    return elapsed


def measure(label: str, read, repeat: int) -> None:
    """Run `read` `repeat` times; print the median and best time, then the plan of each query it ran."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        result = read()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        read()
        times.append((time.perf_counter() - started) * 1000)
    size = f"{len(result)} rows" if isinstance(result, list) else f"= {result}"
    print(f"\n{label}  ({size})")
    print(f"  median {statistics.median(times):.2f} ms, best {min(times):.2f} ms over {repeat} runs")
    for query in captured.captured_queries:
        print(f"  SQL  {SELECT_LIST.sub('SELECT … FROM', query['sql'], count=1)}")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = [row[3] for row in cursor.fetchall()]
        for step in plan:
            print(f"  plan {step}")
        print(f"  -> {verdict(plan)}")


def verdict(plan: list[str]) -> str:
    """A one-line reading of an SQLite plan: did an index carry the filter and the ordering?"""
    # A subquery's rows are already bounded by its own plan (e.g. a capped count's LIMIT): scanning them is no
    # table scan.
    scans = [step for step in plan if step.startswith("SCAN") and "INDEX" not in step and "subquery" not in step]
    notes = ["full table scan: " + "; ".join(scans) if scans else "index used for every table"]
    sorts = [step for step in plan if "TEMP B-TREE" in step]
    if any("RIGHT PART OF ORDER BY" in step for step in sorts):
        notes.append("index gives the order; only ties are sorted")
    elif sorts:
        notes.append("sorts in a temporary B-tree")
    else:
        notes.append("no sort step")
    return ", ".join(notes)


def main() -> None:
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="paneel-bench-"))
    configure(workdir)

    from django.core.management import call_command
    from django.db import connection

    from apps.accounts.models import Account
    from apps.assets.models import Asset
    from apps.core.principal import Principal, Via
    from apps.resellers.models import Reseller
    from apps.servicepacks.models import AssetType

    print(f"Temporary database: {workdir / 'db.sqlite3'}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timed("migrate", started)

    started = time.perf_counter()
    call_command(
        "seed_demo",
        "--scale",
        str(args.scale),
        "--accounts-per-reseller",
        str(args.accounts_per_reseller),
        "--assets-per-account",
        str(args.assets_per_account),
    )
    timed(f"seed_demo --scale {args.scale}", started)

    totals = {model.__name__: model.objects.count() for model in (Reseller, Account, Asset)}
    size_mb = (workdir / "db.sqlite3").stat().st_size / 2**20
    print(f"Rows: {totals}; database file {size_mb:.0f} MB (plus WAL)")

    if args.analyze:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        timed("ANALYZE", started)

    bench = list(Reseller.objects.filter(slug__startswith="bench-").order_by("slug"))
    if not bench:
        print("No bench resellers (--scale 0): nothing to measure.")
        return
    reseller = bench[len(bench) // 2]
    principal = Principal.system(reseller, via=Via.API)
    accounts = Account.objects.for_principal(principal).select_related("servicepack").order_by("created_at", "id")
    mailboxes = (
        Asset.objects.for_principal(principal)
        .filter(asset_type=AssetType.MAILBOX)
        .select_related("account")
        .order_by("created_at", "id")
    )
    total_accounts = accounts.count()
    last_page = max(0, total_accounts - PAGE)
    one_account = accounts[total_accounts // 2] if total_accounts else None
    print(f"\nReads as {reseller.slug} (principal via API), page size {PAGE}:")

    measure("Accounts: first page, ordered by (created_at, id)", lambda: list(accounts[:PAGE]), args.repeat)
    measure("Accounts: count", lambda: accounts.count(), args.repeat)
    measure(
        f"Accounts: last page (skip={last_page})",
        lambda: list(accounts[last_page : last_page + PAGE]),
        args.repeat,
    )
    measure("Mailboxes of the reseller: first page", lambda: list(mailboxes[:PAGE]), args.repeat)
    measure("Mailboxes of the reseller: count", lambda: mailboxes.count(), args.repeat)
    if one_account is not None:
        measure(
            f"Assets of one account ({one_account.identifier})",
            lambda: list(
                Asset.objects.for_principal(principal).filter(account=one_account).order_by("created_at", "id")
            ),
            args.repeat,
        )

    connection.close()
    if args.keep:
        print(f"\nKept {workdir} (PANEEL_SQLITE_PATH={workdir / 'db.sqlite3'})")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
