"""Levels, principals, and the level and audit matrix of every write service.

The matrix names every service that takes a `principal`; a meta-test finds them all in the services modules of
`apps.*` (`services` and `*_services`), so a new
write service that is not in the matrix (and so not level- and audit-tested) fails the build.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.serializers.json import DjangoJSONEncoder
from oauth2_provider.models import Application

from apps.accounts import services as accounts
from apps.accounts import welcome_services
from apps.apikeys import oauth_services
from apps.apikeys import services as apikeys
from apps.assets import hosting_services
from apps.assets import services as assets
from apps.certificates import services as certificates
from apps.core import audit
from apps.core.errors import InsufficientLevel
from apps.core.models import AuditEvent
from apps.core.principal import LEVEL_ORDER, ActorKind, Level, Principal, Via
from apps.core.tenancy import require_level
from apps.dns import services as dns
from apps.domains import services as domains
from apps.events import services as events
from apps.ipwhitelist import services as ipwhitelist
from apps.mail import services as mail
from apps.provisioning import services as provisioning
from apps.resellers import services as resellers
from tests.world import PASSWORD, REGISTRANT, build_world, csr_for, ssh_public_key, tenant_rows

NEW_PASSWORD = "Newsecret34"
FTP_PASSWORD = "Ftpsecret1"  # the shared account fixtures' FTP password
CLEAR_PASSWORDS = (PASSWORD, NEW_PASSWORD, FTP_PASSWORD)
HASH_PATTERNS = (re.compile(r"\$6\$"), re.compile(r"\*[0-9A-F]{40}"))


# ---------------------------------------------------------------------------------------------------------------
# Levels and principals


@pytest.mark.parametrize(
    ("level", "required", "allowed"),
    [
        ("read", "read", True),
        ("read", "write", False),
        ("read", "full", False),
        ("write", "read", True),
        ("write", "write", True),
        ("write", "full", False),
        ("full", "read", True),
        ("full", "write", True),
        ("full", "full", True),
    ],
)
def test_level_allows_follows_read_write_full_order(level, required, allowed):
    assert Level(level).allows(required) is allowed
    assert Level(level).allows(Level(required)) is allowed


def test_levels_are_ranked_read_write_full():
    assert LEVEL_ORDER == ["read", "write", "full"]
    assert Level.READ.rank < Level.WRITE.rank < Level.FULL.rank


def test_unknown_level_is_refused():
    with pytest.raises(ValueError):
        Level("admin")
    with pytest.raises(ValueError):
        Level.READ.allows("owner")


def test_principal_coerces_a_level_string(tenant_a):
    principal = Principal(reseller=tenant_a["reseller"], level="write", via=Via.API)
    assert principal.level is Level.WRITE
    assert principal.can("read") and principal.can(Level.WRITE) and not principal.can("full")
    assert principal.reseller_id == tenant_a["reseller"].pk


def test_principal_for_user_names_the_user_as_actor(tenant_a):
    user = tenant_a["writer"]
    principal = Principal.for_user(user, tenant_a["reseller"], "write", via=Via.PANEL, ip="192.0.2.7", request_id="r-1")
    assert (principal.actor_kind, principal.actor_id, principal.actor_repr) == (
        ActorKind.USER,
        str(user.pk),
        "alpha-writer",
    )
    assert principal.user == user
    assert (principal.ip, principal.request_id, principal.via) == ("192.0.2.7", "r-1", "panel")


def test_operator_principal_is_full_and_audited_as_admin(tenant_a, outsider):
    principal = Principal.operator(outsider, tenant_a["reseller"])
    assert principal.level is Level.FULL
    assert principal.via == Via.ADMIN
    assert principal.user == outsider


def test_system_principal_has_no_user(tenant_a):
    principal = Principal.system(tenant_a["reseller"])
    assert principal.level is Level.FULL
    assert (principal.actor_kind, principal.actor_repr, principal.via) == (ActorKind.SYSTEM, "system", Via.WORKER)
    assert principal.user is None


@pytest.mark.parametrize(("level", "required"), [("read", "write"), ("read", "full"), ("write", "full")])
def test_require_level_refuses_a_lower_level_with_insufficient_level(tenant_a, level, required):
    principal = Principal(reseller=tenant_a["reseller"], level=level, via=Via.API)
    with pytest.raises(InsufficientLevel) as caught:
        require_level(principal, required)
    assert caught.value.code == "insufficient_level"
    assert caught.value.status == 403
    assert f"'{required}'" in caught.value.detail and f"'{level}'" in caught.value.detail


@pytest.mark.parametrize(("level", "required"), [("read", "read"), ("write", "write"), ("full", "read")])
def test_require_level_lets_an_equal_or_higher_level_pass(tenant_a, level, required):
    require_level(Principal(reseller=tenant_a["reseller"], level=level, via=Via.API), required)


def test_audit_record_takes_who_and_where_from_an_api_key_principal(tenant_a):
    principal = Principal(
        reseller=tenant_a["reseller"],
        level=Level.FULL,
        via=Via.API,
        actor_kind=ActorKind.API_KEY,
        actor_id="17",
        actor_repr="API key ci (abcdef12…)",
        ip="2001:db8::5",
        request_id="req-api-1",
    )
    entry = ipwhitelist.add_whitelist_entry(principal=principal, cidr="198.51.100.0/24")
    event = AuditEvent.objects.get()
    assert event.actor_user is None
    assert (event.actor_kind, event.actor_id, event.actor_repr) == ("api_key", "17", "API key ci (abcdef12…)")
    assert (event.via, event.ip, event.request_id) == ("api", "2001:db8::5", "req-api-1")
    assert (event.object_type, event.object_id, event.reseller_id) == (
        "ipwhitelistentry",
        str(entry.pk),
        entry.reseller_id,
    )


# ---------------------------------------------------------------------------------------------------------------
# The write-service matrix


@pytest.fixture
def world(tenant_a, account_a, servicepack, big_servicepack, outsider) -> SimpleNamespace:
    """One of everything a write service acts on, for reseller A (tests/world.py), each in a state where the write
    would succeed."""
    world = build_world(tenant_a, account_a, paused_on=servicepack, failed_job=True, oauth_application=True)
    world.pack, world.big_pack, world.outsider = servicepack, big_servicepack, outsider
    return world


@dataclass(frozen=True)
class Write:
    call: Callable[[Principal, SimpleNamespace], Any]
    action: str
    # The object the audit event must name: from the result, or from the world when the service returns nothing.
    target: Callable[[Any, SimpleNamespace], Any]
    level: Level


def first(result, world):
    return result[0] if isinstance(result, tuple) else result


WRITES: dict[str, Write] = {
    "apps.accounts.services.create_account": Write(
        lambda p, w: accounts.create_account(principal=p, identifier="alpha-new.example", servicepack=w.pack.pk),
        "account.create",
        first,
        Level.WRITE,
    ),
    "apps.accounts.services.suspend_account": Write(
        lambda p, w: accounts.suspend_account(principal=p, account_id=w.account.pk),
        "account.suspend",
        first,
        Level.WRITE,
    ),
    "apps.accounts.services.unsuspend_account": Write(
        lambda p, w: accounts.unsuspend_account(principal=p, account_id=w.paused.pk),
        "account.unsuspend",
        first,
        Level.WRITE,
    ),
    "apps.accounts.services.delete_account": Write(
        lambda p, w: accounts.delete_account(principal=p, account_id=w.account.pk),
        "account.delete",
        first,
        Level.WRITE,
    ),
    "apps.accounts.services.change_servicepack": Write(
        lambda p, w: accounts.change_servicepack(principal=p, account_id=w.account.pk, servicepack=w.big_pack),
        "account.change_servicepack",
        first,
        Level.WRITE,
    ),
    "apps.accounts.services.update_account_contact": Write(
        lambda p, w: accounts.update_account_contact(
            principal=p, account_id=w.account.pk, contact_name="Jo Baker", contact_email="jo@example.test"
        ),
        "account.update_contact",
        lambda result, w: result,
        Level.WRITE,
    ),
    "apps.accounts.welcome_services.send_welcome_email": Write(
        lambda p, w: welcome_services.send_welcome_email(principal=p, account_id=w.account.pk, to="jo@example.test"),
        "account.send_welcome_email",
        lambda result, w: w.account,
        Level.WRITE,
    ),
    "apps.assets.services.create_asset": Write(
        lambda p, w: assets.create_asset(
            principal=p,
            account_id=w.account.pk,
            asset_type="mysql",
            fields={"database_name": "blog"},
            password=PASSWORD,
        ),
        "mysql.create",
        first,
        Level.WRITE,
    ),
    "apps.assets.services.resize_asset": Write(
        lambda p, w: assets.resize_asset(principal=p, asset_id=w.mysql.pk, max_size=250),
        "mysql.resize",
        first,
        Level.WRITE,
    ),
    "apps.assets.services.change_asset_password": Write(
        lambda p, w: assets.change_asset_password(principal=p, asset_id=w.mysql.pk, password=NEW_PASSWORD),
        "mysql.change_password",
        first,
        Level.WRITE,
    ),
    "apps.assets.services.delete_asset": Write(
        lambda p, w: assets.delete_asset(principal=p, asset_id=w.mysql.pk),
        "mysql.delete",
        first,
        Level.WRITE,
    ),
    "apps.assets.services.add_database_user": Write(
        lambda p, w: assets.add_database_user(principal=p, asset_id=w.mysql.pk, name="report", password=NEW_PASSWORD),
        "mysql.add_user",
        first,
        Level.WRITE,
    ),
    "apps.assets.services.set_database_user_status": Write(
        lambda p, w: assets.set_database_user_status(
            principal=p, asset_id=w.mysql.pk, user_name=w.db_user, enabled=False
        ),
        "mysql.set_user_status",
        first,
        Level.WRITE,
    ),
    "apps.assets.services.delete_database_user": Write(
        lambda p, w: assets.delete_database_user(principal=p, asset_id=w.mysql.pk, user_name=w.db_user),
        "mysql.delete_user",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_php_version": Write(
        lambda p, w: hosting_services.set_php_version(principal=p, asset_id=w.hosting.pk, version="8.2"),
        "linux_hosting.set_php_version",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_php_memory_limit": Write(
        lambda p, w: hosting_services.set_php_memory_limit(principal=p, asset_id=w.hosting.pk, memory_limit=256),
        "linux_hosting.set_php_memory_limit",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_apcu": Write(
        lambda p, w: hosting_services.set_apcu(principal=p, asset_id=w.hosting.pk, enabled=True, apcu_size=64),
        "linux_hosting.set_apcu",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_gzip_compression": Write(
        lambda p, w: hosting_services.set_gzip_compression(principal=p, asset_id=w.hosting.pk, enabled=False),
        "linux_hosting.set_gzip",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.add_subsite": Write(
        lambda p, w: hosting_services.add_subsite(
            principal=p, asset_id=w.hosting.pk, domain_name=f"news.{w.account.identifier}"
        ),
        "linux_hosting.add_subsite",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.delete_subsite": Write(
        lambda p, w: hosting_services.delete_subsite(principal=p, asset_id=w.hosting.pk, site_name=w.subsite),
        "linux_hosting.delete_subsite",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.add_host_header": Write(
        lambda p, w: hosting_services.add_host_header(
            principal=p, asset_id=w.hosting.pk, site_name=w.hosting.name, domain_name=f"alias.{w.account.identifier}"
        ),
        "linux_hosting.add_host_header",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.delete_host_header": Write(
        lambda p, w: hosting_services.delete_host_header(
            principal=p, asset_id=w.hosting.pk, site_name=w.hosting.name, domain_name=f"www.{w.hosting.name}"
        ),
        "linux_hosting.delete_host_header",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_http2": Write(
        lambda p, w: hosting_services.set_http2(
            principal=p, asset_id=w.hosting.pk, site_name=w.hosting.name, enabled=False
        ),
        "linux_hosting.set_http2",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_ftp_enabled": Write(
        lambda p, w: hosting_services.set_ftp_enabled(principal=p, asset_id=w.hosting.pk, enabled=False),
        "linux_hosting.set_ftp",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.set_ssh_enabled": Write(
        lambda p, w: hosting_services.set_ssh_enabled(principal=p, asset_id=w.hosting.pk, enabled=True),
        "linux_hosting.set_ssh",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.add_ssh_key": Write(
        lambda p, w: hosting_services.add_ssh_key(principal=p, asset_id=w.hosting.pk, public_key=ssh_public_key()),
        "linux_hosting.add_ssh_key",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.delete_ssh_key": Write(
        lambda p, w: hosting_services.delete_ssh_key(principal=p, asset_id=w.hosting.pk, fingerprint=w.ssh_fingerprint),
        "linux_hosting.delete_ssh_key",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.add_scheduled_task": Write(
        lambda p, w: hosting_services.add_scheduled_task(
            principal=p,
            asset_id=w.hosting.pk,
            enabled=True,
            cron_expression="0 3 * * *",
            script_location="/scripts/nightly.sh",
        ),
        "linux_hosting.add_scheduled_task",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.update_scheduled_task": Write(
        lambda p, w: hosting_services.update_scheduled_task(
            principal=p,
            asset_id=w.hosting.pk,
            task_id=w.task_id,
            enabled=False,
            cron_expression="0 4 * * 7",
            script_location="/scripts/b.sh",
        ),
        "linux_hosting.update_scheduled_task",
        first,
        Level.WRITE,
    ),
    "apps.assets.hosting_services.delete_scheduled_task": Write(
        lambda p, w: hosting_services.delete_scheduled_task(principal=p, asset_id=w.hosting.pk, task_id=w.task_id),
        "linux_hosting.delete_scheduled_task",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.create_catch_all": Write(
        lambda p, w: mail.create_catch_all(
            principal=p, domain_name=w.account.identifier, email_address="catch@elsewhere.example"
        ),
        "mail_zone.create_catch_all",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.delete_catch_all": Write(
        lambda p, w: mail.delete_catch_all(
            principal=p, domain_name=w.account.identifier, email_address=w.mail_zone.catch_all[0]
        ),
        "mail_zone.delete_catch_all",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.set_anti_spam": Write(
        lambda p, w: mail.set_anti_spam(principal=p, domain_name=w.account.identifier, anti_spam="advanced"),
        "mail_zone.set_anti_spam",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.create_alias": Write(
        lambda p, w: mail.create_alias(
            principal=p,
            domain_name=w.account.identifier,
            email_address=f"office@{w.account.identifier}",
            destinations=["boss@elsewhere.example"],
        ),
        "mail_alias.create",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.update_alias": Write(
        lambda p, w: mail.update_alias(
            principal=p,
            domain_name=w.account.identifier,
            email_address=w.alias.email_address,
            destinations=["boss@elsewhere.example"],
        ),
        "mail_alias.update",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.delete_alias": Write(
        lambda p, w: mail.delete_alias(
            principal=p, domain_name=w.account.identifier, email_address=w.alias.email_address
        ),
        "mail_alias.delete",
        lambda result, w: w.alias,
        Level.WRITE,
    ),
    "apps.mail.services.create_smtp_domain": Write(
        lambda p, w: mail.create_smtp_domain(
            principal=p, domain_name=w.account.identifier, hostname="alpha-more.example"
        ),
        "smtp_domain.create",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.update_smtp_domain": Write(
        lambda p, w: mail.update_smtp_domain(
            principal=p, domain_name=w.account.identifier, hostname=w.smtp_domain.hostname, enabled=False
        ),
        "smtp_domain.update",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.delete_smtp_domain": Write(
        lambda p, w: mail.delete_smtp_domain(
            principal=p, domain_name=w.account.identifier, hostname=w.smtp_domain.hostname
        ),
        "smtp_domain.delete",
        lambda result, w: w.smtp_domain,
        Level.WRITE,
    ),
    "apps.mail.services.set_auto_reply": Write(
        lambda p, w: mail.set_auto_reply(
            principal=p, asset_id=w.mailbox.pk, enabled=True, subject="Away", message="Back on Monday."
        ),
        "mailbox.set_auto_reply",
        first,
        Level.WRITE,
    ),
    "apps.mail.services.set_auto_forward": Write(
        lambda p, w: mail.set_auto_forward(
            principal=p, asset_id=w.mailbox.pk, enabled=True, email_addresses=["me@elsewhere.example"]
        ),
        "mailbox.set_auto_forward",
        first,
        Level.WRITE,
    ),
    "apps.dns.services.create_record": Write(
        lambda p, w: dns.create_record(
            principal=p, domain_name=w.zone.name, data={"type": "A", "record_name": "shop", "content": "192.0.2.7"}
        ),
        "dns_record.create",
        first,
        Level.WRITE,
    ),
    "apps.dns.services.update_record": Write(
        lambda p, w: dns.update_record(
            principal=p, domain_name=w.zone.name, record_id=w.dns_record.pk, data={"content": "v=spf1 -all"}
        ),
        "dns_record.update",
        first,
        Level.WRITE,
    ),
    "apps.dns.services.delete_record": Write(
        lambda p, w: dns.delete_record(principal=p, domain_name=w.zone.name, record_id=w.dns_record.pk),
        "dns_record.delete",
        lambda result, w: w.dns_record,
        Level.WRITE,
    ),
    "apps.certificates.services.create_certificate_request": Write(
        lambda p, w: certificates.create_certificate_request(principal=p, csr=csr_for(f"www.{w.account.identifier}")),
        "ssl_request.create",
        first,
        Level.WRITE,
    ),
    "apps.certificates.services.verify_certificate_request": Write(
        lambda p, w: certificates.verify_certificate_request(principal=p, request_id=w.cert_request.pk),
        "ssl_request.verify",
        first,
        Level.WRITE,
    ),
    "apps.certificates.services.set_letsencrypt": Write(
        lambda p, w: certificates.set_letsencrypt(
            principal=p, domain_name=w.hosting.name, hostname=w.hosting.name, enabled=False
        ),
        "linux_hosting.set_letsencrypt",
        first,
        Level.WRITE,
    ),
    "apps.certificates.services.set_https_redirect": Write(
        lambda p, w: certificates.set_https_redirect(
            principal=p, domain_name=w.hosting.name, hostname=w.hosting.name, enabled=True
        ),
        "linux_hosting.set_https_redirect",
        first,
        Level.WRITE,
    ),
    "apps.domains.services.register_domain": Write(
        lambda p, w: domains.register_domain(principal=p, domain_name="fresh.example", registrant=REGISTRANT),
        "domain.register",
        first,
        Level.WRITE,
    ),
    "apps.domains.services.transfer_domain": Write(
        lambda p, w: domains.transfer_domain(
            principal=p, domain_name="moving.example", auth_code="abc-123", registrant=REGISTRANT
        ),
        "domain.transfer",
        first,
        Level.WRITE,
    ),
    "apps.domains.services.set_domain_name_servers": Write(
        lambda p, w: domains.set_domain_name_servers(
            principal=p, domain_name=w.domain.domain_name, name_servers=["ns1.example.net", "ns2.example.net"]
        ),
        "domain.set_name_servers",
        first,
        Level.WRITE,
    ),
    "apps.domains.services.set_domain_renewal": Write(
        lambda p, w: domains.set_domain_renewal(principal=p, domain_name=w.domain.domain_name, will_renew=False),
        "domain.set_renewal",
        first,
        Level.WRITE,
    ),
    "apps.provisioning.services.retry_job": Write(
        lambda p, w: provisioning.retry_job(principal=p, job_id=w.failed_job.pk),
        "provisioning_job.retry",
        first,
        Level.WRITE,
    ),
    "apps.apikeys.services.create_api_key": Write(
        lambda p, w: apikeys.create_api_key(principal=p, level="write", name="deploy"),
        "api_key.create",
        first,
        Level.FULL,
    ),
    "apps.apikeys.services.revoke_api_key": Write(
        lambda p, w: apikeys.revoke_api_key(principal=p, api_key_id=w.api_key.pk),
        "api_key.revoke",
        first,
        Level.FULL,
    ),
    "apps.apikeys.oauth_services.create_oauth_application": Write(
        lambda p, w: oauth_services.create_oauth_application(
            principal=p,
            name="billing sync",
            client_type="confidential",
            authorization_grant_type="client-credentials",
        ),
        "oauth_application.create",
        first,
        Level.FULL,
    ),
    "apps.apikeys.oauth_services.update_oauth_application": Write(
        lambda p, w: oauth_services.update_oauth_application(
            principal=p,
            application_id=w.oauth_link.application_id,
            name="renamed",
            authorization_grant_type="client-credentials",
        ),
        "oauth_application.update",
        first,
        Level.FULL,
    ),
    "apps.apikeys.oauth_services.delete_oauth_application": Write(
        lambda p, w: oauth_services.delete_oauth_application(principal=p, application_id=w.oauth_link.application_id),
        "oauth_application.delete",
        lambda result, w: Application(pk=w.oauth_link.application_id),  # deleted: only its id is left
        Level.FULL,
    ),
    "apps.ipwhitelist.services.add_whitelist_entry": Write(
        lambda p, w: ipwhitelist.add_whitelist_entry(principal=p, cidr="203.0.113.0/24", description="office"),
        "whitelist_entry.add",
        first,
        Level.FULL,
    ),
    "apps.ipwhitelist.services.remove_whitelist_entry": Write(
        lambda p, w: ipwhitelist.remove_whitelist_entry(principal=p, entry_id=w.entry.pk),
        "whitelist_entry.remove",
        lambda result, w: w.entry,
        Level.FULL,
    ),
    "apps.events.services.ack_event": Write(
        lambda p, w: events.ack_event(principal=p, event_id=w.event.pk),
        "event.ack",
        lambda result, w: w.event,
        Level.WRITE,
    ),
    "apps.events.services.ack_events": Write(
        lambda p, w: events.ack_events(principal=p, event_ids=[w.event.pk, 10**9]),
        "event.ack",
        lambda result, w: w.event,
        Level.WRITE,
    ),
    "apps.events.services.create_webhook": Write(
        lambda p, w: events.create_webhook(
            principal=p, url="https://hooks.example.com/paneel", event_types=["account.*"]
        ),
        "webhook.create",
        first,
        Level.FULL,
    ),
    "apps.events.services.update_webhook": Write(
        lambda p, w: events.update_webhook(
            principal=p, webhook_id=w.webhook.pk, url="https://hooks.example.com/v2", event_types=["*"]
        ),
        "webhook.update",
        first,
        Level.FULL,
    ),
    "apps.events.services.delete_webhook": Write(
        lambda p, w: events.delete_webhook(principal=p, webhook_id=w.webhook.pk),
        "webhook.delete",
        lambda result, w: w.webhook,
        Level.FULL,
    ),
    "apps.events.services.replay_delivery": Write(
        lambda p, w: events.replay_delivery(principal=p, delivery_id=w.delivery.pk),
        "webhook_delivery.replay",
        first,
        Level.FULL,
    ),
    "apps.resellers.services.add_member": Write(
        lambda p, w: resellers.add_member(principal=p, email=w.outsider.email, level="read"),
        "member.add",
        first,
        Level.FULL,
    ),
    "apps.resellers.services.change_member_level": Write(
        lambda p, w: resellers.change_member_level(principal=p, membership_id=w.membership.pk, level="full"),
        "member.change_level",
        first,
        Level.FULL,
    ),
    "apps.resellers.services.remove_member": Write(
        lambda p, w: resellers.remove_member(principal=p, membership_id=w.membership.pk),
        "member.remove",
        lambda result, w: w.membership,
        Level.FULL,
    ),
    "apps.resellers.services.set_two_factor_requirement": Write(
        lambda p, w: resellers.set_two_factor_requirement(principal=p, required=True),
        "reseller.require_two_factor",
        first,
        Level.FULL,
    ),
}


def last_audit_id() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def assert_audited_once(principal: Principal, since: int, action: str, target, extra_secrets=()) -> AuditEvent:
    """Exactly one new AuditEvent, naming the principal as actor, with no secret or hash anywhere in it."""
    events = list(AuditEvent.objects.filter(pk__gt=since))
    assert len(events) == 1, [str(e) for e in events]
    event = events[0]
    assert event.action == action
    assert (event.object_type, event.object_id) == (target._meta.model_name, str(target.pk))
    assert event.reseller_id == principal.reseller_id
    assert event.via == principal.via
    assert (event.actor_kind, event.actor_id, event.actor_repr) == (
        principal.actor_kind,
        principal.actor_id,
        principal.actor_repr,
    )
    assert event.actor_user_id == principal.user.pk
    assert (event.ip, event.request_id) == (principal.ip, principal.request_id)
    row = json.dumps(AuditEvent.objects.filter(pk=event.pk).values().get(), cls=DjangoJSONEncoder)
    for secret in (*CLEAR_PASSWORDS, *extra_secrets):
        assert secret not in row
    for pattern in HASH_PATTERNS:
        assert not pattern.search(row), row
    return event


def services_modules() -> list:
    """The modules `services` and `*_services` of every app of `apps.*`."""
    return [
        importlib.import_module(f"{app_config.name}.{info.name}")
        for app_config in django_apps.get_app_configs()
        if app_config.name.startswith("apps.")
        for info in pkgutil.iter_modules([app_config.path])
        if info.name == "services" or info.name.endswith("_services")
    ]


def write_services() -> dict[str, Callable]:
    """Every service of a services module (a public function with a keyword-only `principal`), by dotted name."""
    found = {}
    for module in services_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            parameter = inspect.signature(function).parameters.get("principal")
            if parameter is not None and parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                found[f"{module.__name__}.{name}"] = function
    return found


def test_every_write_service_is_in_the_level_and_audit_matrix():
    found = set(write_services())
    assert found, "no services found: has the layout changed?"
    assert found - set(WRITES) == set(), "write services missing from WRITES (level and audit tests)"
    assert set(WRITES) - found == set(), "WRITES names services that no longer exist"


@pytest.mark.parametrize("service", sorted(WRITES))
def test_read_principal_cannot_call_any_write_service(service, world, read_a):
    before = tenant_rows()
    with pytest.raises(InsufficientLevel) as caught:
        WRITES[service].call(read_a, world)
    assert (caught.value.code, caught.value.status) == ("insufficient_level", 403)
    assert tenant_rows() == before


FULL_ONLY = sorted(name for name, write in WRITES.items() if write.level == Level.FULL)
WRITE_LEVEL = sorted(name for name, write in WRITES.items() if write.level == Level.WRITE)


def test_full_only_services_are_api_access_and_members():
    assert {name.rpartition(".")[2] for name in FULL_ONLY} == {
        "create_api_key",
        "revoke_api_key",
        "add_whitelist_entry",
        "remove_whitelist_entry",
        "add_member",
        "change_member_level",
        "remove_member",
        "create_oauth_application",
        "update_oauth_application",
        "delete_oauth_application",
        "set_two_factor_requirement",
        "create_webhook",
        "update_webhook",
        "delete_webhook",
        "replay_delivery",
    }


@pytest.mark.parametrize("service", FULL_ONLY)
def test_write_principal_cannot_manage_api_access_or_members(service, world, write_a):
    before = tenant_rows()
    with pytest.raises(InsufficientLevel) as caught:
        WRITES[service].call(write_a, world)
    assert (caught.value.code, caught.value.status) == ("insufficient_level", 403)
    assert tenant_rows() == before


def _call_and_check_audit(service: str, principal: Principal, world: SimpleNamespace) -> None:
    write = WRITES[service]
    since = last_audit_id()
    result = write.call(principal, world)
    extra = (result[1],) if service.endswith(("create_api_key", "create_oauth_application")) else ()
    assert_audited_once(principal, since, write.action, write.target(result, world), extra_secrets=extra)


@pytest.mark.parametrize("service", WRITE_LEVEL)
def test_write_principal_may_change_accounts_assets_and_jobs_and_is_audited_once(service, world, write_a):
    _call_and_check_audit(service, write_a, world)


@pytest.mark.parametrize("service", sorted(WRITES))
def test_full_principal_may_call_every_write_service_and_is_audited_once(service, world, full_a):
    _call_and_check_audit(service, full_a, world)


def test_audit_diff_lists_only_changed_fields():
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": 4}) == {"b": [2, 3], "c": [None, 4]}
