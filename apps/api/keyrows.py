"""The rows an HMAC request is authenticated by (the API key, its reseller, the reseller's whitelist), kept per
process between requests and checked against the shared version of them on every request.

Reading them was a three-table query on every request, a third of a short list's time. A process now keeps the
rows of a key it has read, with the *version* of the API access data that was current when it read them: a random
value in Redis that every committed change to an API key, a reseller or a whitelist entry removes (the signal
receivers below; a new value is made by the next process that needs one). A request served from kept rows passes
their version to the rate-limit script (`apps.api.ratelimit.count`), which claims no nonce and counts nothing when
that version is no longer the current one; `ApiView.initial` then authenticates the request again from the
database. A revoked key, a deactivated reseller, a changed secret or level, and an added or removed whitelist entry
therefore take effect from the very next request in every process, as when nothing was kept. A refusal is never
made from kept rows either: kept rows that would refuse a request are read again first.

Rows are kept only where the count runs on Redis (the version must be read in the request's one round trip) and
only for requests that `ApiView` counts. A change that bypasses the ORM's signals (raw SQL, `QuerySet.update()`) is
not announced: kept rows are read again after `PANEEL_API_KEY_ROWS_SECONDS` at the latest (0 keeps none).
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from redis.exceptions import RedisError

from apps.api.ratelimit import redis_counting, redis_script
from apps.apikeys.models import ApiKey
from apps.core.prepared import PreparedValues
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.resellers.models import Reseller

logger = logging.getLogger(__name__)

API_KEY_COLUMNS = ("id", "key", "secret_encrypted", "level", "name", "last_used_at", "expires_at", "revoked_at")
RESELLER_COLUMNS = tuple(field.attname for field in Reseller._meta.concrete_fields)
# The key's row, its reseller's and its whitelist's (one row per whitelist entry), compiled once
# (apps.core.prepared). The placeholder is no key (keys are letters and digits).
KEY_QUERY = PreparedValues(
    lambda key: (
        ApiKey.objects.filter(key=key)
        .order_by()
        .values(
            *API_KEY_COLUMNS,
            *(f"reseller__{name}" for name in RESELLER_COLUMNS),
            "reseller__whitelist_entries__cidr",
        )
    ),
    "\x00 any key",
)

VERSION_KEY = "api-key-rows-version"  # a cache key: the cache's prefix and version apply
KEPT_KEYS = 4096  # per process; past it, the kept rows are dropped and read again as needed
# The current version, made (a random value) when there is none: absent after a change, an eviction or a restart
# of Redis, so no version a process kept rows at can come back.
CURRENT_VERSION_SCRIPT = """
local version = redis.call("GET", KEYS[1])
if not version then
  version = ARGV[1]
  redis.call("SET", KEYS[1], version)
end
return version
"""


@dataclass(frozen=True)
class Kept:
    rows: list[dict[str, Any]]
    version: str
    read_at: float  # time.monotonic()


@dataclass(frozen=True)
class KeyRows:
    rows: list[dict[str, Any]]  # no rows: no such key
    # Served from the process's kept rows: the version the count must still find current, as the cache key it is
    # under and the value kept (apps.api.ratelimit.count). None for rows read from the database by this request.
    version: tuple[str, str] | None = None

    @property
    def kept(self) -> bool:
        return self.version is not None


_kept: dict[str, Kept] = {}


def version_cache():
    """The Redis cache the version lives in, when rows may be kept at all."""
    if settings.PANEEL_API_KEY_ROWS_SECONDS <= 0:
        return None
    return redis_counting()


def version_key(redis_cache) -> str:
    return redis_cache.make_and_validate_key(VERSION_KEY)


def current_version(redis_cache) -> str:
    version = redis_script(redis_cache, CURRENT_VERSION_SCRIPT)(
        keys=[version_key(redis_cache)], args=[secrets.token_hex(12)]
    )
    return version.decode() if isinstance(version, bytes) else str(version)


def key_rows(key: str, *, keep: bool, fresh: bool = False) -> KeyRows:
    """The rows of `key`: this process's kept copy when `keep` allows it (the request will be counted with its
    version) and it is young enough, else read from the database (and kept, when `keep`). `fresh` reads them from
    the database whatever is kept."""
    redis_cache = version_cache() if keep else None
    if redis_cache is None:
        return KeyRows(KEY_QUERY.rows(key))
    kept = _kept.get(key)
    if kept is not None and not fresh and time.monotonic() - kept.read_at < settings.PANEEL_API_KEY_ROWS_SECONDS:
        return KeyRows(kept.rows, (version_key(redis_cache), kept.version))
    # The version is read before the rows: a change committed after this read removes it, so the rows kept with
    # it are read again on their next use, whichever of the two the change reached first.
    version = current_version(redis_cache)
    rows = KEY_QUERY.rows(key)
    if rows:
        if len(_kept) >= KEPT_KEYS:
            _kept.clear()
        _kept[key] = Kept(rows, version, time.monotonic())
    else:
        _kept.pop(key, None)
    return KeyRows(rows)


def note_used(key: str, used_at) -> None:
    """The key's `last_used_at` was just written: kept rows say so, so the next write is a minute away again."""
    kept = _kept.get(key)
    if kept is not None:
        rows = [{**row, "last_used_at": used_at} for row in kept.rows]
        _kept[key] = Kept(rows, kept.version, kept.read_at)


def forget_all() -> None:
    """The API access data changed: every process reads its rows again (the shared version goes), this one at once."""
    _kept.clear()
    try:
        caches[DEFAULT_CACHE_ALIAS].delete(VERSION_KEY)
    except RedisError:
        # The change itself is committed; processes keeping rows see it within PANEEL_API_KEY_ROWS_SECONDS.
        logger.error("Could not announce a change of API access data: the shared cache is unreachable.")


@receiver(post_save, sender=ApiKey, dispatch_uid="keyrows-api-key-saved")
@receiver(post_delete, sender=ApiKey, dispatch_uid="keyrows-api-key-deleted")
@receiver(post_save, sender=Reseller, dispatch_uid="keyrows-reseller-saved")
@receiver(post_delete, sender=Reseller, dispatch_uid="keyrows-reseller-deleted")
@receiver(post_save, sender=IpWhitelistEntry, dispatch_uid="keyrows-whitelist-saved")
@receiver(post_delete, sender=IpWhitelistEntry, dispatch_uid="keyrows-whitelist-deleted")
def access_data_changed(sender, **kwargs) -> None:
    # Once committed: announced before, another process could read the old rows again and keep them at the new
    # version.
    transaction.on_commit(forget_all)
