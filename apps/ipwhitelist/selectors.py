"""Is this client IP allowed to use the reseller's API credentials?"""

import ipaddress
from collections.abc import Iterable

from apps.ipwhitelist.models import IpWhitelistEntry


def ip_is_whitelisted(reseller_id: int, ip: str) -> bool:
    """Default deny: True only if `ip` lies in one of the reseller's entries."""
    return ip_in_cidrs(ip, IpWhitelistEntry.objects.filter(reseller_id=reseller_id).values_list("cidr", flat=True))


def ip_in_cidrs(ip: str, cidrs: Iterable[str]) -> bool:
    """True only if `ip` lies in one of `cidrs` (the whitelist entries, already read)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(cidr) for cidr in cidrs)
