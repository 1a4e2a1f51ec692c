"""Writes on mail zones (catch-all, anti-spam, aliases, SMTP domains) and on a mailbox's auto-reply and
auto-forward. Each service checks the level, validates, locks the account, writes one audit event and records
the job that applies the change on the account's mail server.

A zone's job (`mail_zone.update`) reads the zone as it is when it runs and rewrites the server's files from it,
so jobs on one zone need no ordering: the last one to run writes the latest state.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import IntegrityError, transaction

from apps.accounts.domains import normalize_domain
from apps.accounts.models import Account, Status
from apps.accounts.selectors import lock_account
from apps.assets.models import Asset
from apps.core import audit
from apps.core.errors import Duplicate, FieldProblem, InvalidState, NotFound, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.mail.models import AntiSpam, MailAlias, MailZone, SmtpDomain
from apps.provisioning.jobs import record_job
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.models import AssetType

LOCAL_PART = re.compile(r"^[a-z0-9](?:[a-z0-9._+-]{0,62}[a-z0-9])?$")
MAX_DESTINATIONS = 20
MAX_SUBJECT = 200
MAX_MESSAGE = 4000


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


def checked_email(value: Any, field: str) -> str:
    """An e-mail address, lowercased, with a plain local part and a valid domain (IDNA A-label form)."""
    if not isinstance(value, str) or value.count("@") != 1:
        raise invalid(field, "An e-mail address such as info@example.com is required.")
    local, _, domain = value.strip().lower().partition("@")
    if not LOCAL_PART.match(local) or ".." in local:
        raise invalid(field, "The part before @ may hold letters, digits and . _ + - (not at the ends).")
    return f"{local}@{normalize_domain(domain, field=field)}"


def checked_emails(value: Any, field: str, *, at_least: int = 1) -> list[str]:
    """A list of distinct e-mail addresses (order kept), between `at_least` and MAX_DESTINATIONS of them."""
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise invalid(field, "A list of e-mail addresses is required.")
    addresses = list(dict.fromkeys(checked_email(item, field) for item in value))
    if len(addresses) < at_least:
        raise invalid(field, f"At least {at_least} e-mail address is required.")
    if len(addresses) > MAX_DESTINATIONS:
        raise invalid(field, f"At most {MAX_DESTINATIONS} e-mail addresses.")
    return addresses


def checked_bool(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise invalid(field, "Must be true or false.")
    return value


# --- Finding a zone


def zone_account(principal: Principal, domain_name: Any) -> Account:
    """The principal's account whose domain is `domain_name` and whose pack holds mailboxes, else NotFound."""
    name = domain_name.strip().lower() if isinstance(domain_name, str) else ""
    account = (
        Account.objects.for_principal(principal)
        .filter(identifier=name, servicepack__items__asset_type=AssetType.MAILBOX)
        .select_related("servicepack", "mail_server")
        .first()
    )
    if account is None:
        raise NotFound(f"Mail zone {str(domain_name)[:253]} not found.")
    return account


def _locked_zone(principal: Principal, domain_name: Any) -> MailZone:
    """The zone of the principal's account `domain_name` (created with its defaults if it has no row yet), with
    the account row locked, so that changes on one zone and its mailboxes are checked one at a time."""
    account = lock_account(principal, zone_account(principal, domain_name).pk)
    if account.status not in (Status.ACTIVE, Status.SUSPENDED):
        raise InvalidState(f"Account {account} is {account.status}; its mail zone can change once it has ended.")
    zone, _ = MailZone.objects.get_or_create(
        account=account, defaults={"reseller_id": account.reseller_id, "name": account.identifier}
    )
    return zone


def _apply(principal: Principal, zone: MailZone) -> ProvisioningJob:
    zone.save(update_fields=["updated_at"])
    return record_job(principal=principal, action="mail_zone.update", target=zone)


def _address_taken(address: str, *, but: MailAlias | None = None) -> bool:
    aliases = MailAlias.objects.filter(email_address=address)
    if but is not None:
        aliases = aliases.exclude(pk=but.pk)
    return aliases.exists() or Asset.objects.filter(asset_type=AssetType.MAILBOX, name=address).exists()


# --- Catch-all


def create_catch_all(*, principal: Principal, domain_name: str, email_address: str) -> tuple[MailZone, ProvisioningJob]:
    """Add an address that gets the zone's mail for addresses that are neither a mailbox nor an alias."""
    require_level(principal, Level.WRITE)
    address = checked_email(email_address, "email_address")
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        if address in zone.catch_all:
            raise Duplicate(f"{address} is already a catch-all address of {zone.name}.", field="email_address")
        if len(zone.catch_all) >= MAX_DESTINATIONS:
            raise invalid("email_address", f"A zone has at most {MAX_DESTINATIONS} catch-all addresses.")
        zone.catch_all = [*zone.catch_all, address]
        zone.save(update_fields=["catch_all", "updated_at"])
        audit.record(principal, "mail_zone.create_catch_all", zone, {"catch_all": address})
        return zone, _apply(principal, zone)


def delete_catch_all(*, principal: Principal, domain_name: str, email_address: str) -> tuple[MailZone, ProvisioningJob]:
    """Remove one catch-all address of the zone."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        address = email_address.strip().lower() if isinstance(email_address, str) else ""
        if address not in zone.catch_all:
            raise NotFound(f"{str(email_address)[:254]} is not a catch-all address of {zone.name}.")
        zone.catch_all = [current for current in zone.catch_all if current != address]
        zone.save(update_fields=["catch_all", "updated_at"])
        audit.record(principal, "mail_zone.delete_catch_all", zone, {"catch_all": address})
        return zone, _apply(principal, zone)


# --- Anti-spam


def set_anti_spam(*, principal: Principal, domain_name: str, anti_spam: str) -> tuple[MailZone, ProvisioningJob]:
    """Choose how the zone's incoming mail is checked for spam: none, basic (marked) or advanced (to Junk)."""
    require_level(principal, Level.WRITE)
    if anti_spam not in AntiSpam.values:
        raise invalid("type", f"Choose one of {', '.join(AntiSpam.values)}.")
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        changes = audit.diff({"anti_spam": zone.anti_spam}, {"anti_spam": anti_spam})
        zone.anti_spam = anti_spam
        zone.save(update_fields=["anti_spam", "updated_at"])
        audit.record(principal, "mail_zone.set_anti_spam", zone, changes)
        return zone, _apply(principal, zone)


# --- Aliases


def _alias_address(zone: MailZone, email_address: Any) -> str:
    address = checked_email(email_address, "email_address")
    if address.rpartition("@")[2] != zone.name:
        raise invalid("email_address", f"An alias must be an address of {zone.name}.")
    return address


def create_alias(
    *, principal: Principal, domain_name: str, email_address: str, destinations: list[str]
) -> tuple[MailAlias, ProvisioningJob]:
    """Add an alias: an address of the zone's domain whose mail goes to each of `destinations`."""
    require_level(principal, Level.WRITE)
    targets = checked_emails(destinations, "destinations")
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        address = _alias_address(zone, email_address)
        if address in targets:
            raise invalid("destinations", "An alias cannot forward to itself.")
        if _address_taken(address):
            raise Duplicate(f"{address} is already a mailbox or an alias.", field="email_address")
        try:
            with transaction.atomic():
                alias = MailAlias.objects.create(
                    reseller_id=zone.reseller_id, zone=zone, email_address=address, destinations=targets
                )
        except IntegrityError:
            raise Duplicate(f"{address} is already an alias.", field="email_address") from None
        audit.record(principal, "mail_alias.create", alias, {"email_address": address, "destinations": targets})
        return alias, _apply(principal, zone)


def _zone_alias(zone: MailZone, email_address: Any) -> MailAlias:
    address = email_address.strip().lower() if isinstance(email_address, str) else ""
    alias = zone.aliases.filter(email_address=address).first()
    if alias is None:
        raise NotFound(f"Alias {str(email_address)[:254]} not found on {zone.name}.")
    return alias


def update_alias(
    *, principal: Principal, domain_name: str, email_address: str, destinations: list[str]
) -> tuple[MailAlias, ProvisioningJob]:
    """Replace an alias's destinations."""
    require_level(principal, Level.WRITE)
    targets = checked_emails(destinations, "destinations")
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        alias = _zone_alias(zone, email_address)
        if alias.email_address in targets:
            raise invalid("destinations", "An alias cannot forward to itself.")
        changes = audit.diff({"destinations": alias.destinations}, {"destinations": targets})
        alias.destinations = targets
        alias.save(update_fields=["destinations"])
        audit.record(principal, "mail_alias.update", alias, changes)
        return alias, _apply(principal, zone)


def delete_alias(*, principal: Principal, domain_name: str, email_address: str) -> tuple[MailZone, ProvisioningJob]:
    """Remove an alias; its address then gets the catch-all's handling (or is unknown)."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        alias = _zone_alias(zone, email_address)
        audit.record(principal, "mail_alias.delete", alias, {"email_address": alias.email_address})
        alias.delete()
        return zone, _apply(principal, zone)


# --- Extra SMTP domains


def create_smtp_domain(*, principal: Principal, domain_name: str, hostname: str) -> tuple[SmtpDomain, ProvisioningJob]:
    """Add a domain whose mail goes to the same local part of the zone's domain (info@extra -> info@zone)."""
    require_level(principal, Level.WRITE)
    host = normalize_domain(hostname, field="hostname")
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        if host == zone.name or Account.objects.filter(identifier=host).exists():
            raise Duplicate(f"{host} is an account's own domain.", field="hostname")
        if SmtpDomain.objects.filter(hostname=host).exists():
            raise Duplicate(f"{host} is already an SMTP domain.", field="hostname")
        try:
            with transaction.atomic():
                smtp_domain = SmtpDomain.objects.create(reseller_id=zone.reseller_id, zone=zone, hostname=host)
        except IntegrityError:
            raise Duplicate(f"{host} is already an SMTP domain.", field="hostname") from None
        audit.record(principal, "smtp_domain.create", smtp_domain, {"hostname": host})
        return smtp_domain, _apply(principal, zone)


def _zone_smtp_domain(zone: MailZone, hostname: Any) -> SmtpDomain:
    host = hostname.strip().rstrip(".").lower() if isinstance(hostname, str) else ""
    smtp_domain = zone.smtp_domains.filter(hostname=host).first()
    if smtp_domain is None:
        raise NotFound(f"SMTP domain {str(hostname)[:253]} not found on {zone.name}.")
    return smtp_domain


def update_smtp_domain(
    *, principal: Principal, domain_name: str, hostname: str, enabled: bool
) -> tuple[SmtpDomain, ProvisioningJob]:
    """Enable or disable an extra SMTP domain (disabled: its mail is refused as for an unknown domain)."""
    require_level(principal, Level.WRITE)
    enabled = checked_bool(enabled, "enabled")
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        smtp_domain = _zone_smtp_domain(zone, hostname)
        changes = audit.diff({"enabled": smtp_domain.enabled}, {"enabled": enabled})
        smtp_domain.enabled = enabled
        smtp_domain.save(update_fields=["enabled"])
        audit.record(principal, "smtp_domain.update", smtp_domain, changes)
        return smtp_domain, _apply(principal, zone)


def delete_smtp_domain(*, principal: Principal, domain_name: str, hostname: str) -> tuple[MailZone, ProvisioningJob]:
    """Remove an extra SMTP domain."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        zone = _locked_zone(principal, domain_name)
        smtp_domain = _zone_smtp_domain(zone, hostname)
        audit.record(principal, "smtp_domain.delete", smtp_domain, {"hostname": smtp_domain.hostname})
        smtp_domain.delete()
        return zone, _apply(principal, zone)


# --- A mailbox's auto-reply and auto-forward (kept in the mailbox asset's details, applied as its Sieve script)


def _locked_mailbox(principal: Principal, asset_id: int) -> Asset:
    found = Asset.objects.only("account_id", "asset_type").get_for_principal(principal, pk=asset_id)
    if found.asset_type != AssetType.MAILBOX:
        raise NotFound("Mailbox not found.")
    account = lock_account(principal, found.account_id)
    asset = account.assets.get(pk=asset_id)
    # A change while a job on the mailbox runs is queued behind it (jobs on one target run in order); only a
    # mailbox on its way out takes no more changes.
    if asset.status == Status.DELETING:
        raise InvalidState(f"{asset} is being deleted.")
    return asset


def _checked_date(value: Any, field: str) -> str | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise invalid(field, "A date such as 2026-07-01 is required.") from None


def set_auto_reply(
    *,
    principal: Principal,
    asset_id: int,
    enabled: bool,
    subject: str = "",
    message: str = "",
    start_date: str | datetime.date | None = None,
    end_date: str | datetime.date | None = None,
) -> tuple[Asset, ProvisioningJob]:
    """Turn a mailbox's auto-reply (Sieve vacation: one answer per sender a day) on or off.

    `start_date`/`end_date` (Paneel's addition, optional, inclusive) limit the days it answers.
    """
    require_level(principal, Level.WRITE)
    enabled = checked_bool(enabled, "enabled")
    subject = subject if isinstance(subject, str) else None
    message = message if isinstance(message, str) else None
    if subject is None or "\r" in subject or "\n" in subject or len(subject) > MAX_SUBJECT:
        raise invalid("subject", f"One line of at most {MAX_SUBJECT} characters.")
    if message is None or len(message) > MAX_MESSAGE:
        raise invalid("message", f"At most {MAX_MESSAGE} characters.")
    if enabled and not message.strip():
        raise invalid("message", "An auto-reply needs a message.")
    start, end = _checked_date(start_date, "start_date"), _checked_date(end_date, "end_date")
    if start and end and end < start:
        raise invalid("end_date", "The end date comes before the start date.")
    reply = {"enabled": enabled, "subject": subject.strip(), "message": message, "start_date": start, "end_date": end}
    with transaction.atomic():
        asset = _locked_mailbox(principal, asset_id)
        before = asset.details.get("auto_reply") or {}
        asset.details = {**asset.details, "auto_reply": reply}
        asset.save(update_fields=["details", "updated_at"])
        audit.record(principal, "mailbox.set_auto_reply", asset, audit.diff(before, reply))
        return asset, record_job(principal=principal, action="mailbox.update", target=asset)


def set_auto_forward(
    *, principal: Principal, asset_id: int, enabled: bool, email_addresses: list[str], copy_to_myself: bool = False
) -> tuple[Asset, ProvisioningJob]:
    """Forward a mailbox's incoming mail to other addresses, keeping a copy in the mailbox when asked."""
    require_level(principal, Level.WRITE)
    enabled = checked_bool(enabled, "enabled")
    copy = checked_bool(copy_to_myself, "copy_to_myself")
    addresses = checked_emails(email_addresses, "email_addresses", at_least=1 if enabled else 0)
    with transaction.atomic():
        asset = _locked_mailbox(principal, asset_id)
        if asset.name in addresses:
            raise invalid("email_addresses", "A mailbox cannot forward to itself.")
        forward = {"enabled": enabled, "email_addresses": addresses, "copy_to_myself": copy}
        before = asset.details.get("auto_forward") or {}
        asset.details = {**asset.details, "auto_forward": forward}
        asset.save(update_fields=["details", "updated_at"])
        audit.record(principal, "mailbox.set_auto_forward", asset, audit.diff(before, forward))
        return asset, record_job(principal=principal, action="mailbox.update", target=asset)
