"""Writes on the IP whitelist (level `full`)."""

from __future__ import annotations

import ipaddress

from django.db import IntegrityError, transaction

from apps.core import audit
from apps.core.errors import Duplicate, FieldProblem, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.ipwhitelist.models import IpWhitelistEntry

IPV4_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
EVERY_ADDRESS = {"0.0.0.0/0", "::/0"}


def refused(value: str, why: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", f"'{value}' {why}", "cidr")])


def normalize_cidr(value: str) -> str:
    """The canonical form of an IPv4/IPv6 address or network (host bits must be zero), in the form a client's
    address is compared with: an IPv4-mapped IPv6 address or network (`::ffff:192.0.2.1`) is stored as the IPv4
    one, and a scoped address (`fe80::1%eth0`) is refused, since no client address carries a scope."""
    text = str(value).strip()
    if "%" in text:
        raise refused(value, "has a scope id (%...): a client's address never carries one, so it could never match.")
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError as exc:
        raise refused(value, f"is not an IP address or network ({exc}).") from None
    if network.version == 6 and network.prefixlen >= 96 and network.subnet_of(IPV4_MAPPED):
        network = ipaddress.ip_network((network.network_address.ipv4_mapped, network.prefixlen - 96))
    return str(network.network_address) if network.num_addresses == 1 else str(network)


def allows_every_address(cidr: str) -> bool:
    """True for the entries that let API credentials in from anywhere (the panel warns about them)."""
    return cidr in EVERY_ADDRESS


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
