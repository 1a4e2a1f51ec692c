"""Writes on the IP whitelist (level `full`)."""

from __future__ import annotations

import ipaddress

from django.db import IntegrityError, transaction

from apps.core import audit
from apps.core.errors import Duplicate, FieldProblem, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.ipwhitelist.models import IpWhitelistEntry


def normalize_cidr(value: str) -> str:
    """The canonical form of an IPv4/IPv6 address or network (host bits must be zero)."""
    try:
        network = ipaddress.ip_network(str(value).strip(), strict=True)
    except ValueError as exc:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", f"'{value}' is not an IP address or network ({exc}).", "cidr")]
        ) from None
    return str(network.network_address) if network.num_addresses == 1 else str(network)


def add_whitelist_entry(*, principal: Principal, cidr: str, description: str = "") -> IpWhitelistEntry:
    """Allow API access from `cidr` for the principal's reseller."""
    require_level(principal, Level.FULL)
    cidr = normalize_cidr(cidr)
    if len(description) > 200:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "At most 200 characters.", "description")]
        )
    try:
        with transaction.atomic():
            entry = IpWhitelistEntry.objects.create(
                reseller_id=principal.reseller_id,
                cidr=cidr,
                description=description,
                created_by=principal.user,
            )
            audit.record(principal, "whitelist_entry.add", entry, {"cidr": cidr, "description": description})
    except IntegrityError:
        raise Duplicate(f"{cidr} is already whitelisted.", field="cidr") from None
    return entry


@transaction.atomic
def remove_whitelist_entry(*, principal: Principal, entry_id: int) -> None:
    """Stop allowing API access from an entry's addresses."""
    require_level(principal, Level.FULL)
    entry = IpWhitelistEntry.objects.get_for_principal(principal, pk=entry_id)
    audit.record(principal, "whitelist_entry.remove", entry, {"cidr": entry.cidr})
    entry.delete()
