"""Tenancy at the service layer: a principal of reseller A can neither see nor touch reseller B's objects.

Every read goes through `for_principal`/`get_for_principal` and every write through a service; an object of another
reseller is `NotFound` (404, never 403) and stays exactly as it was. A meta-test checks that every tenant-owned
model (one with a `reseller_path`) is covered here.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest

from apps.accounts import services as accounts
from apps.accounts import welcome_services
from apps.accounts.models import Account
from apps.apikeys import oauth_services
from apps.apikeys import services as apikeys
from apps.apikeys.models import ApiKey, ResellerApplication
from apps.assets import hosting_services
from apps.assets import services as assets
from apps.assets.models import Asset
from apps.certificates import services as certificates
from apps.certificates.models import Certificate, CertificateRequest
from apps.core.errors import NotFound
from apps.core.models import AuditEvent
from apps.dns import services as dns
from apps.dns.models import DnsRecord, DnsZone
from apps.domains import services as domains
from apps.domains.models import Domain, DomainOrder
from apps.events import services as events
from apps.events.models import Event, Webhook, WebhookAttempt, WebhookDelivery
from apps.ipwhitelist import services as ipwhitelist
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.mail import services as mail
from apps.mail.models import MailAlias, MailZone, SmtpDomain
from apps.provisioning import services as provisioning
from apps.provisioning.models import ProvisioningJob
from apps.resellers import services as resellers
from apps.resellers.models import Membership, Reseller
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem
from tests.core.test_principal import write_services
from tests.world import PASSWORD, build_world, csr_for, ssh_public_key, tenant_models, tenant_rows


def tenancy_world(tenant: dict, account: Account, servicepack: ServicePack) -> SimpleNamespace:
    """One object of every tenant-owned model for `tenant` (tests/world.py), each in a state where its owner could
    change it."""
    return build_world(tenant, account, paused_on=servicepack, failed_job=True, oauth_application=True)


@pytest.fixture
def world_a(tenant_a, account_a, servicepack):
    return tenancy_world(tenant_a, account_a, servicepack)


@pytest.fixture
def world_b(tenant_b, account_b, servicepack):
    return tenancy_world(tenant_b, account_b, servicepack)


# ---------------------------------------------------------------------------------------------------------------
# Reads

# Each tenant-owned model and how to pick one of its objects from a world.
COVERED_MODELS = {
    Reseller: lambda w: w.reseller,
    Membership: lambda w: w.membership,
    Account: lambda w: w.account,
    Asset: lambda w: w.mysql,
    ProvisioningJob: lambda w: w.failed_job,
    ApiKey: lambda w: w.api_key,
    ResellerApplication: lambda w: w.oauth_link,
    IpWhitelistEntry: lambda w: w.entry,
    AuditEvent: lambda w: w.audit_event,
    Event: lambda w: w.event,
    Webhook: lambda w: w.webhook,
    WebhookDelivery: lambda w: w.delivery,
    WebhookAttempt: lambda w: w.attempt,
    MailZone: lambda w: w.mail_zone,
    MailAlias: lambda w: w.alias,
    SmtpDomain: lambda w: w.smtp_domain,
    DnsZone: lambda w: w.zone,
    Domain: lambda w: w.domain,
    DomainOrder: lambda w: w.domain_order,
    CertificateRequest: lambda w: w.cert_request,
    Certificate: lambda w: w.certificate,
    DnsRecord: lambda w: w.dns_record,
}


def test_every_tenant_owned_model_is_covered_by_the_tenancy_tests():
    found = set(tenant_models())
    assert found, "no tenant-owned models found: has the layout changed?"
    missing = sorted(model.__name__ for model in found - set(COVERED_MODELS))
    assert missing == [], f"tenant-owned models without tenancy tests: {missing}"


@pytest.mark.parametrize("model", list(COVERED_MODELS), ids=lambda m: m.__name__)
def test_other_resellers_objects_are_not_in_for_principal(model, world_a, world_b, full_a):
    own, foreign = COVERED_MODELS[model](world_a), COVERED_MODELS[model](world_b)
    visible = model.objects.for_principal(full_a)
    assert visible.filter(pk=own.pk).exists()
    assert not visible.filter(pk=foreign.pk).exists()
    assert model.objects.get_for_principal(full_a, pk=own.pk) == own


@pytest.mark.parametrize("model", list(COVERED_MODELS), ids=lambda m: m.__name__)
def test_get_for_principal_on_another_resellers_object_is_not_found(model, world_a, world_b, full_a):
    foreign = COVERED_MODELS[model](world_b)
    with pytest.raises(NotFound) as caught:
        model.objects.get_for_principal(full_a, pk=foreign.pk)
    assert (caught.value.code, caught.value.status) == ("not_found", 404)


def test_for_principal_lists_no_object_of_another_reseller(world_a, world_b, full_a, tenant_b):
    for model in COVERED_MODELS:
        path = model.reseller_path
        assert model.objects.for_principal(full_a).exists()
        assert not model.objects.for_principal(full_a).filter(**{path: tenant_b["reseller"].pk}).exists(), model


@pytest.mark.parametrize(
    ("model", "malformed"),
    [(Account, "abc"), (Asset, "1 OR 1=1"), (ApiKey, None), (ProvisioningJob, "not-a-uuid"), (ProvisioningJob, "123")],
)
def test_get_for_principal_with_a_malformed_id_is_not_found(model, malformed, full_a):
    """A malformed id from a URL or body is simply not found (404), never a 400/500 from the ORM."""
    with pytest.raises(NotFound):
        model.objects.get_for_principal(full_a, pk=malformed)


# ---------------------------------------------------------------------------------------------------------------
# Writes on another reseller's objects

FOREIGN_WRITES = {
    "suspend_account": lambda p, b, pack: accounts.suspend_account(principal=p, account_id=b.account.pk),
    "unsuspend_account": lambda p, b, pack: accounts.unsuspend_account(principal=p, account_id=b.paused.pk),
    "delete_account": lambda p, b, pack: accounts.delete_account(principal=p, account_id=b.account.pk),
    "change_servicepack": lambda p, b, pack: accounts.change_servicepack(
        principal=p, account_id=b.account.pk, servicepack=pack
    ),
    "update_account_contact": lambda p, b, pack: accounts.update_account_contact(
        principal=p, account_id=b.account.pk, contact_name="Taken over"
    ),
    "send_welcome_email": lambda p, b, pack: welcome_services.send_welcome_email(
        principal=p, account_id=b.account.pk, to="thief@example.test"
    ),
    "create_asset": lambda p, b, pack: assets.create_asset(
        principal=p, account_id=b.account.pk, asset_type="mysql", fields={"database_name": "x"}, password=PASSWORD
    ),
    "resize_asset": lambda p, b, pack: assets.resize_asset(principal=p, asset_id=b.mysql.pk, max_size=100),
    "change_asset_password": lambda p, b, pack: assets.change_asset_password(
        principal=p, asset_id=b.mysql.pk, password="Stolen123"
    ),
    "delete_asset": lambda p, b, pack: assets.delete_asset(principal=p, asset_id=b.mysql.pk),
    "add_database_user": lambda p, b, pack: assets.add_database_user(
        principal=p, asset_id=b.mysql.pk, name="intruder", password="Stolen123"
    ),
    "set_database_user_status": lambda p, b, pack: assets.set_database_user_status(
        principal=p, asset_id=b.mysql.pk, user_name=b.db_user, enabled=False
    ),
    "delete_database_user": lambda p, b, pack: assets.delete_database_user(
        principal=p, asset_id=b.mysql.pk, user_name=b.db_user
    ),
    "set_php_version": lambda p, b, pack: hosting_services.set_php_version(
        principal=p, asset_id=b.hosting.pk, version="8.1"
    ),
    "set_php_memory_limit": lambda p, b, pack: hosting_services.set_php_memory_limit(
        principal=p, asset_id=b.hosting.pk, memory_limit=256
    ),
    "set_apcu": lambda p, b, pack: hosting_services.set_apcu(
        principal=p, asset_id=b.hosting.pk, enabled=True, apcu_size=64
    ),
    "set_gzip_compression": lambda p, b, pack: hosting_services.set_gzip_compression(
        principal=p, asset_id=b.hosting.pk, enabled=False
    ),
    "add_subsite": lambda p, b, pack: hosting_services.add_subsite(
        principal=p, asset_id=b.hosting.pk, domain_name=f"news.{b.account.identifier}"
    ),
    "delete_subsite": lambda p, b, pack: hosting_services.delete_subsite(
        principal=p, asset_id=b.hosting.pk, site_name=b.subsite
    ),
    "add_host_header": lambda p, b, pack: hosting_services.add_host_header(
        principal=p, asset_id=b.hosting.pk, site_name=b.hosting.name, domain_name=f"alias.{b.account.identifier}"
    ),
    "delete_host_header": lambda p, b, pack: hosting_services.delete_host_header(
        principal=p, asset_id=b.hosting.pk, site_name=b.hosting.name, domain_name=f"www.{b.hosting.name}"
    ),
    "set_http2": lambda p, b, pack: hosting_services.set_http2(
        principal=p, asset_id=b.hosting.pk, site_name=b.hosting.name, enabled=False
    ),
    "set_ftp_enabled": lambda p, b, pack: hosting_services.set_ftp_enabled(
        principal=p, asset_id=b.hosting.pk, enabled=False
    ),
    "set_ssh_enabled": lambda p, b, pack: hosting_services.set_ssh_enabled(
        principal=p, asset_id=b.hosting.pk, enabled=True
    ),
    "add_ssh_key": lambda p, b, pack: hosting_services.add_ssh_key(
        principal=p, asset_id=b.hosting.pk, public_key=ssh_public_key()
    ),
    "delete_ssh_key": lambda p, b, pack: hosting_services.delete_ssh_key(
        principal=p, asset_id=b.hosting.pk, fingerprint=b.ssh_fingerprint
    ),
    "add_scheduled_task": lambda p, b, pack: hosting_services.add_scheduled_task(
        principal=p,
        asset_id=b.hosting.pk,
        enabled=True,
        cron_expression="0 3 * * *",
        script_location="/scripts/nightly.sh",
    ),
    "update_scheduled_task": lambda p, b, pack: hosting_services.update_scheduled_task(
        principal=p,
        asset_id=b.hosting.pk,
        task_id=b.task_id,
        enabled=False,
        cron_expression="0 4 * * 7",
        script_location="/scripts/b.sh",
    ),
    "delete_scheduled_task": lambda p, b, pack: hosting_services.delete_scheduled_task(
        principal=p, asset_id=b.hosting.pk, task_id=b.task_id
    ),
    "create_catch_all": lambda p, b, pack: mail.create_catch_all(
        principal=p, domain_name=b.account.identifier, email_address="thief@elsewhere.example"
    ),
    "delete_catch_all": lambda p, b, pack: mail.delete_catch_all(
        principal=p, domain_name=b.account.identifier, email_address=b.mail_zone.catch_all[0]
    ),
    "set_anti_spam": lambda p, b, pack: mail.set_anti_spam(
        principal=p, domain_name=b.account.identifier, anti_spam="none"
    ),
    "create_alias": lambda p, b, pack: mail.create_alias(
        principal=p,
        domain_name=b.account.identifier,
        email_address=f"thief@{b.account.identifier}",
        destinations=["thief@elsewhere.example"],
    ),
    "update_alias": lambda p, b, pack: mail.update_alias(
        principal=p,
        domain_name=b.account.identifier,
        email_address=b.alias.email_address,
        destinations=["thief@elsewhere.example"],
    ),
    "delete_alias": lambda p, b, pack: mail.delete_alias(
        principal=p, domain_name=b.account.identifier, email_address=b.alias.email_address
    ),
    "create_smtp_domain": lambda p, b, pack: mail.create_smtp_domain(
        principal=p, domain_name=b.account.identifier, hostname="stolen-domain.example"
    ),
    "update_smtp_domain": lambda p, b, pack: mail.update_smtp_domain(
        principal=p, domain_name=b.account.identifier, hostname=b.smtp_domain.hostname, enabled=False
    ),
    "delete_smtp_domain": lambda p, b, pack: mail.delete_smtp_domain(
        principal=p, domain_name=b.account.identifier, hostname=b.smtp_domain.hostname
    ),
    "set_auto_reply": lambda p, b, pack: mail.set_auto_reply(
        principal=p, asset_id=b.mailbox.pk, enabled=True, subject="Hijacked", message="Hijacked."
    ),
    "set_auto_forward": lambda p, b, pack: mail.set_auto_forward(
        principal=p, asset_id=b.mailbox.pk, enabled=True, email_addresses=["thief@elsewhere.example"]
    ),
    "revoke_api_key": lambda p, b, pack: apikeys.revoke_api_key(principal=p, api_key_id=b.api_key.pk),
    "remove_whitelist_entry": lambda p, b, pack: ipwhitelist.remove_whitelist_entry(principal=p, entry_id=b.entry.pk),
    "update_oauth_application": lambda p, b, pack: oauth_services.update_oauth_application(
        principal=p,
        application_id=b.oauth_link.application_id,
        name="taken over",
        authorization_grant_type="client-credentials",
    ),
    "delete_oauth_application": lambda p, b, pack: oauth_services.delete_oauth_application(
        principal=p, application_id=b.oauth_link.application_id
    ),
    "change_member_level": lambda p, b, pack: resellers.change_member_level(
        principal=p, membership_id=b.membership.pk, level="full"
    ),
    "remove_member": lambda p, b, pack: resellers.remove_member(principal=p, membership_id=b.membership.pk),
    "retry_job": lambda p, b, pack: provisioning.retry_job(principal=p, job_id=b.failed_job.pk),
    "ack_event": lambda p, b, pack: events.ack_event(principal=p, event_id=b.event.pk),
    "ack_events": lambda p, b, pack: events.ack_events(principal=p, event_ids=[b.event.pk]),
    "update_webhook": lambda p, b, pack: events.update_webhook(
        principal=p, webhook_id=b.webhook.pk, url="https://evil.example.com/", event_types=["*"]
    ),
    "delete_webhook": lambda p, b, pack: events.delete_webhook(principal=p, webhook_id=b.webhook.pk),
    "replay_delivery": lambda p, b, pack: events.replay_delivery(principal=p, delivery_id=b.delivery.pk),
    "update_record": lambda p, b, pack: dns.update_record(
        principal=p, domain_name=b.zone.name, record_id=b.dns_record.pk, data={"content": "stolen"}
    ),
    "delete_record": lambda p, b, pack: dns.delete_record(
        principal=p, domain_name=b.zone.name, record_id=b.dns_record.pk
    ),
    "verify_certificate_request": lambda p, b, pack: certificates.verify_certificate_request(
        principal=p, request_id=b.cert_request.pk
    ),
    "set_letsencrypt": lambda p, b, pack: certificates.set_letsencrypt(
        principal=p, domain_name=b.hosting.name, hostname=b.hosting.name, enabled=True
    ),
    "set_https_redirect": lambda p, b, pack: certificates.set_https_redirect(
        principal=p, domain_name=b.hosting.name, hostname=b.hosting.name, enabled=True
    ),
    "create_certificate_request": lambda p, b, pack: certificates.create_certificate_request(
        principal=p, csr=csr_for(b.account.identifier)
    ),
    "set_domain_name_servers": lambda p, b, pack: domains.set_domain_name_servers(
        principal=p, domain_name=b.domain.domain_name, name_servers=["ns1.evil.example", "ns2.evil.example"]
    ),
    "set_domain_renewal": lambda p, b, pack: domains.set_domain_renewal(
        principal=p, domain_name=b.domain.domain_name, will_renew=False
    ),
    "create_record": lambda p, b, pack: dns.create_record(
        principal=p, domain_name=b.zone.name, data={"type": "TXT", "content": "stolen"}
    ),
}


def services_taking_an_object_id() -> set[str]:
    """Every service (tests/core/test_principal.py) that also takes the id of an existing object (`..._id`)."""
    return {
        name.rpartition(".")[2]
        for name, function in write_services().items()
        if any(parameter.endswith("_id") for parameter in inspect.signature(function).parameters)
    }


def test_every_service_taking_an_object_id_is_tried_on_another_resellers_object():
    found = services_taking_an_object_id()
    assert found, "no services found: has the layout changed?"
    assert sorted(found - set(FOREIGN_WRITES)) == [], "services without a cross-reseller test in FOREIGN_WRITES"


@pytest.mark.parametrize("write", sorted(FOREIGN_WRITES))
def test_full_principal_of_a_cannot_change_b_objects(write, world_a, world_b, full_a, big_servicepack):
    before = tenant_rows()
    with pytest.raises(NotFound) as caught:
        FOREIGN_WRITES[write](full_a, world_b, big_servicepack)
    assert (caught.value.code, caught.value.status) == ("not_found", 404)
    assert tenant_rows() == before  # B's object, the audit log and the job list are all unchanged


@pytest.mark.parametrize("write", sorted(FOREIGN_WRITES))
def test_b_could_make_the_same_write_itself(write, world_b, full_b, big_servicepack):
    """Control for the test above: the refusal is tenancy, not an object in the wrong state."""
    FOREIGN_WRITES[write](full_b, world_b, big_servicepack)


@pytest.fixture
def pack_for_b(tenant_b) -> ServicePack:
    pack = ServicePack.objects.create(name="Bravo only", is_restricted=True)
    pack.allowed_resellers.add(tenant_b["reseller"])
    ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.LINUX_HOSTING, max_count=1, max_size_mb=9000)
    return pack


def test_restricted_servicepack_of_another_reseller_is_not_found_for_create_account(full_a, full_b, pack_for_b):
    with pytest.raises(NotFound) as caught:
        accounts.create_account(principal=full_a, identifier="alpha-sneaky.example", servicepack=pack_for_b)
    assert caught.value.field == "servicepack_id"
    assert not Account.objects.filter(identifier="alpha-sneaky.example").exists()
    assert not AuditEvent.objects.filter(action="account.create").exists()
    # B itself may use it.
    account, _ = accounts.create_account(principal=full_b, identifier="bravo-own.example", servicepack=pack_for_b.pk)
    assert account.servicepack == pack_for_b


def test_restricted_servicepack_of_another_reseller_is_not_found_for_change_servicepack(world_a, full_a, pack_for_b):
    before = tenant_rows()
    with pytest.raises(NotFound):
        accounts.change_servicepack(principal=full_a, account_id=world_a.account.pk, servicepack=pack_for_b.pk)
    assert tenant_rows() == before


def test_servicepack_for_principal_hides_packs_restricted_to_others(full_a, full_b, servicepack, pack_for_b):
    assert list(ServicePack.objects.for_principal(full_a)) == [servicepack]
    assert set(ServicePack.objects.for_principal(full_b)) == {servicepack, pack_for_b}


def test_objects_created_by_a_service_belong_to_the_principals_reseller(world_a, tenant_a):
    """Services take the reseller from the principal; an asset repeats its account's reseller (what scopes it)."""
    reseller_id = tenant_a["reseller"].pk
    objects = (world_a.account, world_a.paused, world_a.mysql, world_a.api_key, world_a.entry, world_a.failed_job)
    for obj in objects:
        obj.refresh_from_db()
        assert obj.reseller_id == reseller_id, obj
    assert world_a.mysql.account.reseller_id == reseller_id
    assert set(AuditEvent.objects.filter(actor_user=tenant_a["owner"]).values_list("reseller_id", flat=True)) == {
        reseller_id
    }
