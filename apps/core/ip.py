"""The client's IP address: `REMOTE_ADDR`, unless the request came through a configured trusted proxy."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _trusted_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(cidr, strict=False) for cidr in settings.PANEEL_TRUSTED_PROXIES]


def client_ip(request: HttpRequest) -> str:
    """Walk `X-Forwarded-For` from the right only while each hop is a trusted proxy; never trust it otherwise."""
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = _trusted_networks()
    if not trusted:
        return remote

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote
