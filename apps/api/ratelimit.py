"""Rate limits (DESIGN 6): reads and writes in separate buckets, per principal and per client IP; failed
authentication (HMAC, bearer tokens, `/o/token/`) in one more bucket per client IP.

The windows and cache keys are django-ratelimit's (`get_usage`'s fixed windows, its key names), so counts agree
with `get_usage` everywhere. On Redis, every bucket of a request is counted in one round trip (a pipeline of
`SET NX EX` + `INCR` per bucket: exact across processes, as `INCR` is atomic); on other caches (development, one
process) with `get_usage(..., increment=True)`. The `X-RateLimit-*` headers report the bucket closest to its limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage

from apps.api.errors import RateLimited
from apps.core.ip import client_ip
from apps.core.principal import Principal

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
PERIOD = 60  # every Paneel limit is per minute
FAILED_AUTH_GROUP = "api-auth-failed-ip"


@dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)

    @property
    def over(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Usage": str(min(self.count, self.limit)),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }


@dataclass(frozen=True)
class Bucket:
    group: str
    value: str
    limit: int
    increment: bool = True

    @property
    def rate(self) -> str:
        return f"{self.limit}/m"


def principal_limits(principal: Principal) -> tuple[int, int]:
    reseller = principal.reseller
    return (
        reseller.ratelimit_read_per_minute or settings.PANEEL_RATELIMIT_READ_PER_MINUTE,
        reseller.ratelimit_write_per_minute or settings.PANEEL_RATELIMIT_WRITE_PER_MINUTE,
    )


def failed_auth_bucket(ip: str, *, increment: bool) -> Bucket:
    return Bucket(FAILED_AUTH_GROUP, ip or "unknown", settings.PANEEL_RATELIMIT_FAILED_AUTH_PER_MINUTE, increment)


def count(request, buckets: list[Bucket]) -> list[Usage]:
    """Count (or, for `increment=False`, read) each bucket; one Redis round trip for all of them."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return []
    redis_cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if not isinstance(redis_cache, RedisCache):
        return [usage for bucket in buckets if (usage := counted_elsewhere(request, bucket)) is not None]
    windows = [ratelimit_core._get_window(bucket.value, PERIOD) for bucket in buckets]
    keys = [
        redis_cache.make_and_validate_key(
            ratelimit_core._make_cache_key(bucket.group, window, bucket.rate, bucket.value, ALL)
        )
        for bucket, window in zip(buckets, windows, strict=True)
    ]
    pipeline = redis_cache._cache.get_client(write=True).pipeline(transaction=False)
    for bucket, key in zip(buckets, keys, strict=True):
        if bucket.increment:
            pipeline.set(key, 0, ex=PERIOD + ratelimit_core.EXPIRATION_FUDGE, nx=True)
            pipeline.incr(key)
        else:
            pipeline.get(key)
    results = iter(pipeline.execute())
    now = int(ratelimit_core.time.time())
    usages = []
    for bucket, window in zip(buckets, windows, strict=True):
        if bucket.increment:
            next(results)  # the SET NX
        value = next(results)
        usages.append(Usage(limit=bucket.limit, count=int(value or 0), reset=max(1, window - now)))
    return usages


def counted_elsewhere(request, bucket: Bucket) -> Usage | None:
    raw = get_usage(
        request,
        group=bucket.group,
        key=lambda _group, _request, value=bucket.value: value,
        rate=bucket.rate,
        increment=bucket.increment,
    )
    if raw is None:
        return None
    return Usage(limit=raw["limit"], count=raw["count"], reset=max(1, int(raw["time_left"])))


def rate_limited(usage: Usage, what: str) -> RateLimited:
    error = RateLimited(f"Rate limit of {usage.limit} {what} a minute reached; retry in {usage.reset} s.")
    error.retry_after = usage.reset
    error.usage = usage
    return error


def count_request(request, principal: Principal) -> Usage:
    """Count this request in its buckets; raise RateLimited (429 + Retry-After) when one is over its limit, or
    when the client IP has failed to authenticate too often this minute."""
    kind = "read" if request.method in READ_METHODS else "write"
    read_limit, write_limit = principal_limits(principal)
    ip = principal.ip or "unknown"
    buckets = [
        Bucket(
            f"api-{kind}-principal",
            f"{principal.actor_kind}:{principal.actor_id}",
            read_limit if kind == "read" else write_limit,
        ),
        Bucket(
            f"api-{kind}-ip",
            ip,
            settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE
            if kind == "read"
            else settings.PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE,
        ),
        failed_auth_bucket(ip, increment=False),
    ]
    usages = count(request, buckets)
    if not usages:
        return Usage(limit=read_limit if kind == "read" else write_limit, count=0, reset=60)
    *request_usages, failed = usages
    if failed.over:
        raise rate_limited(failed, "failed authentication attempts")
    tightest = min(request_usages, key=lambda usage: (usage.remaining, -usage.count))
    over = [usage for usage in request_usages if usage.over]
    if over:
        raise rate_limited(max(over, key=lambda usage: usage.reset), f"{kind} requests")
    return tightest


def count_failed_authentication(request) -> Usage | None:
    """Count a failed authentication attempt of the request's client IP (HMAC, bearer token, `/o/token/`)."""
    usages = count(request, [failed_auth_bucket(client_ip(request), increment=True)])
    return usages[0] if usages else None


def failed_authentication_usage(request) -> Usage | None:
    """This minute's failed authentication attempts of the request's client IP, not counting this request."""
    usages = count(request, [failed_auth_bucket(client_ip(request), increment=False)])
    return usages[0] if usages else None
