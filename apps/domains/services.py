"""Writes on domains (the reference's domain routes): each validates, records a `DomainOrder`, audits once and
queues the job that hands the order to the registrar driver."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.accounts.domains import normalize_domain
from apps.core import audit, crypto
from apps.core.errors import Duplicate, FieldProblem, InvalidState, NotFound, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.dns.records import host_name
from apps.domains.models import Domain, DomainOrder, DomainStatus, Operation, OrderState
from apps.provisioning.jobs import record_job
from apps.provisioning.models import ProvisioningJob

REGISTRANT_FIELDS = (
    "first_name", "last_name", "address", "postal_code", "city", "country_code", "email", "fax", "phone",
    "language_code", "company_name", "enterprise_number",
)  # fmt: skip
REGISTRANT_REQUIRED = ("first_name", "last_name", "address", "postal_code", "city", "country_code", "email")
# The registry's telephone syntax (EPP, RFC 5733): +<country code>.<number>.
PHONE = re.compile(r"^\+[0-9]{1,3}\.[0-9]{4,14}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
ENTERPRISE_NUMBER = re.compile(r"^[A-Z]{2}[0-9A-Z]{2,18}$")
EXTRA_FIELD_NAMES = ("CompanyNumber", "PassportNumber", "CodiceFiscal")


def required_extra_fields(tld: str, *, company: bool, country_code: str) -> set[str]:
    """The extra fields a registry asks of a registrant, as the reference's RegistrantInput lists them."""
    if tld in ("dk", "fr") and company:
        return {"CompanyNumber"}
    if tld in ("es", "nu", "se"):
        return {"CompanyNumber" if company else "PassportNumber"}
    if tld == "it" and not company:
        return {"CodiceFiscal" if country_code == "IT" else "PassportNumber"}
    return set()


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


def clean_name_servers(values, *, default: bool) -> list[str]:
    if not values:
        if default:
            return list(settings.PANEEL_DNS_NAMESERVERS)
        raise invalid("name_servers", "At least two name servers.")
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise invalid("name_servers", "A list of host names.")
    names = []
    for value in values:
        try:
            name = host_name(value, "name_servers")
        except ValidationFailed:
            raise invalid("name_servers", f"'{value}' is not a host name.") from None
        if name not in names:
            names.append(name)
    if not 2 <= len(names) <= 13:
        raise invalid("name_servers", "Between 2 and 13 name servers.")
    return names


def clean_extra_fields(value, *, domain_name: str, company: bool, country_code: str) -> list[dict]:
    if value in (None, ""):
        value = []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid("registrant.extra_fields", "A list of {name, value} objects.")
    fields: dict[str, str] = {}
    for item in value:
        name, text = item.get("name"), item.get("value")
        if name not in EXTRA_FIELD_NAMES:
            raise invalid("registrant.extra_fields", f"The name is one of {', '.join(EXTRA_FIELD_NAMES)}.")
        if not isinstance(text, str) or not 1 <= len(text.strip()) <= 100 or not text.strip().isprintable():
            raise invalid("registrant.extra_fields", f"{name}: at most 100 printable characters.")
        fields[name] = text.strip()
    tld = domain_name.rpartition(".")[2]
    missing = sorted(required_extra_fields(tld, company=company, country_code=country_code) - set(fields))
    if missing:
        kind = "a company" if company else "an individual"
        raise invalid("registrant.extra_fields", f".{tld} asks {kind} for {', '.join(missing)}.")
    return [{"name": name, "value": text} for name, text in fields.items()]


def clean_registrant(value, *, domain_name: str) -> dict:
    """The reference's RegistrantInput, validated and normalized, for a registration or transfer of
    `domain_name` (whose registry may ask for extra fields)."""
    if not isinstance(value, dict):
        raise invalid("registrant", "The registrant's contact details are required.")
    registrant = {}
    for key in REGISTRANT_FIELDS:
        if value.get(key) in (None, ""):
            continue
        if not isinstance(value[key], str):
            raise invalid(f"registrant.{key}", "A string.")
        text = value[key].strip()
        if len(text) > 200 or not text.isprintable():
            raise invalid(f"registrant.{key}", "At most 200 printable characters.")
        if text:
            registrant[key] = text
    for key in REGISTRANT_REQUIRED:
        if not registrant.get(key):
            raise invalid(f"registrant.{key}", "Required.")
    if len(registrant["country_code"]) != 2 or not registrant["country_code"].isalpha():
        raise invalid("registrant.country_code", "An ISO 3166-1 alpha-2 code, e.g. BE.")
    registrant["country_code"] = registrant["country_code"].upper()
    try:
        validate_email(registrant["email"])
    except DjangoValidationError:
        raise invalid("registrant.email", "An e-mail address.") from None
    for key in ("phone", "fax"):
        if key in registrant:
            registrant[key] = registrant[key].replace(" ", "")
            if not PHONE.match(registrant[key]):
                raise invalid(f"registrant.{key}", "+<country code>.<number>, e.g. +32.123456789.")
    if "language_code" in registrant:
        registrant["language_code"] = registrant["language_code"].lower()
        if not LANGUAGE.match(registrant["language_code"]):
            raise invalid("registrant.language_code", "A two-letter ISO 639-1 code, e.g. nl, fr, en, de.")
    if "enterprise_number" in registrant:
        registrant["enterprise_number"] = re.sub(r"[\s.]", "", registrant["enterprise_number"]).upper()
        if not ENTERPRISE_NUMBER.match(registrant["enterprise_number"]):
            raise invalid("registrant.enterprise_number", "A country code and the number, e.g. BE0123456789.")
    extra = clean_extra_fields(
        value.get("extra_fields"),
        domain_name=domain_name,
        company=bool(registrant.get("company_name")),
        country_code=registrant["country_code"],
    )
    if extra:
        registrant["extra_fields"] = extra
    return registrant


def order(principal: Principal, domain: Domain, operation: str, payload: dict, **fields) -> ProvisioningJob:
    made = DomainOrder.objects.create(domain=domain, operation=operation, payload=payload, **fields)
    return record_job(principal=principal, action=f"domain.{operation}", target=made)


def new_domain(principal: Principal, domain_name: str, status: str, name_servers: list[str], registrant: dict):
    name = normalize_domain(domain_name, field="domain_name")
    existing = Domain.objects.select_for_update().filter(domain_name=name).first()
    if existing is not None:
        if existing.status != DomainStatus.REFUSED or existing.reseller_id != principal.reseller_id:
            raise Duplicate(f"{name} is already registered here.", field="domain_name")
        existing.status, existing.name_servers, existing.registrant = status, name_servers, registrant
        existing.save()
        return existing
    return Domain.objects.create(
        reseller=principal.reseller, domain_name=name, status=status, name_servers=name_servers, registrant=registrant
    )


@transaction.atomic
def register_domain(
    *, principal: Principal, domain_name: str, registrant: dict, name_servers: list[str] | None = None
) -> tuple[Domain, ProvisioningJob]:
    """Order the registration of `domain_name`; the job ends when the registrar has done it (or refused)."""
    require_level(principal, Level.WRITE)
    name = normalize_domain(domain_name, field="domain_name")
    servers = clean_name_servers(name_servers, default=True)
    contact = clean_registrant(registrant, domain_name=name)
    domain = new_domain(principal, name, DomainStatus.REGISTERING, servers, contact)
    job = order(principal, domain, Operation.REGISTER, {"name_servers": servers, "registrant": contact})
    audit.record(principal, "domain.register", domain, {"name_servers": servers})
    return domain, job


@transaction.atomic
def transfer_domain(
    *,
    principal: Principal,
    domain_name: str,
    auth_code: str,
    registrant: dict,
    name_servers: list[str] | None = None,
) -> tuple[Domain, ProvisioningJob]:
    """Order the transfer of `domain_name` to Paneel's registrar with its authorization code (kept encrypted)."""
    require_level(principal, Level.WRITE)
    if not isinstance(auth_code, str) or not 1 <= len(auth_code.strip()) <= 255:
        raise invalid("auth_code", "The authorization code from the current registrar is required.")
    name = normalize_domain(domain_name, field="domain_name")
    servers = clean_name_servers(name_servers, default=True)
    contact = clean_registrant(registrant, domain_name=name)
    domain = new_domain(principal, name, DomainStatus.TRANSFERRING, servers, contact)
    job = order(
        principal,
        domain,
        Operation.TRANSFER,
        {"name_servers": servers, "registrant": contact},
        auth_code_encrypted=crypto.encrypt(auth_code.strip()),
    )
    audit.record(principal, "domain.transfer", domain, {"name_servers": servers})
    return domain, job


def lock_active_domain(principal: Principal, domain_name: str) -> Domain:
    domain = (
        Domain.objects.for_principal(principal)
        .select_for_update()
        .filter(domain_name=str(domain_name).strip().lower().rstrip("."))
        .first()
    )
    if domain is None:
        raise NotFound(f"Domain {domain_name} not found.")
    if domain.status != DomainStatus.ACTIVE:
        raise InvalidState(f"{domain} is {domain.get_status_display().lower()}; wait until it is active.")
    if domain.orders.filter(state=OrderState.WAITING).exists():
        raise InvalidState(f"An order on {domain} is still with the registrar.")
    return domain


@transaction.atomic
def set_domain_name_servers(*, principal: Principal, domain_name: str, name_servers: list[str]) -> Domain:
    """Ask the registrar to delegate the domain to other name servers."""
    require_level(principal, Level.WRITE)
    domain = lock_active_domain(principal, domain_name)
    servers = clean_name_servers(name_servers, default=False)
    order(principal, domain, Operation.NAME_SERVERS, {"name_servers": servers})
    audit.record(principal, "domain.set_name_servers", domain, {"name_servers": [domain.name_servers, servers]})
    return domain


@transaction.atomic
def set_domain_renewal(*, principal: Principal, domain_name: str, will_renew: bool) -> Domain:
    """Renew the domain automatically at its expiration date, or let it lapse."""
    require_level(principal, Level.WRITE)
    if not isinstance(will_renew, bool):
        raise invalid("will_renew", "true or false.")
    domain = lock_active_domain(principal, domain_name)
    order(principal, domain, Operation.RENEW, {"will_renew": will_renew})
    audit.record(principal, "domain.set_renewal", domain, {"will_renew": [domain.will_renew, will_renew]})
    return domain


def order_due_renewals() -> int:
    """Order the renewal of every active domain that will renew and expires within PANEEL_DOMAIN_RENEW_DAYS, once
    (not while an order on it is waiting). The worker's sweep calls it; returns how many were ordered."""
    due = (
        Domain.objects.filter(
            status=DomainStatus.ACTIVE,
            will_renew=True,
            expiration_date__lt=timezone.now() + dt.timedelta(days=settings.PANEEL_DOMAIN_RENEW_DAYS),
        )
        .exclude(orders__state=OrderState.WAITING)
        .values_list("pk", flat=True)
    )
    ordered = 0
    for pk in list(due[:200]):
        with transaction.atomic():
            domain = Domain.objects.select_for_update().select_related("reseller").get(pk=pk)
            if domain.orders.filter(state=OrderState.WAITING).exists():
                continue
            principal = Principal.system(domain.reseller, actor_repr="domain renewal")
            order(principal, domain, Operation.RENEWAL, {"expiration_date_before": stamp(domain.expiration_date)})
            audit.record(principal, "domain.renew", domain, {"expiration_date": stamp(domain.expiration_date)})
            ordered += 1
    return ordered


def stamp(value) -> str | None:
    return value.isoformat() if value else None
