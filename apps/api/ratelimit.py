"""Rate limits (DESIGN 6): reads and writes in separate buckets, per principal and per client IP; failed
authentication (HMAC, bearer tokens, `/o/token/`) in one more bucket per client IP.

The windows and cache keys are django-ratelimit's (`get_usage`'s fixed windows, its key names), so counts agree
with `get_usage` everywhere. On Redis, a request's HMAC nonce is claimed and every bucket of the request counted
in one round trip: a Lua script (`SET NX EX` of the nonce, then `SET NX EX` + `INCR` per bucket: exact across
processes, as Redis runs a script atomically) that counts nothing when the nonce was already used, so a replayed
request never spends its key's budget, and does nothing at all when the key rows the request was authenticated by
were kept by this process and have changed since (apps.api.keyrows). On other caches (development, one process)
the nonce is claimed with `cache.add` and the buckets counted with `get_usage(..., increment=True)`. The
`X-RateLimit-*` headers report the bucket closest to its limit.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django_ratelimit import ALL
from django_ratelimit import core as ratelimit_core
from django_ratelimit.core import get_usage

from apps.api.errors import RateLimited, ReplayedNonce
from apps.core.ip import client_ip
from apps.core.principal import Principal

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
PERIOD = 60  # every Paneel limit is per minute
FAILED_AUTH_GROUP = "api-auth-failed-ip"
REPLAYED = "This nonce was already used; make a new one for every request."


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


# KEYS: the nonce's key ("" for none), the key of the version the caller's data was read at ("" for none), then one
# key per bucket. ARGV: the nonce's lifetime, the buckets' lifetime, that version, then "1" (count) or "0" (read
# only) per bucket. Answers the buckets' counts; -2, having done nothing, when the version is not the current one;
# -1, having counted nothing, when the nonce was used.
COUNT_SCRIPT = """
if KEYS[2] ~= "" and redis.call("GET", KEYS[2]) ~= ARGV[3] then
  return -2
end
if KEYS[1] ~= "" and not redis.call("SET", KEYS[1], 1, "NX", "EX", ARGV[1]) then
  return -1
end
local counts = {}
for i = 3, #KEYS do
  if ARGV[i + 1] == "1" then
    redis.call("SET", KEYS[i], 0, "NX", "EX", ARGV[2])
    counts[#counts + 1] = redis.call("INCR", KEYS[i])
  else
    counts[#counts + 1] = tonumber(redis.call("GET", KEYS[i]) or "0")
  end
end
return counts
"""


# Per Django cache client (one per thread): its redis-py client with the scripts registered on it. `get_client`
# builds a new redis-py client on each call, which cost more than the round trip it was for.
_SCRIPTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def redis_script(redis_cache: RedisCache, source: str):
    """The Lua `source` on `redis_cache`'s server, run by its SHA (EVALSHA) and loaded again if the server lost it."""
    scripts = _SCRIPTS.setdefault(redis_cache._cache, {})
    script = scripts.get(source)
    if script is None:
        script = scripts[source] = redis_cache._cache.get_client(write=True).register_script(source)
    return script


def redis_counting() -> RedisCache | None:
    """The Redis cache that counts, when rate limits are on and it is also the cache nonces live in."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return None
    alias = getattr(settings, "RATELIMIT_USE_CACHE", DEFAULT_CACHE_ALIAS)
    counting = caches[alias]
    return counting if isinstance(counting, RedisCache) and alias == DEFAULT_CACHE_ALIAS else None


def claim_nonce(nonce: tuple[str, int]) -> None:
    """Claim a nonce (its cache key and lifetime) with the cache's atomic `add`: of two requests with the same nonce,
    exactly one wins; the other gets ReplayedNonce."""
    if not caches[DEFAULT_CACHE_ALIAS].add(nonce[0], 1, timeout=nonce[1]):
        raise ReplayedNonce(REPLAYED)


class StaleVersion(Exception):
    """The data a request was authenticated by is no longer current (apps.api.keyrows): nothing was counted."""


def count(
    request,
    buckets: list[Bucket],
    nonce: tuple[str, int] | None = None,
    version: tuple[str, str] | None = None,
) -> list[Usage]:
    """Count (or, for `increment=False`, read) each bucket, after claiming `nonce` (its cache key and lifetime, as
    `cache.add` takes them) when one is given; one Redis round trip for all of it. Raises ReplayedNonce, having
    counted nothing, when the nonce was already used, and StaleVersion, having done nothing, when `version` (a
    cache key and the value the caller read there) is no longer what that key holds. `version` is only given on
    Redis (apps.api.keyrows keeps nothing elsewhere)."""
    redis_cache = redis_counting()
    if redis_cache is None:
        if nonce is not None:
            claim_nonce(nonce)
        if not getattr(settings, "RATELIMIT_ENABLE", True):
            return []
        return [usage for bucket in buckets if (usage := counted_elsewhere(request, bucket)) is not None]
    windows = [ratelimit_core._get_window(bucket.value, PERIOD) for bucket in buckets]
    keys = [
        redis_cache.make_and_validate_key(
            ratelimit_core._make_cache_key(bucket.group, window, bucket.rate, bucket.value, ALL)
        )
        for bucket, window in zip(buckets, windows, strict=True)
    ]
    counts = redis_script(redis_cache, COUNT_SCRIPT)(
        keys=[
            redis_cache.make_and_validate_key(nonce[0]) if nonce is not None else "",
            version[0] if version is not None else "",
            *keys,
        ],
        args=[
            nonce[1] if nonce is not None else 0,
            PERIOD + ratelimit_core.EXPIRATION_FUDGE,
            version[1] if version is not None else "",
            *("1" if bucket.increment else "0" for bucket in buckets),
        ],
    )
    if counts == -2:
        raise StaleVersion()
    if counts == -1:
        raise ReplayedNonce(REPLAYED)
    now = int(ratelimit_core.time.time())
    return [
        Usage(limit=bucket.limit, count=int(value or 0), reset=max(1, window - now))
        for bucket, window, value in zip(buckets, windows, counts, strict=True)
    ]


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
    """Count this request in its buckets, claiming its HMAC nonce first when authentication left that to the count
    (`deferred_nonce`) and checking the version of its kept key rows (`key_rows_version`, apps.api.keyrows);
    raise StaleVersion when those changed, ReplayedNonce for a used nonce, RateLimited (429 + Retry-After) when a
    bucket is over its limit or when the client IP has failed to authenticate too often this minute."""
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
    usages = count(
        request,
        buckets,
        getattr(request._request, "deferred_nonce", None),
        getattr(request._request, "key_rows_version", None),
    )
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
