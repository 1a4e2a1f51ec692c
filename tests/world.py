"""Worlds for the suites that act on everything a reseller owns: around an active account, one object of every
kind, made through the services with their jobs run by the local drivers, each in a state where its owner could
change it.

`build_world` makes one for a tenant of tests/conftest.py. The fixtures `worlds`, `world_a` and `world_b` hold
reseller A's and B's worlds for the tenancy and level matrices: a module imports them (`*_fixture`, so that the
tests' arguments do not shadow the import), and its worlds are built once for all its tests.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.apps import apps as django_apps
from django.db import models, transaction
from django.test import TestCase, override_settings
from oauth2_provider.models import Application

from apps.accounts import services as accounts
from apps.accounts.models import Account, Status
from apps.apikeys.models import ResellerApplication
from apps.apikeys.oauth_services import create_oauth_application
from apps.apikeys.services import create_api_key
from apps.assets import hosting_services
from apps.assets import services as assets
from apps.certificates.models import Certificate
from apps.certificates.services import create_certificate_request
from apps.core.models import AuditEvent
from apps.core.principal import Principal
from apps.domains.fulfilment import complete_order
from apps.domains.services import register_domain
from apps.events.models import AttemptOutcome, Event, WebhookAttempt, WebhookDelivery
from apps.events.services import create_webhook
from apps.ipwhitelist.services import add_whitelist_entry
from apps.mail import services as mail
from apps.mail.models import MailAlias, MailZone, SmtpDomain
from apps.provisioning.jobs import record_job
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.resellers.models import Membership, Reseller
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem
from tests.conftest import make_reseller, principal

PASSWORD = "Secret123abc"  # of every database, database user and mailbox of a world
FTP_PASSWORD = "Ftpsecret1"  # as the accounts of tests/conftest.py
# (asset type, most per account, most MB each, made with the account): tests/conftest.py's two packs.
STARTER = (
    (AssetType.LINUX_HOSTING, 1, 1024, True),
    (AssetType.MYSQL, 2, 500, False),
    (AssetType.MAILBOX, 3, 2048, False),
)
BUSINESS = (
    (AssetType.LINUX_HOSTING, 1, 10240, True),
    (AssetType.MYSQL, 10, 5000, False),
    (AssetType.MAILBOX, 50, 10240, False),
)


def ssh_public_key(comment: str = "") -> str:
    """A new ed25519 public key in OpenSSH's one-line form."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    line = (
        Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
    )
    return f"{line} {comment}".strip()


def run_jobs() -> AbstractContextManager:
    """`with run_jobs(): ...` runs the jobs the block records when it ends, as the worker would after the commit
    (the `django_capture_on_commit_callbacks(execute=True)` fixture, usable outside a test too)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def make_pack(name: str, *items: tuple[str, int, int, bool], **fields) -> ServicePack:
    """A pack with one item per (asset type, max count, max size in MB, created with the account)."""
    pack = ServicePack.objects.create(name=name, **fields)
    ServicePackItem.objects.bulk_create(
        ServicePackItem(servicepack=pack, asset_type=kind, max_count=count, max_size_mb=size, created_with_account=made)
        for kind, count, size, made in items
    )
    return pack


def make_account(tenant: dict, identifier: str, servicepack: ServicePack, **fields) -> Account:
    """An active account of `tenant`, with the assets its pack makes with it: `create_account` and its job."""
    with run_jobs():
        account, _ = accounts.create_account(
            principal=principal(tenant, "owner"), identifier=identifier, servicepack=servicepack, **fields
        )
    account.refresh_from_db()
    return account


def build_world(
    tenant: dict,
    account: Account,
    *,
    mailbox: bool = True,
    paused_on: ServicePack | None = None,
    restricted_like: ServicePack | None = None,
    failed_job: bool = False,
    oauth_application: bool = False,
) -> SimpleNamespace:
    """Around `tenant`'s active `account` and its Linux hosting: a MySQL database `shop` with a read-only user
    (`db_user`) besides its own, a mailbox `info@` and its mail zone with a catch-all (`info@`), an alias
    (`alias`, `sales@`) and an SMTP domain (`smtp_domain`) (unless `mailbox=False`), a listed API key and whitelist
    entry.
    On request (None otherwise): a suspended account on `paused_on` (`paused`); a copy of `restricted_like` only
    this reseller may use (`restricted_pack`) and an account on it (`on_own_pack`); a failed job on the database
    (`failed_job`); an OAuth application (`oauth_link`). A webhook (`webhook`) with one delivery (`delivery`) and its
    `attempt`; `event` is the reseller's first event.
    `job` is the first finished job, `membership` the
    writer's, `audit_event` one of the reseller's."""
    reseller = tenant["reseller"]
    owner = principal(tenant, "owner")
    slug = reseller.slug
    world = SimpleNamespace(
        tenant=tenant,
        reseller=reseller,
        owner=owner,
        account=account,
        hosting=account.assets.get(asset_type=AssetType.LINUX_HOSTING),
        mailbox=None,
        mail_zone=None,
        alias=None,
        smtp_domain=None,
        paused=None,
        restricted_pack=None,
        on_own_pack=None,
        failed_job=None,
        oauth_link=None,
    )
    with run_jobs():
        world.mysql, _ = assets.create_asset(
            principal=owner,
            account_id=account.pk,
            asset_type=AssetType.MYSQL,
            fields={"database_name": "shop"},
            password=PASSWORD,
        )
        if mailbox:
            world.mailbox, _ = assets.create_asset(
                principal=owner,
                account_id=account.pk,
                asset_type=AssetType.MAILBOX,
                fields={"email_address": f"info@{account.identifier}"},
                password=PASSWORD,
            )
    if mailbox:  # its mail zone: a catch-all, an alias and an extra SMTP domain
        domain = account.identifier
        with run_jobs():
            mail.create_catch_all(principal=owner, domain_name=domain, email_address=world.mailbox.name)
            mail.create_alias(
                principal=owner, domain_name=domain, email_address=f"sales@{domain}", destinations=[world.mailbox.name]
            )
            mail.create_smtp_domain(principal=owner, domain_name=domain, hostname=f"{slug}-extra.example")
        world.mail_zone = MailZone.objects.get(account=account)
        world.alias = MailAlias.objects.get(zone=world.mail_zone)
        world.smtp_domain = SmtpDomain.objects.get(zone=world.mail_zone)
    with run_jobs():  # only once the database's own job is done
        assets.add_database_user(
            principal=owner, asset_id=world.mysql.pk, name="extra", password=PASSWORD, rights="read_only"
        )
    with run_jobs():  # the hosting's parts that routes name: a subsite, an SSH key, a scheduled task
        hosting_services.add_subsite(
            principal=owner, asset_id=world.hosting.pk, domain_name=f"blog.{account.identifier}"
        )
        _, _, world.ssh_fingerprint = hosting_services.add_ssh_key(
            principal=owner, asset_id=world.hosting.pk, public_key=ssh_public_key(f"{slug}@laptop")
        )
        _, _, world.task_id = hosting_services.add_scheduled_task(
            principal=owner,
            asset_id=world.hosting.pk,
            enabled=True,
            cron_expression="*/15 * * * *",
            script_location="/scripts/backup.sh",
        )
    world.subsite = f"blog.{account.identifier}"
    if paused_on is not None:
        world.paused = make_account(tenant, f"{slug}-paused.example", paused_on)
        # Its status only, as these worlds always had it: no test looks further, and a suspend job for every
        # world would cost more than all the rest of the account.
        Account.objects.filter(pk=world.paused.pk).update(status=Status.SUSPENDED)
    if restricted_like is not None:
        world.restricted_pack = make_pack(
            f"{reseller.name} only",
            *restricted_like.items.values_list("asset_type", "max_count", "max_size_mb", "created_with_account"),
            is_restricted=True,
        )
        world.restricted_pack.allowed_resellers.add(reseller)
        world.on_own_pack = make_account(tenant, f"{slug}-vip.example", world.restricted_pack)
    world.api_key, _ = create_api_key(principal=owner, level="read", name="listed key")
    world.entry = add_whitelist_entry(principal=owner, cidr="198.51.100.0/24")
    if failed_job:
        world.failed_job = record_job(principal=owner, action="mysql.update", target=world.mysql)
        ProvisioningJob.objects.filter(pk=world.failed_job.pk).update(
            status=JobStatus.FAILED, error={"code": "driver_error"}
        )
    if oauth_application:
        application, _ = create_oauth_application(
            principal=owner,
            name=f"{slug} app",
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=f"https://{slug}.example/callback",
        )
        world.oauth_link = ResellerApplication.objects.get(application=application)
    # A webhook subscribed to its own creation only: one delivery (never sent: no commit runs it), and the later
    # writes of the suites make none.
    world.webhook, _ = create_webhook(
        principal=owner, url=f"https://hooks.{slug}.example/paneel", event_types=["webhook.create"]
    )
    world.delivery = WebhookDelivery.objects.get(webhook=world.webhook)
    world.event = Event.objects.filter(reseller=reseller).order_by("pk").first()
    # As the worker records an attempt that could not connect (no test here reaches the network).
    world.attempt = WebhookAttempt.objects.create(
        delivery=world.delivery, number=1, outcome=AttemptOutcome.NETWORK_ERROR, error="ConnectionRefusedError"
    )
    for made in (world.account, world.hosting, world.mysql, world.mailbox, world.paused, world.failed_job):
        if made is not None:
            made.refresh_from_db()
    world.db_user = world.mysql.details["users"][-1]["name"]
    # A certificate request whose ACME job is left pending (never run here), and a stored certificate.
    world.cert_request = create_certificate_request(principal=owner, csr=csr_for(account.identifier))
    world.certificate = make_certificate(account, account.identifier)
    # An active domain (registered, its order completed by the operator-fulfilled registrar, with the default
    # expiration date) whose changes its owner may order.
    with run_jobs():
        world.domain, _ = register_domain(principal=owner, domain_name=account.identifier, registrant=REGISTRANT)
    with run_jobs():
        complete_order(principal=Principal.operator(tenant["owner"], reseller), order_id=world.domain.orders.get().pk)
    world.domain.refresh_from_db()
    assert world.domain.status == "active" and world.domain.expiration_date is not None
    world.domain_order = world.domain.orders.get()
    world.zone = account.dns_zone  # made with the account (apps.dns), with its default records
    world.dns_record = world.zone.records.get(type="TXT")
    world.job = ProvisioningJob.objects.filter(reseller=reseller, status=JobStatus.FINISHED).earliest("created_at")
    world.membership = Membership.objects.get(reseller=reseller, user=tenant["writer"])
    world.audit_event = AuditEvent.objects.filter(reseller=reseller).first()
    active = [made for made in (world.account, world.hosting, world.mysql, world.mailbox) if made is not None]
    assert {made.status for made in active} == {Status.ACTIVE}, [(made, made.status) for made in active]
    assert world.paused is None or world.paused.status == Status.SUSPENDED
    return world


REGISTRANT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address": "Main street 1",
    "postal_code": "1000",
    "city": "Brussels",
    "country_code": "BE",
    "email": "ada@example.test",
    "phone": "+32.123456789",
    "language_code": "en",
}


def csr_for(*names: str) -> str:
    """A PEM CSR for `names` (CN the first), with a throw-away key."""
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


def make_certificate(account: Account, name: str) -> Certificate:
    """A stored certificate for `name` (self-signed: what the ACME job would store, without a CA)."""
    from apps.certificates.jobs import certificate_facts

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    leaf = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=89))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem = leaf.public_bytes(serialization.Encoding.PEM).decode()
    return Certificate.objects.create(account=account, fullchain_pem=pem, **certificate_facts(pem))


def tenant_models() -> list[type[models.Model]]:
    """Every tenant-owned model: one that names the path from itself to its reseller (`reseller_path`)."""
    return [
        model
        for model in django_apps.get_models()
        if model.__module__.startswith("apps.") and hasattr(model, "reseller_path")
    ]


def tenant_rows(reseller: Reseller | None = None) -> dict[str, list[dict]]:
    """Every row of every tenant-owned model (only `reseller`'s, if given) as it is now: what a refused write must
    leave as it was."""

    def rows(model: type[models.Model]) -> list[dict]:
        found = model.objects.filter(**{model.reseller_path: reseller.pk}) if reseller else model.objects.all()
        return [{key: plain(value) for key, value in row.items()} for row in found.order_by("pk").values()]

    return {model.__name__: rows(model) for model in tenant_models()}


def plain(value):
    return bytes(value) if isinstance(value, bytes | memoryview) else value


def tenancy_world(slug: str, starter: ServicePack, business: ServicePack) -> SimpleNamespace:
    """A reseller with the world of the tenancy matrix: an account on `starter` (as `account_a` of tests/conftest.py),
    a suspended one, and a copy of `business` (`big_pack`, the pack accounts move to) only it may use."""
    tenant = make_reseller(slug)
    account = make_account(tenant, f"{slug}-shop.example", starter, ftp_password=FTP_PASSWORD)
    world = build_world(tenant, account, paused_on=starter, restricted_like=business)
    world.big_pack = business
    return world


@pytest.fixture(name="worlds", scope="module")
def worlds_fixture(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Reseller A's and B's tenancy worlds (`.a`, `.b`), built once for the module that imports this fixture: its
    tests send a few hundred requests at the same two worlds, and building them for each test was most of the
    time they took. It is Django's `TestCase.setUpTestData`: the worlds are made in a transaction of the module's,
    every test runs in a savepoint inside it (`world_a` and `world_b` ask for `db`) that is rolled back after it,
    and the module's transaction is rolled back after its last test. Such a module must not also use
    tests/conftest.py's `tenant_a`, `tenant_b` or packs: they would be the same resellers and packs again."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            with override_settings(PANEEL_PROVISIONING_ROOT=tmp_path_factory.mktemp("worlds")):
                starter, business = make_pack("Starter", *STARTER), make_pack("Business", *BUSINESS)
                built = SimpleNamespace(
                    a=tenancy_world("alpha", starter, business), b=tenancy_world("bravo", starter, business)
                )
            with django_db_blocker.block():  # a test that does not ask for `db` could write into the worlds
                yield built
        finally:
            transaction.set_rollback(True)


@pytest.fixture(name="world_a")
def world_a_fixture(worlds, db) -> SimpleNamespace:
    """Reseller A's world, for one test: its changes to the database are rolled back after it."""
    return copy.deepcopy(worlds.a)


@pytest.fixture(name="world_b")
def world_b_fixture(worlds, db) -> SimpleNamespace:
    """Reseller B's world, for one test: its changes to the database are rolled back after it."""
    return copy.deepcopy(worlds.b)
