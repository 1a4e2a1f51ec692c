"""Writes on domains (the reference's domain routes): each validates, records a `DomainOrder`, audits once and
queues the job that hands the order to the registrar driver."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

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


def clean_registrant(value) -> dict:
    if not isinstance(value, dict):
        raise invalid("registrant", "The registrant's contact details are required.")
    registrant = {key: str(value[key]).strip() for key in REGISTRANT_FIELDS if value.get(key) not in (None, "")}
    for key in REGISTRANT_REQUIRED:
        if not registrant.get(key):
            raise invalid(f"registrant.{key}", "Required.")
    if len(registrant["country_code"]) != 2 or not registrant["country_code"].isalpha():
        raise invalid("registrant.country_code", "An ISO 3166-1 alpha-2 code, e.g. BE.")
    if "@" not in registrant["email"]:
        raise invalid("registrant.email", "An e-mail address.")
    if any(len(v) > 200 or any(ord(c) < 32 for c in v) for v in registrant.values()):
        raise invalid("registrant", "Each field is at most 200 printable characters.")
    registrant["country_code"] = registrant["country_code"].upper()
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
    servers = clean_name_servers(name_servers, default=True)
    contact = clean_registrant(registrant)
    domain = new_domain(principal, domain_name, DomainStatus.REGISTERING, servers, contact)
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
    servers = clean_name_servers(name_servers, default=True)
    contact = clean_registrant(registrant)
    domain = new_domain(principal, domain_name, DomainStatus.TRANSFERRING, servers, contact)
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
