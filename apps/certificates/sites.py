"""The SSL flags of a Linux hosting's sites (`details["sites"]`, the web-stack contract): which site serves a host
name, and turning `ssl_enabled` / `https_redirect_enabled` on or off for it. Old hostings without `sites` get the
main site's defaults."""

from __future__ import annotations

import copy
from typing import Any


def sites_of(details: dict[str, Any], domain_name: str) -> list[dict[str, Any]]:
    sites = details.get("sites")
    if sites:
        return copy.deepcopy(sites)
    return [
        {
            "name": domain_name,
            "path": "/www",
            "host_headers": [{"name": f"www.{domain_name}", "enabled": True}],
            "http2_enabled": True,
            "ssl_enabled": False,
            "https_redirect_enabled": False,
        }
    ]


def site_index(sites: list[dict[str, Any]], hostname: str) -> int | None:
    """The site whose name or enabled host header is `hostname`."""
    for index, site in enumerate(sites):
        names = {site.get("name", "")} | {h.get("name", "") for h in site.get("host_headers", [])}
        if hostname in names:
            return index
    return None


def with_site_flags(details: dict[str, Any], domain_name: str, hostname: str, **flags: bool) -> dict[str, Any]:
    sites = sites_of(details, domain_name)
    index = site_index(sites, hostname)
    if index is None:
        raise KeyError(hostname)
    sites[index].update(flags)
    return {**details, "sites": sites}
