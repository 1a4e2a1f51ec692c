"""The HMAC request signature of DESIGN 6.1: `paneel_client` signs with it; the server verifies with it
(`apps.apikeys.signing`, which also accepts the other canonical forms clients of the reference use).

Standard library only, so the client needs nothing else; `apps.apikeys.signing` re-exports it for the server.

string to sign = key + method.lower() + encode(lower(decode(path?query))) + timestamp + nonce [+ b64(md5(body))]
signature      = b64(HMAC-SHA256(secret, string to sign))
header         = "hmac key:signature:nonce:timestamp"
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

SCHEME = "hmac"
NONCE = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
KEY = re.compile(r"^[A-Za-z0-9]{16,64}$")
TIMESTAMP = re.compile(r"^[0-9]{1,12}$")
# Form-style encoding: every byte but these becomes %XX (upper-case hex), a space becomes "+".
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def form_encode(data: bytes) -> str:
    """PHP's `urlencode`: unreserved bytes as they are, space as '+', everything else as upper-case %XX."""
    out = []
    for byte in data:
        if byte in UNRESERVED:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def form_decode(target: str) -> bytes:
    """PHP's `urldecode`: '+' is a space, %XX a byte; the raw bytes come back."""
    return unquote_to_bytes(target.replace("+", " "))


def canonical_targets(target: str) -> tuple[str, str]:
    """The encoded path?query in the documented (lowercased) form and in the not-lowercased form."""
    raw = form_decode(target)
    text = raw.decode("utf-8", errors="surrogateescape")
    lowered = text.lower().encode("utf-8", errors="surrogateescape")
    return form_encode(lowered), form_encode(raw)


def body_digest(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii") if body else ""  # noqa: S324 (the protocol's choice)


def string_to_sign(*, key: str, method: str, encoded_target: str, timestamp: str, nonce: str, body: bytes) -> str:
    return f"{key}{method.lower()}{encoded_target}{timestamp}{nonce}{body_digest(body)}"


def sign(secret: str, message: str) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).digest()).decode()


def authorization_header(
    *, key: str, secret: str, method: str, target: str, body: bytes = b"", timestamp: int, nonce: str | None = None
) -> str:
    """The `Authorization` header value for a request to `target` (path and query, e.g. `/v2/accounts?take=10`)."""
    nonce = nonce or secrets.token_urlsafe(24)
    encoded = canonical_targets(target)[0]
    message = string_to_sign(
        key=key, method=method, encoded_target=encoded, timestamp=str(timestamp), nonce=nonce, body=body
    )
    return f"{SCHEME} {key}:{sign(secret, message)}:{nonce}:{timestamp}"


@dataclass(frozen=True)
class ParsedHeader:
    key: str
    signature: str
    nonce: str
    timestamp: int


def parse_header(value: str) -> ParsedHeader | None:
    """The parts of an `hmac key:signature:nonce:timestamp` header, or None when it is not well-formed."""
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() != SCHEME:
        return None
    parts = credentials.strip().split(":")
    if len(parts) != 4:
        return None
    key, signature, nonce, timestamp = parts
    if not (KEY.match(key) and NONCE.match(nonce) and TIMESTAMP.match(timestamp) and signature):
        return None
    return ParsedHeader(key=key, signature=signature, nonce=nonce, timestamp=int(timestamp))
