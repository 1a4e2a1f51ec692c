"""Writes on accounts. Each service checks the level, validates, locks, audits and records the job."""

from __future__ import annotations

from collections import Counter

from django.db import IntegrityError, transaction

from apps.accounts.domains import normalize_domain
from apps.accounts.models import Account, Status
from apps.core import audit
from apps.core.errors import (
    Duplicate,
    InsufficientLevel,
    InvalidState,
    NotFound,
    QuotaExceeded,
    SizeExceedsServicepack,
)
from apps.core.principal import Level, Principal, Via
from apps.core.tenancy import require_level
from apps.provisioning.jobs import ensure_no_unfinished_job, record_job
from apps.provisioning.models import ProvisioningJob
from apps.servers.models import Role, Server
from apps.servers.placement import placement_for, roles_for_asset_types
from apps.servicepacks.models import ServicePack


def lock_account(principal: Principal, account_id: int) -> Account:
    """The principal's account `account_id`, row-locked for the rest of the transaction (NotFound otherwise)."""
    return (
        Account.objects.select_for_update(of=("self",))
        .select_related("servicepack")
        .get_for_principal(principal, pk=account_id)
    )


def usable_servicepack(principal: Principal, servicepack: ServicePack | int) -> ServicePack:
    """A pack the principal's reseller may use; a restricted or inactive pack is simply not found."""
    pk = servicepack.pk if isinstance(servicepack, ServicePack) else servicepack
    try:
        return ServicePack.objects.for_principal(principal).prefetch_related("items").get(pk=pk)
    except (ServicePack.DoesNotExist, ValueError, TypeError):
        raise NotFound("Servicepack not found.", field="servicepack_id") from None


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
                f"Account {account} is {account.status}; this needs it to be {' or '.join(sorted(allowed))}."
            )
        ensure_no_unfinished_job(account)
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
        ensure_no_unfinished_job(account)
        account.status = Status.DELETING
        account.save(update_fields=["status", "updated_at"])
        account.assets.update(status=Status.DELETING)
        audit.record(principal, "account.delete", account, {"identifier": account.identifier})
        from apps.dns.zones import remove_zone  # the zone leaves the DNS server with the account

        remove_zone(principal=principal, account=account)
        return account, record_job(principal=principal, action="account.delete", target=account)


def change_servicepack(
    *, principal: Principal, account_id: int, servicepack: ServicePack | int
) -> tuple[Account, ProvisioningJob]:
    """Move an account to another pack; 409 when what the account holds does not fit the new pack."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        account = lock_account(principal, account_id)
        if account.status not in {Status.ACTIVE, Status.SUSPENDED}:
            raise InvalidState(f"Account {account} is {account.status}; wait until it is active.")
        pack = usable_servicepack(principal, servicepack)
        limits = {item.asset_type: item for item in pack.items.all()}
        assets = list(account.assets.only("asset_type", "name", "max_size"))
        for asset_type, count in Counter(a.asset_type for a in assets).items():
            item = limits.get(asset_type)
            if item is None or count > item.max_count:
                allowed = item.max_count if item else 0
                raise QuotaExceeded(
                    f"Servicepack '{pack.name}' allows {allowed} {asset_type} assets; account {account} has {count}.",
                    field="servicepack_id",
                )
        for asset in assets:
            if asset.max_size > limits[asset.asset_type].max_size_mb:
                raise SizeExceedsServicepack(
                    f"{asset} is {asset.max_size} MB; servicepack '{pack.name}' allows "
                    f"{limits[asset.asset_type].max_size_mb} MB.",
                    field="servicepack_id",
                )
        ensure_no_unfinished_job(account)
        old = account.servicepack
        account.servicepack = pack
        account.save(update_fields=["servicepack", "updated_at"])
        audit.record(principal, "account.change_servicepack", account, {"servicepack": [old.name, pack.name]})
        return account, record_job(
            principal=principal,
            action="account.change_servicepack",
            target=account,
            payload={"suspended": account.status == Status.SUSPENDED},
        )
