"""Is this client IP allowed to use the reseller's API credentials?"""

import ipaddress

from apps.ipwhitelist.models import IpWhitelistEntry


def ip_is_whitelisted(reseller_id: int, ip: str) -> bool:
    """Default deny: True only if `ip` lies in one of the reseller's entries."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    cidrs = IpWhitelistEntry.objects.filter(reseller_id=reseller_id).values_list("cidr", flat=True)
    return any(address in ipaddress.ip_network(cidr) for cidr in cidrs)
