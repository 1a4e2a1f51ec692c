"""API authentication (DESIGN 6.1): HMAC-signed API keys and OAuth2 bearer tokens, both in `Authorization` only
(a token in the query string is refused by `ApiView.initial` before either scheme runs).

Each class answers `(identity, principal)`; `request.auth` is then the Principal every view and service uses.
Both schemes end with the IP whitelist check (default deny).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework.authentication import BaseAuthentication

from apps.api import keyrows
from apps.api.errors import (
    InvalidSignature,
    InvalidToken,
    IpNotWhitelisted,
    StaleTimestamp,
)
from apps.api.ratelimit import claim_nonce
from apps.apikeys import signing
from apps.apikeys.models import ApiKey, ResellerApplication
from apps.core.crypto import decrypt
from apps.core.ip import client_ip
from apps.core.principal import LEVEL_ORDER, ActorKind, Level, Principal, Via
from apps.ipwhitelist.selectors import ip_in_cidrs, ip_is_whitelisted
from apps.resellers.models import Membership, Reseller

LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiIdentity:
    """`request.user` for API requests: authenticated, and naming the principal's actor."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, principal: Principal, *, whitelisted: bool):
        self.principal = principal
        self.pk = principal.actor_id
        # ApiView.initial refuses a principal whose IP is not whitelisted, once the request is counted, so the
        # 403 carries the rate-limit headers too.
        self.whitelisted = whitelisted

    def __str__(self) -> str:
        return self.principal.actor_repr


def wsgi_bytes(text: str) -> bytes:
    """The bytes behind a WSGI string (PEP 3333 passes them latin-1-decoded; test clients may pass real text)."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def escape_non_ascii(data: bytes) -> str:
    """Keep the ASCII of a raw target as sent, and percent-encode the other bytes, so decoding gives them back."""
    return "".join(chr(byte) if byte < 0x80 else f"%{byte:02X}" for byte in data)


def raw_target(request) -> str:
    """The request target as the client sent it: raw path and raw query string.

    gunicorn passes it as RAW_URI, other servers as REQUEST_URI; where neither exists (runserver, the test client),
    the path Django decoded is percent-encoded again, keeping the characters clients send as they are. Raw
    non-ASCII bytes are percent-encoded, so they are read as the UTF-8 they are.
    """
    meta = request.META
    raw = meta.get("RAW_URI") or meta.get("REQUEST_URI")
    if raw:
        if "://" in raw:  # absolute-form target: keep only path and query
            raw = "/" + raw.split("://", 1)[1].partition("/")[2]
        return escape_non_ascii(wsgi_bytes(raw))
    path = quote(request.path.encode("utf-8"), safe="/:@!$&'()*+,;=-._~")
    query = escape_non_ascii(wsgi_bytes(meta.get("QUERY_STRING", "")))
    return f"{path}?{query}" if query else path


def raw_targets(request) -> list[str]:
    """The targets a signature may have been made over: the raw target, or where the server did not pass it on,
    both readings of a `+` in the decoded path. A `+` there arrived as `+` (signed as a space, as form decoding
    reads it) or as `%2B` (signed as a plus: what URL-building libraries send), and the decoded path cannot tell."""
    target = raw_target(request)
    meta = request.META
    path, separator, query = target.partition("?")
    if meta.get("RAW_URI") or meta.get("REQUEST_URI") or "+" not in path:
        return [target]
    return [target, path.replace("+", "%2B") + separator + query]


def whitelist_error(principal: Principal) -> IpNotWhitelisted:
    return IpNotWhitelisted(f"API access from {principal.ip} is not whitelisted for this reseller.")


@dataclass(frozen=True)
class KeyWithWhitelist:
    api_key: ApiKey  # with its reseller
    cidrs: tuple[str, ...]  # the reseller's whitelist


def key_with_whitelist(rows: list[dict]) -> KeyWithWhitelist | None:
    """The API key, its reseller and the reseller's whitelist, from the rows of `keyrows.KEY_QUERY` (one row per
    whitelist entry; none for an unknown key). New instances every time: kept rows are shared by requests."""
    if not rows:
        return None
    row = rows[0]
    reseller = Reseller(**{name: row[f"reseller__{name}"] for name in keyrows.RESELLER_COLUMNS})
    reseller._state.adding, reseller._state.db = False, "default"
    api_key = ApiKey(reseller=reseller, **{name: row[name] for name in keyrows.API_KEY_COLUMNS})
    api_key._state.adding, api_key._state.db = False, "default"
    cidrs = tuple(cidr for row in rows if (cidr := row["reseller__whitelist_entries__cidr"]) is not None)
    return KeyWithWhitelist(api_key=api_key, cidrs=cidrs)


@lru_cache(maxsize=4096)
def key_secret(secret_encrypted: bytes, encryption_key: str) -> str:
    """The clear secret of a key (Fernet decryption costs more than the whole HMAC check; the ciphertext and the
    encryption key name the result, so a new secret or a new encryption key is decrypted afresh)."""
    return decrypt(secret_encrypted)


def mark_used(api_key: ApiKey) -> None:
    """Write the key's `last_used_at`, at most once a minute: the row read with the key says when it last was."""
    now = timezone.now()
    if api_key.last_used_at is None or api_key.last_used_at < now - LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        keyrows.note_used(api_key.key, now)


class HmacAuthentication(BaseAuthentication):
    """`Authorization: hmac <key>:<signature>:<nonce>:<timestamp>` (DESIGN 6.1)."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        scheme = header.strip().partition(" ")[0].lower()
        if scheme != signing.SCHEME:
            return None
        parsed = signing.parse_header(header)
        if parsed is None:
            raise InvalidSignature("The Authorization header is not a valid HMAC signature.")
        # Where ApiView counts the request, and so checks that kept rows are still current before anything else
        # (apps.api.keyrows), this process's kept rows may serve; rows that would refuse it are read again first.
        counted = getattr(request._request, "nonce_counted_with_rate_limit", False)
        fresh = getattr(request._request, "key_rows_fresh", False)
        body = request._request.body
        rows = keyrows.key_rows(parsed.key, keep=counted, fresh=fresh)
        found = self.accepted(rows, parsed, request, body)
        if found is None and rows.kept:
            rows = keyrows.key_rows(parsed.key, keep=counted, fresh=True)
            found = self.accepted(rows, parsed, request, body)
        if found is None:
            raise InvalidSignature("The Authorization header is not a valid HMAC signature.")
        request._request.key_rows_version = rows.version
        api_key = found.api_key
        window = settings.PANEEL_HMAC_WINDOW_SECONDS
        if abs(time.time() - parsed.timestamp) > window:
            raise StaleTimestamp(f"The timestamp is more than {window} seconds away from the server's clock.")
        # Of two requests with the same nonce exactly one wins: add() is atomic in every cache backend, and so is
        # the rate-limit count that ApiView.initial claims it in (one Redis round trip for both, apps.api.ratelimit).
        # The key counts as used once the request is counted (a replay, or a cache that is down, leaves it as it was).
        nonce = (f"hmac-nonce:{api_key.pk}:{parsed.nonce}", 2 * window + 5)
        if counted:
            request._request.deferred_nonce = nonce
            request._request.used_api_key = api_key
        else:
            claim_nonce(nonce)
            mark_used(api_key)
        principal = Principal(
            reseller=api_key.reseller,
            level=Level(api_key.level),
            via=Via.API,
            actor_kind=ActorKind.API_KEY,
            actor_id=str(api_key.pk),
            actor_repr=f"API key {api_key.name or api_key.key[:8]}",
            user=None,
            ip=client_ip(request._request),
            request_id=getattr(request._request, "request_id", ""),
        )
        return ApiIdentity(principal, whitelisted=ip_in_cidrs(principal.ip or "", found.cidrs)), principal

    def accepted(self, rows: keyrows.KeyRows, parsed, request, body: bytes) -> KeyWithWhitelist | None:
        """The key of `rows` when the request is signed with its secret and the key and its reseller may be used."""
        found = key_with_whitelist(rows.rows)
        if (
            found is None
            or not self.signed_over_target(found.api_key, parsed, request, body)
            or not found.api_key.is_usable
            or not found.api_key.reseller.is_active
        ):
            return None
        return found

    @staticmethod
    def signed_over_target(api_key: ApiKey, parsed: signing.ParsedHeader, request, body: bytes) -> bool:
        secret = key_secret(bytes(api_key.secret_encrypted), settings.PANEEL_ENCRYPTION_KEY)
        matched = False
        for target in raw_targets(request._request):  # every reading is checked, as signature_matches does
            matched |= signing.signature_matches(
                secret=secret, parsed=parsed, method=request.method, target=target, body=body
            )
        return matched

    def authenticate_header(self, request):
        return 'hmac realm="paneel", Bearer realm="paneel"'


def scope_level(scopes: str) -> Level | None:
    """The highest of the token's scopes that is a level (`read`, `write`, `full`)."""
    granted = [scope for scope in scopes.split() if scope in LEVEL_ORDER]
    return Level(max(granted, key=LEVEL_ORDER.index)) if granted else None


class BearerAuthentication(OAuth2Authentication):
    """`Authorization: Bearer <token>` from django-oauth-toolkit; scopes cap the user's membership level."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if header.strip().partition(" ")[0].lower() != "bearer":
            return None
        if "\x00" in header:  # no token holds one, and PostgreSQL refuses to look one up
            raise InvalidToken("The bearer token is unknown, expired or revoked.")
        result = super().authenticate(request)
        if result is None:
            raise InvalidToken("The bearer token is unknown, expired or revoked.")
        user, token = result
        # Client-credentials tokens have no user: the application's owner acts (a reseller's own scripts).
        user = user or token.application.user
        link = (
            ResellerApplication.objects.select_related("reseller").filter(application_id=token.application_id).first()
        )
        cap = scope_level(token.scope or "")
        if link is None or user is None or cap is None or not link.reseller.is_active:
            raise InvalidToken("The bearer token does not grant access to a reseller.")
        membership = Membership.objects.filter(user=user, reseller=link.reseller).first()
        if membership is None or not user.is_active:
            raise InvalidToken("The token's user is not a member of the application's reseller.")
        # The application's own level cap holds for tokens issued before it was lowered, too.
        level = min(Level(membership.level), cap, Level(link.level), key=LEVEL_ORDER.index)
        principal = Principal(
            reseller=link.reseller,
            level=level,
            via=Via.API,
            actor_kind=ActorKind.OAUTH_APP,
            actor_id=str(token.application_id),
            actor_repr=f"{user.get_username()} via OAuth app {token.application.name}"[:200],
            user=user,
            ip=client_ip(request._request),
            request_id=getattr(request._request, "request_id", ""),
        )
        whitelisted = ip_is_whitelisted(principal.reseller_id, principal.ip or "")
        return ApiIdentity(principal, whitelisted=whitelisted), principal
