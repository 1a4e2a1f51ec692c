"""Rate limits (DESIGN 6): reads and writes in separate buckets, per principal and per client IP.

Counted once per request with django-ratelimit's `get_usage(..., increment=True)` against the shared cache;
the `X-RateLimit-*` headers report the bucket closest to its limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django_ratelimit.core import get_usage

from apps.api.errors import RateLimited
from apps.core.principal import Principal

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Usage": str(min(self.count, self.limit)),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


def principal_limits(principal: Principal) -> tuple[int, int]:
    reseller = principal.reseller
    return (
        reseller.ratelimit_read_per_minute or settings.PANEEL_RATELIMIT_READ_PER_MINUTE,
        reseller.ratelimit_write_per_minute or settings.PANEEL_RATELIMIT_WRITE_PER_MINUTE,
    )


def count_request(request, principal: Principal) -> Usage:
    """Count this request in its buckets; raise RateLimited (429 + Retry-After) when one is over its limit."""
    kind = "read" if request.method in READ_METHODS else "write"
    read_limit, write_limit = principal_limits(principal)
    buckets = [
        (
            f"api-{kind}-principal",
            f"{principal.actor_kind}:{principal.actor_id}",
            read_limit if kind == "read" else write_limit,
        ),
        (
            f"api-{kind}-ip",
            principal.ip or "unknown",
            settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE
            if kind == "read"
            else settings.PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE,
        ),
    ]
    usages = []
    for group, value, limit in buckets:
        raw = get_usage(
            request, group=group, key=lambda _group, _request, value=value: value, rate=f"{limit}/m", increment=True
        )
        if raw is None:  # RATELIMIT_ENABLE = False
            continue
        usages.append(Usage(limit=raw["limit"], count=raw["count"], reset=max(1, int(raw["time_left"]))))
    if not usages:
        return Usage(limit=read_limit if kind == "read" else write_limit, count=0, reset=60)
    tightest = min(usages, key=lambda usage: (usage.remaining, -usage.count))
    over = [usage for usage in usages if usage.count > usage.limit]
    if over:
        worst = max(over, key=lambda usage: usage.reset)
        error = RateLimited(f"Rate limit of {worst.limit} {kind} requests a minute reached; retry in {worst.reset} s.")
        error.retry_after = worst.reset
        error.usage = worst
        raise error
    return tightest
