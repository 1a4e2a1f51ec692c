"""Reads on domains that reach beyond the domain row."""

from __future__ import annotations

from apps.servers.models import Server


def name_server_addresses(names: list[str]) -> dict[str, str]:
    """The address of each name that is the host name of one of the platform's DNS servers (IPv4, else IPv6).
    Other name servers are not ours: Paneel knows no address for them and makes none up."""
    wanted = {str(name).lower().rstrip(".") for name in names}
    if not wanted:
        return {}
    found = {}
    # The platform has a handful of DNS servers; host names are compared case-insensitively.
    for hostname, ipv4, ipv6 in Server.objects.filter(dns=True).values_list("hostname", "ipv4_address", "ipv6_address"):
        name = hostname.lower().rstrip(".")
        if name in wanted and (ipv4 or ipv6):
            found[name] = ipv4 or ipv6
    return found
