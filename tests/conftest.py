"""Shared fixtures, as healthchecks does them: two resellers, each with an owner (`full`), a writer (`write`),
a reader (`read`), plus an outsider with no membership; a servicepack; principals per level."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.core.principal import Level, Principal, Via
from apps.resellers.models import Membership, Reseller
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem

PASSWORD = "Passw0rd123"


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters, nonces and idempotency records never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def provisioning_root(settings, tmp_path):
    """Every test provisions into its own empty directory."""
    settings.PANEEL_PROVISIONING_ROOT = tmp_path / "provisioning"
    return settings.PANEEL_PROVISIONING_ROOT


def make_user(username: str, **extra):
    return get_user_model().objects.create_user(username, f"{username}@example.test", PASSWORD, **extra)


@pytest.fixture
def servicepack(db) -> ServicePack:
    """'Starter': one Linux hosting made with the account, up to 2 MySQL databases, up to 3 mailboxes."""
    pack = ServicePack.objects.create(name="Starter", description="Small sites")
    ServicePackItem.objects.create(
        servicepack=pack,
        asset_type=AssetType.LINUX_HOSTING,
        max_count=1,
        max_size_mb=1024,
        created_with_account=True,
    )
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MYSQL, max_count=2, max_size_mb=500)
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MAILBOX, max_count=3, max_size_mb=2048)
    return pack


@pytest.fixture
def big_servicepack(db) -> ServicePack:
    pack = ServicePack.objects.create(name="Business")
    ServicePackItem.objects.create(
        servicepack=pack,
        asset_type=AssetType.LINUX_HOSTING,
        max_count=1,
        max_size_mb=10240,
        created_with_account=True,
    )
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MYSQL, max_count=10, max_size_mb=5000)
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MAILBOX, max_count=50, max_size_mb=10240)
    return pack


def make_reseller(slug: str) -> dict:
    reseller = Reseller.objects.create(name=slug.capitalize(), slug=slug)
    people = {}
    for role, level in (("owner", Level.FULL), ("writer", Level.WRITE), ("reader", Level.READ)):
        user = make_user(f"{slug}-{role}")
        Membership.objects.create(user=user, reseller=reseller, level=level)
        people[role] = user
    return {"reseller": reseller, **people}


@pytest.fixture
def tenant_a(db) -> dict:
    return make_reseller("alpha")


@pytest.fixture
def tenant_b(db) -> dict:
    return make_reseller("bravo")


@pytest.fixture
def outsider(db):
    return make_user("outsider")


def principal(tenant: dict, role: str, via: str = Via.PANEL) -> Principal:
    level = {"owner": Level.FULL, "writer": Level.WRITE, "reader": Level.READ}[role]
    return Principal.for_user(tenant[role], tenant["reseller"], level, via=via, ip="192.0.2.10", request_id="test-req")


@pytest.fixture
def full_a(tenant_a) -> Principal:
    return principal(tenant_a, "owner")


@pytest.fixture
def write_a(tenant_a) -> Principal:
    return principal(tenant_a, "writer")


@pytest.fixture
def read_a(tenant_a) -> Principal:
    return principal(tenant_a, "reader")


@pytest.fixture
def full_b(tenant_b) -> Principal:
    return principal(tenant_b, "owner")


@pytest.fixture
def account_a(full_a, servicepack, django_capture_on_commit_callbacks):
    """An active account of reseller A, provisioned through the real job runner and local drivers."""
    from apps.accounts.services import create_account

    with django_capture_on_commit_callbacks(execute=True):
        account, _ = create_account(
            principal=full_a,
            identifier="alpha-shop.example",
            servicepack=servicepack,
            ftp_password="Ftpsecret1",
        )
    account.refresh_from_db()
    return account


@pytest.fixture
def account_b(full_b, servicepack, django_capture_on_commit_callbacks):
    from apps.accounts.services import create_account

    with django_capture_on_commit_callbacks(execute=True):
        account, _ = create_account(
            principal=full_b,
            identifier="bravo-shop.example",
            servicepack=servicepack,
            ftp_password="Ftpsecret1",
        )
    account.refresh_from_db()
    return account


@pytest.fixture
def api_client(db):
    """`api_client(tenant, level="full", ip=..., whitelist=True)`: a SignedClient with a fresh API key of the tenant."""
    from apps.apikeys.services import create_api_key
    from apps.ipwhitelist.models import IpWhitelistEntry
    from tests.signed_client import SignedClient

    def make(tenant: dict, level: str = "full", *, ip: str = "192.0.2.10", whitelist: bool = True) -> SignedClient:
        owner = principal(tenant, "owner")
        api_key, secret = create_api_key(principal=owner, level=level, name=f"test {level}")
        if whitelist:
            IpWhitelistEntry.objects.get_or_create(reseller=tenant["reseller"], cidr=ip)
        client = SignedClient(api_key.key, secret, ip=ip)
        client.api_key = api_key
        return client

    return make
