"""`manage.py seed_demo`: the demo data `make run` serves, and with `--scale N` bulk data for benchmarks.

The demo part goes through the real services (resellers, members, accounts, assets), so its audit trail and
provisioning jobs look like real life; the jobs are run in-process right after each service commits, so the
seed needs no worker. The `--scale` part is the opposite on purpose: plain bulk inserts, one transaction per
batch of resellers, no audit rows and no jobs, so a million assets load in minutes.

Both parts are idempotent: what exists (found by username, slug, pack name, account identifier, asset name) is
left as it is.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Account, Status
from apps.accounts.services import create_account
from apps.assets.kinds import MYSQL_PREFIX
from apps.assets.models import Asset
from apps.assets.passwords import mysql_native_hash, sha512_crypt
from apps.assets.services import create_asset
from apps.core.errors import DomainError
from apps.core.principal import Level, Principal, Via
from apps.provisioning.models import UNFINISHED, JobStatus, ProvisioningJob
from apps.provisioning.runner import run_job
from apps.resellers.models import Membership, Reseller
from apps.resellers.services import add_member, create_reseller
from apps.servers.models import Role, Server
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

# Development only (the command refuses known passwords in production). It also follows the asset password
# rules (a digit, a letter, 8-20 characters), so the same one opens the demo's FTP, MySQL and mail too.
DEMO_PASSWORD = "paneel-demo1"
BENCH_PASSWORD = "bench-pass1"
ADMIN_URL = "http://127.0.0.1:8000/admin/"
PANEL_URL = "http://127.0.0.1:8000/"
JOB_WAIT_SECONDS = 60
# Rows per transaction in the --scale part: big enough that commits cost nothing, small enough to keep memory low.
BENCH_ASSETS_PER_TRANSACTION = 50_000
BENCH_INSERT_BATCH = 2_000
BENCH_PACK = "Bench"
BENCH_MAX_COUNT = 1_000
BENCH_MYSQL_SIZE_MB = 1_000
BENCH_MAILBOX_SIZE_MB = 2_048


@dataclass(frozen=True)
class DemoUser:
    username: str
    memberships: tuple[tuple[str, str], ...] = ()  # (reseller slug, level)
    operator: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@paneel.test"


DEMO_USERS = (
    DemoUser("operator", operator=True),
    DemoUser("demo-owner", (("demo-hosting", Level.FULL),)),
    DemoUser("demo-reader", (("demo-hosting", Level.READ),)),
    DemoUser("acme-owner", (("acme-web", Level.FULL),)),
    DemoUser("acme-reader", (("acme-web", Level.READ),)),
    # Works for both resellers: the one who sees the panel's reseller switcher.
    DemoUser("partner", (("demo-hosting", Level.WRITE), ("acme-web", Level.WRITE))),
)

DEMO_USERS_BY_NAME = {demo_user.username: demo_user for demo_user in DEMO_USERS}

DEMO_RESELLERS = (("Demo Hosting", "demo-hosting"), ("Acme Web", "acme-web"))
RESELLER_NAMES = {slug: name for name, slug in DEMO_RESELLERS}


@dataclass(frozen=True)
class DemoPack:
    name: str
    description: str
    # (asset type, max count, max size in MB, created with the account)
    items: tuple[tuple[str, int, int, bool], ...]
    restricted_to: tuple[str, ...] = ()  # reseller slugs; empty: every reseller may use it


DEMO_PACKS = (
    DemoPack(
        "Starter",
        "A small site: one Linux hosting, two databases, five mailboxes.",
        (
            (AssetType.LINUX_HOSTING, 1, 1_024, True),
            (AssetType.MYSQL, 2, 500, False),
            (AssetType.MAILBOX, 5, 2_048, False),
        ),
    ),
    DemoPack(
        "Business",
        "Room to grow: ten databases, fifty mailboxes.",
        (
            (AssetType.LINUX_HOSTING, 1, 10_240, True),
            (AssetType.MYSQL, 10, 5_000, False),
            (AssetType.MAILBOX, 50, 10_240, False),
        ),
    ),
    DemoPack("Mail only", "Mailboxes on a domain, no web hosting.", ((AssetType.MAILBOX, 20, 5_120, False),)),
    DemoPack(
        "Acme Special",
        "Acme Web's own plan (restricted to Acme Web).",
        (
            (AssetType.LINUX_HOSTING, 1, 20_480, True),
            (AssetType.MYSQL, 20, 10_000, False),
            (AssetType.MAILBOX, 100, 10_240, False),
        ),
        restricted_to=("acme-web",),
    ),
)


@dataclass(frozen=True)
class DemoAccount:
    reseller: str
    identifier: str
    servicepack: str
    databases: tuple[str, ...] = ()
    mailboxes: tuple[str, ...] = ()  # local parts, on the account's domain


DEMO_ACCOUNTS = (
    DemoAccount("demo-hosting", "bakery-demo.example", "Starter", ("shop",), ("info", "orders")),
    DemoAccount("demo-hosting", "studio-demo.example", "Business", ("wordpress", "analytics"), ("info", "hello")),
    DemoAccount("demo-hosting", "mail-demo.example", "Mail only", (), ("info", "support")),
    DemoAccount("acme-web", "acme-web.example", "Business", ("site",), ("info", "sales")),
    DemoAccount("acme-web", "acme-blog.example", "Starter", ("blog",), ("editor",)),
    DemoAccount("acme-web", "acme-special.example", "Acme Special", ("app",), ("ops",)),
)


def seed_local_server() -> Server:
    """The one server of `make run`: every role, on this machine, under the worker's provisioning root."""
    server, _ = Server.objects.get_or_create(
        name="local",
        defaults={
            "hostname": "localhost",
            "ipv4_address": "127.0.0.1",
            "ipv6_address": "::1",
            **dict.fromkeys(Role.values, True),
        },
    )
    return server


class Command(BaseCommand):
    help = "Load the demo data (idempotent); with --scale N, also N bulk-inserted resellers for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-users",
            action="store_true",
            help="Create no users (and so no known passwords): required with DJANGO_ENV=production.",
        )
        parser.add_argument("--scale", type=int, default=0, metavar="N", help="Also create resellers bench-0001..N.")
        parser.add_argument("--accounts-per-reseller", type=int, default=100, metavar="N")
        parser.add_argument(
            "--assets-per-account", type=int, default=10, metavar="N", help="Split across MySQL and mailboxes."
        )

    def handle(self, *args, **options):
        with_users = not options["no_users"]
        if settings.PRODUCTION and with_users:
            raise CommandError(
                "DJANGO_ENV=production: refusing to create demo users with known passwords. "
                "Run with --no-users, and create real users with createsuperuser."
            )
        scale, per_reseller, per_account = (
            options["scale"],
            options["accounts_per_reseller"],
            options["assets_per_account"],
        )
        if scale < 0 or per_reseller < 1 or per_account < 0:
            raise CommandError(
                "--scale must be 0 or more, --accounts-per-reseller 1 or more, --assets-per-account 0 or more."
            )
        self.verbose = options["verbosity"] >= 1
        try:
            users = seed_users() if with_users else {}
            seed_local_server()
            resellers = self.seed_resellers(users)
            packs = seed_servicepacks(resellers)
            self.seed_accounts(resellers, packs)
            if scale:
                self.seed_scale(scale, per_reseller, per_account)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.detail}") from exc
        if with_users and self.verbose:
            self.print_credentials(users)

    def say(self, message: str) -> None:
        if self.verbose:
            self.stdout.write(message)

    # The demo, through the services.

    def seed_resellers(self, users: dict) -> dict[str, Reseller]:
        resellers = {}
        for name, slug in DEMO_RESELLERS:
            reseller = Reseller.objects.filter(slug=slug).first()
            if reseller is None:
                reseller = create_reseller(name=name, slug=slug, via=Via.CLI)
            resellers[slug] = reseller
        for username, user in users.items():
            for slug, level in DEMO_USERS_BY_NAME[username].memberships:
                if not Membership.objects.filter(user=user, reseller=resellers[slug]).exists():
                    add_member(principal=seeder(resellers[slug]), email=user.email, level=level)
        return resellers

    def seed_accounts(self, resellers: dict[str, Reseller], packs: dict[str, ServicePack]) -> None:
        accounts_created = assets_created = 0
        for demo in DEMO_ACCOUNTS:
            principal = seeder(resellers[demo.reseller])
            account = Account.objects.filter(identifier=demo.identifier).first()
            if account is None:
                account, job = create_account(
                    principal=principal,
                    identifier=demo.identifier,
                    servicepack=packs[demo.servicepack],
                    ftp_password=asset_password(DEMO_PASSWORD),
                )
                wait_for(job)
                for zone_job in ProvisioningJob.objects.filter(  # the account's DNS zone (apps.dns)
                    target_type="dnszone", target_id=str(account.dns_zone.pk), status__in=UNFINISHED
                ):
                    wait_for(zone_job)
                accounts_created += 1
            elif account.reseller_id != principal.reseller_id:
                raise CommandError(f"Account {account} exists, but belongs to another reseller than {demo.reseller}.")
            else:
                # A run that stopped between the commit and the job: finish what was started.
                for job in ProvisioningJob.objects.filter(
                    target_type="account", target_id=str(account.pk), status__in=UNFINISHED
                ):
                    wait_for(job)
            account.refresh_from_db()
            if account.status != Status.ACTIVE:
                raise CommandError(f"Account {account} is {account.status}; see its provisioning job.")
            for database in demo.databases:
                if not account.assets.filter(asset_type=AssetType.MYSQL, details__database_name=database).exists():
                    assets_created += self.add_asset(principal, account, AssetType.MYSQL, {"database_name": database})
            for local_part in demo.mailboxes:
                address = f"{local_part}@{account.identifier}"
                if not Asset.objects.filter(asset_type=AssetType.MAILBOX, name=address).exists():
                    assets_created += self.add_asset(principal, account, AssetType.MAILBOX, {"email_address": address})
        self.say(
            f"Demo: {len(resellers)} resellers, {len(DEMO_PACKS)} servicepacks, {len(DEMO_ACCOUNTS)} accounts "
            f"(created now: {accounts_created} accounts, {assets_created} assets; the rest was there already)."
        )

    @staticmethod
    def add_asset(principal: Principal, account: Account, asset_type: str, fields: dict) -> int:
        _, job = create_asset(
            principal=principal,
            account_id=account.pk,
            asset_type=asset_type,
            fields=fields,
            password=asset_password(DEMO_PASSWORD),
        )
        wait_for(job)
        return 1

    def print_credentials(self, users: dict) -> None:
        # Users seeded earlier keep their password; say so rather than print one that no longer works.
        known = {encoded: check_password(DEMO_PASSWORD, encoded) for encoded in {u.password for u in users.values()}}
        lines = [
            "",
            "Demo logins (development only):",
            f"  Django admin  {ADMIN_URL}",
            f"  Panel         {PANEL_URL}",
            "",
            f"  {'login':<14}{'password':<16}access",
        ]
        for demo_user in DEMO_USERS:
            user = users[demo_user.username]
            password = DEMO_PASSWORD if known[user.password] else "(changed since seeding)"
            access = (
                "operator: Django admin"
                if demo_user.operator
                else ", ".join(f"{RESELLER_NAMES[slug]} ({level})" for slug, level in demo_user.memberships)
            )
            lines.append(f"  {demo_user.username:<14}{password:<16}{access}")
        lines += ["", f"  FTP, MySQL and mailbox passwords of the demo accounts: {DEMO_PASSWORD}", ""]
        self.stdout.write("\n".join(lines))

    # --scale: bulk inserts for benchmarks.

    def seed_scale(self, count: int, per_reseller: int, per_account: int) -> None:
        started = time.monotonic()
        pack = bench_servicepack()
        mysql_count = per_account * 3 // 10  # fewer databases than mailboxes, as in real life
        mailbox_count = per_account - mysql_count
        limits = {item.asset_type: item.max_count for item in pack.items.all()}
        for asset_type, wanted in ((AssetType.MYSQL, mysql_count), (AssetType.MAILBOX, mailbox_count)):
            if wanted > limits.get(asset_type, 0):
                raise CommandError(
                    f"Servicepack '{BENCH_PACK}' allows {limits.get(asset_type, 0)} {asset_type} assets per "
                    f"account; --assets-per-account {per_account} needs {wanted}."
                )
        existing = set(Reseller.objects.filter(slug__startswith="bench-").values_list("slug", flat=True))
        todo = [slug for n in range(1, count + 1) if (slug := f"bench-{n:04d}") not in existing]
        self.say(
            f"Bench: {count - len(todo)} of {count} resellers already there; creating {len(todo)} with "
            f"{per_reseller} accounts of {mysql_count} MySQL + {mailbox_count} mailbox assets each."
        )
        rows = BenchRows(
            pack=pack,
            per_reseller=per_reseller,
            mysql_count=mysql_count,
            mailbox_count=mailbox_count,
            # Hashing is slow: one hash per kind, shared by every bench asset.
            mysql_hash=mysql_native_hash(asset_password(BENCH_PASSWORD)),
            mailbox_hash=sha512_crypt(asset_password(BENCH_PASSWORD)),
        )
        per_transaction = max(1, BENCH_ASSETS_PER_TRANSACTION // max(1, per_reseller * max(1, per_account)))
        done_resellers = done_accounts = done_assets = 0
        for slugs in batched(todo, per_transaction):
            accounts, assets = rows.insert(slugs)
            done_resellers += len(slugs)
            done_accounts += accounts
            done_assets += assets
            self.say(
                f"  {done_resellers}/{len(todo)} resellers, {done_accounts:,} accounts, {done_assets:,} assets, "
                f"{time.monotonic() - started:.1f} s"
            )
        self.say(
            f"Bench: created {len(todo)} resellers, {done_accounts:,} accounts and {done_assets:,} assets "
            f"in {time.monotonic() - started:.1f} s."
        )


def batched(items: Iterable, size: int) -> Iterator[tuple]:
    """`items` in tuples of `size` (itertools.batched arrives only in Python 3.12)."""
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


def asset_password(known: str) -> str:
    """`known` in development; in production a random one nobody knows (FTP, MySQL and mail logins are real)."""
    if not settings.PRODUCTION:
        return known
    return "a1" + secrets.token_hex(8)  # a letter and a digit, as the asset password rules want


def seeder(reseller: Reseller) -> Principal:
    """The principal the demo acts as: the system, via the command line (its audit events say `seed_demo`)."""
    return Principal.system(reseller, via=Via.CLI, actor_repr="seed_demo")


def wait_for(job: ProvisioningJob) -> None:
    """Run the job here and now; if a running worker claimed it first, wait for that worker to end it."""
    run_job(job.pk)
    deadline = time.monotonic() + JOB_WAIT_SECONDS
    job.refresh_from_db()
    while job.is_unfinished and time.monotonic() < deadline:
        time.sleep(0.2)
        job.refresh_from_db()
    if job.status != JobStatus.FINISHED:
        detail = (job.error or {}).get("detail", f"it is still {job.status}")
        raise CommandError(f"Provisioning job {job.action} {job.target_repr} did not finish: {detail}")


def seed_users() -> dict:
    """The demo users, by username; new ones share one hash of the demo password (hashing is slow)."""
    user_model = get_user_model()
    users = {}
    hashed = None
    for demo_user in DEMO_USERS:
        user = user_model.objects.filter(username=demo_user.username).first()
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = user_model.objects.create(
                username=demo_user.username,
                email=demo_user.email,
                password=hashed,
                is_staff=demo_user.operator,
                is_superuser=demo_user.operator,
            )
        users[demo_user.username] = user
    return users


def seed_servicepacks(resellers: dict[str, Reseller]) -> dict[str, ServicePack]:
    """The demo packs; a pack or item that exists is left as the operator may have changed it."""
    packs = {}
    for demo in DEMO_PACKS:
        pack, _ = ServicePack.objects.get_or_create(
            name=demo.name, defaults={"description": demo.description, "is_restricted": bool(demo.restricted_to)}
        )
        for asset_type, max_count, max_size_mb, with_account in demo.items:
            ServicePackItem.objects.get_or_create(
                servicepack=pack,
                asset_type=asset_type,
                defaults={"max_count": max_count, "max_size_mb": max_size_mb, "created_with_account": with_account},
            )
        if demo.restricted_to:
            pack.allowed_resellers.add(*(resellers[slug] for slug in demo.restricted_to))
        packs[demo.name] = pack
    return packs


def bench_servicepack() -> ServicePack:
    """'Bench': MySQL and mailboxes only, counts generous enough for any benchmark; restricted to bench-*."""
    pack, _ = ServicePack.objects.get_or_create(
        name=BENCH_PACK,
        defaults={"description": "Bulk benchmark data (seed_demo --scale).", "is_restricted": True},
    )
    for asset_type, max_size_mb in ((AssetType.MYSQL, BENCH_MYSQL_SIZE_MB), (AssetType.MAILBOX, BENCH_MAILBOX_SIZE_MB)):
        ServicePackItem.objects.get_or_create(
            servicepack=pack,
            asset_type=asset_type,
            defaults={"max_count": BENCH_MAX_COUNT, "max_size_mb": max_size_mb},
        )
    return pack


@dataclass(frozen=True)
class BenchRows:
    """Builds and bulk-inserts one batch of bench resellers with their accounts and assets."""

    pack: ServicePack
    per_reseller: int
    mysql_count: int
    mailbox_count: int
    mysql_hash: str
    mailbox_hash: str

    def insert(self, slugs: tuple[str, ...]) -> tuple[int, int]:
        """Insert the resellers `slugs` and everything they hold in one transaction; returns (accounts, assets)."""
        with transaction.atomic():
            resellers = Reseller.objects.bulk_create([Reseller(name=slug, slug=slug) for slug in slugs])
            allowed = ServicePack.allowed_resellers.through
            allowed.objects.bulk_create([allowed(servicepack_id=self.pack.pk, reseller_id=r.pk) for r in resellers])
            accounts = Account.objects.bulk_create(
                [
                    Account(
                        reseller_id=reseller.pk,
                        servicepack_id=self.pack.pk,
                        identifier=f"site-{n:04d}.{reseller.slug}.example",
                        status=Status.ACTIVE,
                    )
                    for reseller in resellers
                    for n in range(1, self.per_reseller + 1)
                ],
                batch_size=BENCH_INSERT_BATCH,
            )
            assets = 0
            for chunk in batched(self.assets(accounts), BENCH_INSERT_BATCH):
                Asset.objects.bulk_create(chunk)
                assets += len(chunk)
        return len(accounts), assets

    def assets(self, accounts: list[Account]) -> Iterator[Asset]:
        now = timezone.now()
        for account in accounts:
            if account.pk is None:  # bulk_create returns primary keys on SQLite >= 3.35 and PostgreSQL
                raise CommandError("This database does not return primary keys from bulk inserts.")
            common = {
                "reseller_id": account.reseller_id,
                "account_id": account.pk,
                "status": Status.ACTIVE,
                "usage_measured_at": now,
            }
            for n in range(1, self.mysql_count + 1):
                name = f"{MYSQL_PREFIX}{account.pk}_db{n}"  # the MySQL kind's naming: prefix, account id, database name
                user = {"name": name, "rights": "read_and_write", "enabled": True, "password_hash": self.mysql_hash}
                yield Asset(
                    asset_type=AssetType.MYSQL,
                    name=name,
                    max_size=BENCH_MYSQL_SIZE_MB,
                    actual_size=(account.pk * 7 + n * 13) % BENCH_MYSQL_SIZE_MB,
                    details={"database_name": f"db{n}", "users": [user]},
                    **common,
                )
            for n in range(1, self.mailbox_count + 1):
                yield Asset(
                    asset_type=AssetType.MAILBOX,
                    name=f"mail{n}@{account.identifier}",
                    max_size=BENCH_MAILBOX_SIZE_MB,
                    actual_size=(account.pk * 11 + n * 17) % BENCH_MAILBOX_SIZE_MB,
                    details={"password_hash": self.mailbox_hash},
                    **common,
                )
