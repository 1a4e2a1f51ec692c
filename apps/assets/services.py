"""Writes on assets. Quotas are checked and the row inserted while the account row is locked, so concurrent
requests can never exceed a servicepack's `max_count`."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from apps.accounts.models import Account, Status
from apps.accounts.selectors import lock_account
from apps.assets.kinds import checked_password, kind_of
from apps.assets.models import Asset
from apps.core import audit
from apps.core.errors import (
    Duplicate,
    FieldProblem,
    InvalidState,
    QuotaExceeded,
    SizeExceedsServicepack,
    ValidationFailed,
)
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.provisioning.jobs import record_job
from apps.provisioning.models import ProvisioningJob
from apps.servers.placement import ROLE_OF, least_loaded
from apps.servicepacks.models import AssetType, ServicePackItem


def checked_size(value: Any, item: ServicePackItem, account: Account) -> int:
    """`value` as a size in MB within the pack's limit for this asset type."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "Must be a whole number of MB.", "max_size")]
        )
    try:
        size = int(value)
    except ValueError:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "Must be a whole number of MB.", "max_size")]
        ) from None
    if size < 1:
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "Must be at least 1 MB.", "max_size")])
    if size > item.max_size_mb:
        raise SizeExceedsServicepack(
            f"Servicepack '{account.servicepack.name}' allows {item.get_asset_type_display()} assets of at most "
            f"{item.max_size_mb} MB; {size} MB asked.",
            field="max_size",
        )
    return size


def pack_item(account: Account, asset_type: str) -> ServicePackItem:
    item = next((i for i in account.servicepack.items.all() if i.asset_type == asset_type), None)
    if item is None:
        raise QuotaExceeded(
            f"Servicepack '{account.servicepack.name}' allows 0 {dict(AssetType.choices).get(asset_type, asset_type)} "
            "assets; "
            f"account {account} cannot hold one.",
            field="asset_type",
        )
    return item


def add_asset_row(
    *,
    account: Account,
    item: ServicePackItem,
    fields: dict[str, Any] | None,
    password: str | None,
    max_size: int,
) -> Asset:
    """Insert an asset row on a locked account after the quota check. Callers hold the account lock."""
    kind = kind_of(item.asset_type)
    count = account.assets.filter(asset_type=item.asset_type).count()
    if count >= item.max_count:
        raise QuotaExceeded(
            f"Servicepack '{account.servicepack.name}' allows {item.max_count} {item.get_asset_type_display()} "
            f"asset{'s' if item.max_count != 1 else ''}; "
            f"account {account} has {count}."
        )
    place_for_role(account, ROLE_OF.get(item.asset_type))
    built = kind.build(account, fields if fields is not None else kind.default_fields(account), password)
    built = kind.settled(account, built)
    if Asset.objects.filter(asset_type=item.asset_type, name=built.name).exists():
        raise Duplicate(
            f"{item.get_asset_type_display()} {built.name} already exists.", field=kind_field(item.asset_type)
        )
    try:
        with transaction.atomic():
            return Asset.objects.create(
                reseller_id=account.reseller_id,
                account=account,
                asset_type=item.asset_type,
                name=built.name,
                max_size=max_size,
                details=built.details,
            )
    except IntegrityError:
        raise Duplicate(f"{item.get_asset_type_display()} {built.name} already exists.") from None


def place_for_role(account: Account, role: str | None) -> None:
    """Give a (locked) account a server for `role` if it has none yet, e.g. after a plan change added the role."""
    if role and account.server_for(role) is None and (server := least_loaded(role)) is not None:
        setattr(account, f"{role}_server", server)
        account.save(update_fields=[f"{role}_server", "updated_at"])


def kind_field(asset_type: str) -> str:
    return {"linux_hosting": "domain_name", "mysql": "database_name", "mailbox": "email_address"}[asset_type]


def create_asset(
    *,
    principal: Principal,
    account_id: int,
    asset_type: str,
    fields: dict[str, Any],
    password: str | None = None,
    max_size: int | None = None,
) -> tuple[Asset, ProvisioningJob]:
    """Create an asset of `asset_type` on an active account, within its servicepack's count and size limits."""
    require_level(principal, Level.WRITE)
    kind_of(asset_type)
    with transaction.atomic():
        account = lock_account(principal, account_id)
        if account.status != Status.ACTIVE:
            raise InvalidState(f"Account {account} is {account.status}; assets can be added when it is active.")
        item = pack_item(account, asset_type)
        size = checked_size(item.max_size_mb if max_size is None else max_size, item, account)
        asset = add_asset_row(account=account, item=item, fields=fields, password=password, max_size=size)
        audit.record(principal, f"{asset_type}.create", asset, {"name": asset.name, "max_size": size})
        return asset, record_job(principal=principal, action=f"{asset_type}.create", target=asset)


def _locked_asset(principal: Principal, asset_id: int) -> tuple[Account, Asset]:
    asset = Asset.objects.only("account_id").get_for_principal(principal, pk=asset_id)
    account = lock_account(principal, asset.account_id)
    asset = account.assets.get(pk=asset_id)
    # A change to an asset still being provisioned (or changed) is queued behind that job (jobs on one target run
    # in order); only an asset on its way out takes no more changes.
    if asset.status == Status.DELETING:
        raise InvalidState(f"{asset} is being deleted.")
    return account, asset


def resize_asset(*, principal: Principal, asset_id: int, max_size: int) -> tuple[Asset, ProvisioningJob]:
    """Change an asset's maximum size, within the pack's limit and not below what it already uses."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        account, asset = _locked_asset(principal, asset_id)
        size = checked_size(max_size, pack_item(account, asset.asset_type), account)
        if size == asset.max_size:
            raise InvalidState(f"Nothing to change: {asset} is {size} MB already.", field="max_size")
        if size < asset.actual_size:
            raise ValidationFailed.from_problems(
                [FieldProblem("validation_failed", f"{asset} already uses {asset.actual_size} MB.", "max_size")]
            )
        changes = audit.diff({"max_size": asset.max_size}, {"max_size": size})
        asset.max_size = size
        asset.save(update_fields=["max_size", "updated_at"])
        audit.record(principal, f"{asset.asset_type}.resize", asset, changes)
        return asset, record_job(principal=principal, action=f"{asset.asset_type}.update", target=asset)


def change_asset_password(
    *, principal: Principal, asset_id: int, password: str, user_name: str | None = None
) -> tuple[Asset, ProvisioningJob]:
    """Set a new password (FTP for hosting, the database user's for MySQL, the mailbox's). Only its hash is kept."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        _, asset = _locked_asset(principal, asset_id)
        kind = kind_of(asset.asset_type)
        if user_name is not None:
            if asset.asset_type != "mysql":
                raise ValidationFailed(f"{asset} has no database users.")
            _database_user(asset, user_name)
            asset.details = kind.password_details(asset.details, password, user_name)
        else:
            asset.details = kind.password_details(asset.details, password)
        asset.save(update_fields=["details", "updated_at"])
        audit.record(principal, f"{asset.asset_type}.change_password", asset, {"password": "changed"})
        return asset, record_job(principal=principal, action=f"{asset.asset_type}.update", target=asset)


def delete_asset(*, principal: Principal, asset_id: int) -> tuple[Asset, ProvisioningJob]:
    """Mark the asset `deleting`; its job removes it from the server and then from the database."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        _, asset = _locked_asset(principal, asset_id)
        asset.status = Status.DELETING
        asset.save(update_fields=["status", "updated_at"])
        audit.record(principal, f"{asset.asset_type}.delete", asset, {"name": asset.name})
        return asset, record_job(principal=principal, action=f"{asset.asset_type}.delete", target=asset)


def _mysql_asset(principal: Principal, asset_id: int) -> tuple[Account, Asset]:
    account, asset = _locked_asset(principal, asset_id)
    if asset.asset_type != "mysql":
        raise ValidationFailed(f"{asset} is not a MySQL database.")
    return account, asset


def _database_user(asset: Asset, user_name: str) -> dict[str, Any]:
    from apps.core.errors import NotFound

    for user in asset.details.get("users", []):
        if user["name"] == user_name:
            return user
    raise NotFound(f"Database user {user_name} not found on {asset.name}.")


def add_database_user(
    *, principal: Principal, asset_id: int, name: str, password: str, rights: str = "read_and_write"
) -> tuple[Asset, ProvisioningJob]:
    """Add a user to a MySQL database. Its provisioned name is `pn<account>_<name>`, unique on the server."""
    from apps.assets.kinds import MYSQL_PREFIX, USER_RIGHTS, mysql_native_hash

    require_level(principal, Level.WRITE)
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9]{2,14}", name):
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "2 to 14 lowercase letters and digits.", "name")]
        )
    if rights not in USER_RIGHTS:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", f"Choose one of {', '.join(USER_RIGHTS)}.", "rights")]
        )
    with transaction.atomic():
        account, asset = _mysql_asset(principal, asset_id)
        full_name = f"{MYSQL_PREFIX}{account.pk}_{name}"
        taken = {
            user["name"]
            for details in account.assets.filter(asset_type="mysql").values_list("details", flat=True)
            for user in details.get("users", [])
        }
        if full_name in taken:
            raise Duplicate(f"Database user {full_name} already exists on this account.", field="name")
        user = {"name": full_name, "rights": rights, "enabled": True, "password_hash": ""}
        user["password_hash"] = mysql_native_hash(checked_password(password, "password"))
        asset.details = {**asset.details, "users": [*asset.details.get("users", []), user]}
        asset.save(update_fields=["details", "updated_at"])
        audit.record(principal, "mysql.add_user", asset, {"user": full_name, "rights": rights})
        return asset, record_job(principal=principal, action="mysql.update", target=asset)


def _change_database_user(
    principal: Principal, asset_id: int, user_name: str, action: str, change: dict[str, Any] | None
) -> tuple[Asset, ProvisioningJob]:
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        _, asset = _mysql_asset(principal, asset_id)
        _database_user(asset, user_name)
        users = []
        for user in asset.details.get("users", []):
            if user["name"] != user_name:
                users.append(user)
            elif change is not None:
                users.append({**user, **change})
        asset.details = {**asset.details, "users": users}
        asset.save(update_fields=["details", "updated_at"])
        audit.record(principal, action, asset, {"user": user_name, **{k: v for k, v in (change or {}).items()}})
        return asset, record_job(principal=principal, action="mysql.update", target=asset)


def set_database_user_status(
    *, principal: Principal, asset_id: int, user_name: str, enabled: bool
) -> tuple[Asset, ProvisioningJob]:
    """Enable or disable (lock) one database user."""
    if not isinstance(enabled, bool):
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "Must be true or false.", "enabled")])
    return _change_database_user(principal, asset_id, user_name, "mysql.set_user_status", {"enabled": enabled})


def delete_database_user(*, principal: Principal, asset_id: int, user_name: str) -> tuple[Asset, ProvisioningJob]:
    """Remove a read-only user from a MySQL database (the driver drops it on the server).

    As in the reference API, only `read_only` users can be deleted: the database's own read-and-write user stays.
    Asking for it is a bad request (400, the reference's status for this operation), not a passing conflict.
    """
    require_level(principal, Level.WRITE)
    asset = Asset.objects.get_for_principal(principal, pk=asset_id)
    if asset.asset_type == "mysql" and _database_user(asset, user_name)["rights"] != "read_only":
        raise ValidationFailed.from_problems(
            [
                FieldProblem(
                    "validation_failed",
                    f"{user_name} is the database's read-and-write user; only read-only users can be deleted.",
                    "user_name",
                )
            ]
        )
    return _change_database_user(principal, asset_id, user_name, "mysql.delete_user", None)
