"""The management commands: `seed_demo` (demo data and --scale bench data) and `createreseller`."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import F

from apps.accounts.models import Account, Status
from apps.assets.kinds import MYSQL_PREFIX
from apps.assets.models import Asset
from apps.assets.passwords import mysql_native_hash, verify_sha512_crypt
from apps.core.models import AuditEvent
from apps.core.principal import Level, Principal
from apps.panel.management.commands.seed_demo import BENCH_PASSWORD, DEMO_PASSWORD
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.resellers.models import Membership, Reseller
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

User = get_user_model()

BENCH_ARGS = ["--scale", "3", "--accounts-per-reseller", "5", "--assets-per-account", "4"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def create_reseller_cmd(*args: str) -> str:
    out = StringIO()
    call_command("createreseller", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = (User, Reseller, Membership, ServicePack, ServicePackItem, Account, Asset, ProvisioningJob, AuditEvent)
    return {model.__name__: model.objects.count() for model in models} | {
        "allowed": ServicePack.allowed_resellers.through.objects.count()
    }


def level_of(username: str, slug: str) -> str | None:
    membership = Membership.objects.filter(user__username=username, reseller__slug=slug).first()
    return membership.level if membership else None


def visible_packs(reseller: Reseller) -> set[str]:
    return set(ServicePack.objects.for_principal(Principal.system(reseller)).values_list("name", flat=True))


@pytest.fixture
def seeded(db) -> str:
    return seed()


# seed_demo: the demo


def test_seed_demo_creates_operator_and_members_of_both_resellers(seeded):
    operator = User.objects.get(username="operator")
    assert operator.is_superuser and operator.is_staff
    assert operator.email == "operator@paneel.test"
    assert operator.check_password(DEMO_PASSWORD)
    assert Reseller.objects.get(slug="demo-hosting").name == "Demo Hosting"
    assert Reseller.objects.get(slug="acme-web").name == "Acme Web"
    assert level_of("demo-owner", "demo-hosting") == Level.FULL
    assert level_of("demo-reader", "demo-hosting") == Level.READ
    assert level_of("acme-owner", "acme-web") == Level.FULL
    assert level_of("acme-reader", "acme-web") == Level.READ
    assert level_of("demo-owner", "acme-web") is None
    partner = User.objects.get(username="partner")
    assert set(partner.memberships.values_list("reseller__slug", flat=True)) == {"demo-hosting", "acme-web"}
    assert all(User.objects.get(username=name).check_password(DEMO_PASSWORD) for name in ("demo-owner", "partner"))
    # Members were added through the service, so the audit trail says so.
    assert AuditEvent.objects.filter(action="member.add", reseller__slug="acme-web").count() == 3


def test_seed_demo_creates_the_servicepacks(seeded):
    items = {
        pack.name: {(i.asset_type, i.max_count, i.max_size_mb, i.created_with_account) for i in pack.items.all()}
        for pack in ServicePack.objects.prefetch_related("items")
    }
    assert items["Starter"] == {
        (AssetType.LINUX_HOSTING, 1, 1024, True),
        (AssetType.MYSQL, 2, 500, False),
        (AssetType.MAILBOX, 5, 2048, False),
    }
    assert items["Business"] == {
        (AssetType.LINUX_HOSTING, 1, 10240, True),
        (AssetType.MYSQL, 10, 5000, False),
        (AssetType.MAILBOX, 50, 10240, False),
    }
    assert items["Mail only"] == {(AssetType.MAILBOX, 20, 5120, False)}
    special = ServicePack.objects.get(name="Acme Special")
    assert special.is_restricted
    assert list(special.allowed_resellers.values_list("slug", flat=True)) == ["acme-web"]


def test_restricted_demo_pack_is_visible_to_acme_web_only(seeded):
    common = {"Starter", "Business", "Mail only"}
    assert visible_packs(Reseller.objects.get(slug="acme-web")) == common | {"Acme Special"}
    assert visible_packs(Reseller.objects.get(slug="demo-hosting")) == common


def test_seed_demo_provisions_accounts_and_assets_through_the_jobs(seeded, provisioning_root):
    for slug in ("demo-hosting", "acme-web"):
        accounts = Account.objects.filter(reseller__slug=slug)
        assert accounts.count() >= 2
        assert set(accounts.values_list("status", flat=True)) == {Status.ACTIVE}
        types = set(Asset.objects.filter(reseller__slug=slug).values_list("asset_type", flat=True))
        assert types == {AssetType.LINUX_HOSTING, AssetType.MYSQL, AssetType.MAILBOX}
    assert set(Asset.objects.values_list("status", flat=True)) == {Status.ACTIVE}
    assert Asset.objects.filter(asset_type=AssetType.MAILBOX, name="info@bakery-demo.example").exists()
    shop = Asset.objects.get(asset_type=AssetType.MYSQL, details__database_name="shop")
    assert shop.account.identifier == "bakery-demo.example"
    assert shop.details["users"][0]["password_hash"] == mysql_native_hash(DEMO_PASSWORD)
    # One job per account and per asset created after it, each run to its end by the real runner and driver.
    assert ProvisioningJob.objects.filter(action="account.create").count() == Account.objects.count()
    assert ProvisioningJob.objects.filter(action__in=["mysql.create", "mailbox.create"]).count() == (
        Asset.objects.exclude(asset_type=AssetType.LINUX_HOSTING).count()
    )
    assert set(ProvisioningJob.objects.values_list("status", flat=True)) == {JobStatus.FINISHED}
    assert AuditEvent.objects.filter(action="account.create").count() == Account.objects.count()
    assert (provisioning_root / "sites" / "bakery-demo.example").is_dir()
    # Every asset sits on an account of its own reseller.
    assert not Asset.objects.exclude(reseller=F("account__reseller")).exists()


def test_seed_demo_prints_the_logins_in_development(seeded):
    assert "http://127.0.0.1:8000/admin/" in seeded
    assert "http://127.0.0.1:8000/" in seeded
    for username in ("operator", "demo-owner", "demo-reader", "acme-owner", "partner"):
        assert username in seeded
    assert DEMO_PASSWORD in seeded


def test_seed_demo_twice_changes_nothing(seeded):
    before = counts()
    output = seed()
    assert counts() == before
    assert DEMO_PASSWORD in output


def test_seed_demo_does_not_print_a_password_a_user_changed(seeded):
    user = User.objects.get(username="demo-reader")
    user.set_password("something-else-42")
    user.save()
    output = seed()
    line = next(line for line in output.splitlines() if line.strip().startswith("demo-reader"))
    assert DEMO_PASSWORD not in line
    assert "changed" in line


def test_seed_demo_refuses_known_passwords_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="--no-users"):
        seed()
    assert not User.objects.exists()
    assert not Reseller.objects.exists()


def test_seed_demo_without_users_in_production_seeds_the_rest(db, settings):
    settings.PRODUCTION = True
    output = seed("--no-users")
    assert not User.objects.exists()
    assert set(Reseller.objects.values_list("slug", flat=True)) == {"demo-hosting", "acme-web"}
    assert Account.objects.filter(status=Status.ACTIVE).count() == Account.objects.count() > 0
    assert DEMO_PASSWORD not in output
    # The demo's FTP, MySQL and mail logins get random passwords: nobody knows them.
    mailbox = Asset.objects.filter(asset_type=AssetType.MAILBOX).first()
    assert not verify_sha512_crypt(DEMO_PASSWORD, mailbox.details["password_hash"])
    database = Asset.objects.filter(asset_type=AssetType.MYSQL).first()
    assert database.details["users"][0]["password_hash"] != mysql_native_hash(DEMO_PASSWORD)


# seed_demo --scale: bulk bench data


def bench_assets():
    return Asset.objects.filter(reseller__slug__startswith="bench-").select_related("account__servicepack")


def test_scale_creates_exactly_the_bench_rows(db):
    output = seed("--no-users", *BENCH_ARGS)
    assert list(Reseller.objects.filter(slug__startswith="bench-").values_list("slug", flat=True)) == [
        "bench-0001",
        "bench-0002",
        "bench-0003",
    ]
    assert Account.objects.filter(reseller__slug__startswith="bench-").count() == 15
    assert bench_assets().count() == 60
    assert Counter(bench_assets().values_list("asset_type", flat=True)) == {"mysql": 15, "mailbox": 45}
    assert "60 assets" in output
    assert " s." in output  # the elapsed time


def test_scale_twice_changes_nothing(db):
    seed("--no-users", *BENCH_ARGS)
    before = counts()
    output = seed("--no-users", *BENCH_ARGS)
    assert counts() == before
    assert "3 of 3 resellers already there" in output


def test_scale_adds_only_the_missing_resellers(db):
    seed("--no-users", "--scale", "2", "--accounts-per-reseller", "2", "--assets-per-account", "3")
    seed("--no-users", "--scale", "3", "--accounts-per-reseller", "2", "--assets-per-account", "3")
    assert Reseller.objects.filter(slug__startswith="bench-").count() == 3
    assert Account.objects.filter(reseller__slug__startswith="bench-").count() == 6
    assert bench_assets().count() == 18


def test_scale_rows_are_valid(db):
    seed("--no-users", *BENCH_ARGS)
    accounts = Account.objects.filter(reseller__slug__startswith="bench-").select_related("servicepack")
    for account in accounts:
        account.full_clean()
        assert account.status == Status.ACTIVE
        assert account.identifier.endswith(f".{account.reseller.slug}.example")
        limits = {item.asset_type: item for item in account.servicepack.items.all()}
        per_type = Counter(account.assets.values_list("asset_type", flat=True))
        assert all(count <= limits[asset_type].max_count for asset_type, count in per_type.items())
    mailbox_hashes = set()
    for asset in bench_assets():
        asset.full_clean()
        assert asset.reseller_id == asset.account.reseller_id
        assert asset.status == Status.ACTIVE
        item = asset.account.servicepack.items.get(asset_type=asset.asset_type)
        assert asset.actual_size <= asset.max_size <= item.max_size_mb
        if asset.asset_type == AssetType.MYSQL:
            database_name = asset.details["database_name"]
            assert asset.name == f"{MYSQL_PREFIX}{asset.account_id}_{database_name}"
            [user] = asset.details["users"]
            assert user == {
                "name": asset.name,
                "rights": "read_and_write",
                "enabled": True,
                "password_hash": mysql_native_hash(BENCH_PASSWORD),
            }
        else:
            assert asset.name.endswith("@" + asset.account.identifier)
            mailbox_hashes.add(asset.details["password_hash"])
    [mailbox_hash] = mailbox_hashes  # one hash, computed once
    assert verify_sha512_crypt(BENCH_PASSWORD, mailbox_hash)
    # Bulk rows on purpose: no audit events, no jobs.
    bench = Reseller.objects.filter(slug__startswith="bench-")
    assert not AuditEvent.objects.filter(reseller__in=bench).exists()
    assert not ProvisioningJob.objects.filter(reseller__in=bench).exists()


def test_bench_pack_is_visible_to_bench_resellers_only(db):
    seed("--no-users", *BENCH_ARGS)
    assert "Bench" in visible_packs(Reseller.objects.get(slug="bench-0002"))
    assert "Bench" not in visible_packs(Reseller.objects.get(slug="demo-hosting"))


def test_scale_refuses_more_assets_than_the_bench_pack_allows(db):
    with pytest.raises(CommandError, match="Bench"):
        seed("--no-users", "--scale", "1", "--accounts-per-reseller", "1", "--assets-per-account", "5000")
    assert not Reseller.objects.filter(slug__startswith="bench-").exists()


# createreseller


def test_createreseller_prints_only_the_slug(db):
    assert create_reseller_cmd("Acme Corp") == "acme-corp\n"
    reseller = Reseller.objects.get(slug="acme-corp")
    assert reseller.name == "Acme Corp"
    assert not reseller.memberships.exists()
    assert AuditEvent.objects.filter(action="reseller.create", reseller=reseller).exists()


def test_createreseller_takes_a_slug(db):
    assert create_reseller_cmd("Acme Corp", "--slug", "acme") == "acme\n"
    assert Reseller.objects.get(slug="acme").name == "Acme Corp"


def test_createreseller_fails_cleanly_on_a_duplicate_slug(db):
    create_reseller_cmd("Acme Corp")
    with pytest.raises(CommandError, match="already exists") as excinfo:
        create_reseller_cmd("Other name", "--slug", "acme-corp")
    assert excinfo.value.returncode != 0
    assert Reseller.objects.count() == 1


def test_createreseller_owner_becomes_a_full_member(db):
    user = User.objects.create_user("boss", "boss@example.test", "x")
    create_reseller_cmd("Acme Corp", "--owner", "BOSS@example.test")
    assert Membership.objects.get(user=user, reseller__slug="acme-corp").level == Level.FULL


def test_createreseller_with_an_unknown_owner_creates_nothing(db):
    with pytest.raises(CommandError, match="nobody@example.test"):
        create_reseller_cmd("Acme Corp", "--owner", "nobody@example.test")
    assert not Reseller.objects.exists()


def test_createreseller_new_reseller_sees_unrestricted_packs_only(db):
    other = Reseller.objects.create(name="Other", slug="other")
    ServicePack.objects.create(name="Open")
    ServicePack.objects.create(name="Retired", is_active=False)
    ServicePack.objects.create(name="Private", is_restricted=True).allowed_resellers.add(other)
    slug = create_reseller_cmd("Acme Corp").strip()
    assert visible_packs(Reseller.objects.get(slug=slug)) == {"Open"}
    assert visible_packs(other) == {"Open", "Private"}
