"""Writes on accounts. Each service checks the level, validates, locks, audits and records the job."""

from __future__ import annotations

import re
from collections import Counter

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from apps.accounts.domains import normalize_domain
from apps.accounts.models import Account, Status
from apps.accounts.selectors import lock_account, usable_servicepack
from apps.core import audit
from apps.core.errors import (
    Duplicate,
    FieldProblem,
    InsufficientLevel,
    InvalidState,
    QuotaExceeded,
    SizeExceedsServicepack,
    ValidationFailed,
)
from apps.core.principal import Level, Principal, Via
from apps.core.tenancy import require_level
from apps.provisioning.jobs import record_job
from apps.provisioning.models import ProvisioningJob
from apps.servers.models import Role, Server
from apps.servers.placement import placement_for, roles_for_asset_types
from apps.servicepacks.models import AssetType, ServicePack

ASSET_TYPE_LABELS = dict(AssetType.choices)


@transaction.atomic
def create_account(
    *,
    principal: Principal,
    identifier: str,
    servicepack: ServicePack | int,
    ftp_password: str | None = None,
    servers: dict[str, Server] | None = None,
) -> tuple[Account, ProvisioningJob]:
    """Create an account for domain `identifier` on `servicepack`, with the assets the pack creates with it.

    The account is placed on a server for each role its pack needs (and DNS): `servers` (the operator's choice
    by role, admin only) or the least loaded active server with that role. Returns the account (status
    `provisioning`) and the pending `account.create` job, queued on the account's primary server.
    """
    from apps.assets.services import add_asset_row

    require_level(principal, Level.WRITE)
    identifier = normalize_domain(identifier)
    pack = usable_servicepack(principal, servicepack)
    if Account.objects.filter(identifier=identifier).exists():
        raise Duplicate(f"An account for {identifier} already exists.", field="identifier")
    if servers and principal.via != Via.ADMIN:
        raise InsufficientLevel("Only operators choose the servers an account is placed on.")
    roles = roles_for_asset_types({item.asset_type for item in pack.items.all()}) | {Role.DNS}
    placement = {f"{role}_server": server for role, server in placement_for(roles, servers).items()}
    try:
        with transaction.atomic():
            account = Account.objects.create(
                reseller=principal.reseller, servicepack=pack, identifier=identifier, **placement
            )
    except IntegrityError:
        raise Duplicate(f"An account for {identifier} already exists.", field="identifier") from None
    for item in pack.items.all():
        if item.created_with_account:
            add_asset_row(account=account, item=item, fields=None, password=ftp_password, max_size=item.max_size_mb)
    audit.record(principal, "account.create", account, {"identifier": identifier, "servicepack": pack.name})
    job = record_job(principal=principal, action="account.create", target=account)
    from apps.dns.zones import add_zone_row  # the account's DNS zone, made with it (apps.dns sits above us)

    add_zone_row(principal=principal, account=account)
    return account, job


def _account_job(principal: Principal, account_id: int, action: str, *, allowed: set[str], changes: dict | None = None):
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        account = lock_account(principal, account_id)
        if account.status not in allowed:
            raise InvalidState(
                f"Account {account} is {account.get_status_display().lower()}; this needs it to be "
                f"{' or '.join(sorted(Status(state).label.lower() for state in allowed))}."
            )
        audit.record(principal, action, account, changes)
        return account, record_job(principal=principal, action=action, target=account)


def suspend_account(*, principal: Principal, account_id: int) -> tuple[Account, ProvisioningJob]:
    """Disable every asset of an active account (site shows a suspension page, logins refused)."""
    return _account_job(principal, account_id, "account.suspend", allowed={Status.ACTIVE})


def unsuspend_account(*, principal: Principal, account_id: int) -> tuple[Account, ProvisioningJob]:
    """Give a suspended account its access back."""
    return _account_job(principal, account_id, "account.unsuspend", allowed={Status.SUSPENDED})


def delete_account(*, principal: Principal, account_id: int) -> tuple[Account, ProvisioningJob]:
    """Mark the account `deleting`; the job de-provisions every asset and then removes the account."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        account = lock_account(principal, account_id)
        if account.status == Status.DELETING:
            raise InvalidState(f"Account {account} is already being deleted.")
        account.status = Status.DELETING
        account.save(update_fields=["status", "updated_at"])
        account.assets.update(status=Status.DELETING)
        audit.record(principal, "account.delete", account, {"identifier": account.identifier})
        from apps.dns.zones import remove_zone  # the zone leaves the DNS server with the account

        remove_zone(principal=principal, account=account)
        return account, record_job(principal=principal, action="account.delete", target=account)


ASSET_SIZES = ("keep", "follow")


def change_servicepack(
    *, principal: Principal, account_id: int, servicepack: ServicePack | int, asset_sizes: str = "keep"
) -> tuple[Account, ProvisioningJob]:
    """Move an account to another pack; 409 when what the account holds does not fit the new pack.

    `asset_sizes` says what happens to the assets' maximum sizes: `keep` leaves them (refused when one is bigger
    than the new pack allows), `follow` gives each the new pack's maximum for its type (growing on an upgrade,
    shrinking on a downgrade; refused when an asset already uses more). A change that changes nothing (the same
    pack, and no size to change) is refused as `invalid_state` instead of queueing a job that does nothing.
    """
    require_level(principal, Level.WRITE)
    if asset_sizes not in ASSET_SIZES:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "Choose keep or follow.", "asset_sizes")]
        )
    with transaction.atomic():
        account = lock_account(principal, account_id)
        if account.status not in {Status.ACTIVE, Status.SUSPENDED}:
            raise InvalidState(f"Account {account} is {account.get_status_display().lower()}; wait until it is active.")
        pack = usable_servicepack(principal, servicepack)
        limits = {item.asset_type: item for item in pack.items.all()}
        assets = list(account.assets.only("asset_type", "name", "max_size", "actual_size"))
        for asset_type, count in Counter(a.asset_type for a in assets).items():
            item = limits.get(asset_type)
            if item is None or count > item.max_count:
                allowed = item.max_count if item else 0
                label = ASSET_TYPE_LABELS.get(asset_type, asset_type)
                raise QuotaExceeded(
                    f"Servicepack '{pack.name}' allows {allowed} {label} asset{'s' if allowed != 1 else ''}; "
                    f"account {account} has {count}.",
                    field="servicepack_id",
                )
        resized: dict[str, list[int]] = {}
        for asset in assets:
            limit = limits[asset.asset_type].max_size_mb
            if asset_sizes == "follow":
                if asset.actual_size > limit:
                    raise SizeExceedsServicepack(
                        f"{asset} already uses {asset.actual_size} MB; servicepack '{pack.name}' allows {limit} MB.",
                        field="servicepack_id",
                    )
                if asset.max_size != limit:
                    resized[str(asset)] = [asset.max_size, limit]
                    asset.max_size = limit
            elif asset.max_size > limit:
                raise SizeExceedsServicepack(
                    f"{asset} is {asset.max_size} MB; servicepack '{pack.name}' allows {limit} MB. Choose to let "
                    "the sizes follow the new servicepack, or make the asset smaller first.",
                    field="servicepack_id",
                )
        if pack.pk == account.servicepack_id and not resized:
            detail = "and every asset already has its maximum size" if asset_sizes == "follow" else "already"
            raise InvalidState(
                f"Nothing to change: account {account} is on servicepack '{pack.name}' {detail}.",
                field="servicepack_id",
            )
        old = account.servicepack
        changes: dict = {}
        if pack.pk != old.pk:
            account.servicepack = pack
            account.save(update_fields=["servicepack", "updated_at"])
            changes["servicepack"] = [old.name, pack.name]
        if resized:
            type(assets[0]).objects.bulk_update([a for a in assets if str(a) in resized], ["max_size"])
            changes["asset_sizes_mb"] = resized
        audit.record(principal, "account.change_servicepack", account, changes)
        return account, record_job(
            principal=principal,
            action="account.change_servicepack",
            target=account,
            payload={"suspended": account.status == Status.SUSPENDED},
        )


PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}$")
CONTACT_FIELDS = ("contact_name", "contact_company", "contact_email", "contact_phone", "contact_notes")


def update_account_contact(
    *,
    principal: Principal,
    account_id: int,
    contact_name: str = "",
    contact_company: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    contact_notes: str = "",
) -> Account:
    """Set the customer contact of an account (name, company, e-mail, phone, notes); no job, nothing to provision."""
    require_level(principal, Level.WRITE)
    values = {
        "contact_name": contact_name,
        "contact_company": contact_company,
        "contact_email": contact_email,
        "contact_phone": contact_phone,
        "contact_notes": contact_notes,
    }
    values = {name: (value or "").strip() for name, value in values.items()}
    values["contact_email"] = values["contact_email"].lower()
    problems = _contact_problems(values)
    if problems:
        raise ValidationFailed.from_problems(problems)
    with transaction.atomic():
        account = lock_account(principal, account_id)
        changes = audit.diff({name: getattr(account, name) for name in CONTACT_FIELDS}, values)
        if not changes:
            raise InvalidState("Nothing to change: the contact is already so.")
        for name, value in values.items():
            setattr(account, name, value)
        account.save(update_fields=[*CONTACT_FIELDS, "updated_at"])
        audit.record(principal, "account.update_contact", account, changes)
        return account


def _contact_problems(values: dict[str, str]) -> list[FieldProblem]:
    limits = {"contact_name": 200, "contact_company": 200, "contact_email": 254, "contact_phone": 40}
    limits["contact_notes"] = 2000
    problems = [
        FieldProblem("validation_failed", f"At most {limit} characters.", name)
        for name, limit in limits.items()
        if len(values[name]) > limit
    ]
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except DjangoValidationError:
            problems.append(
                FieldProblem("validation_failed", "Enter an e-mail address such as jo@example.com.", "contact_email")
            )
    if values["contact_phone"] and not PHONE.match(values["contact_phone"]):
        problems.append(
            FieldProblem(
                "validation_failed", "Digits, spaces and + ( ) - . / only, such as +32 9 123 45 67.", "contact_phone"
            )
        )
    return problems
