"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), HMAC-SHA1, 6 digits, 30-second steps.

What every authenticator app (Google Authenticator, Aegis, 1Password, ...) computes from the same secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
# Steps accepted either side of now: a phone whose clock is up to 30 seconds off still signs in.
DRIFT_STEPS = 1


def generate_secret() -> str:
    """A new random 160-bit secret, Base32 without padding (what authenticator apps take)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(secret: str, counter: int, *, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226: the one-time password for `counter`."""
    mac = hmac.new(_key(secret), struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def step_at(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def totp(secret: str, at: float | None = None, **kwargs) -> str:
    """RFC 6238: the one-time password at unix time `at` (now by default)."""
    return hotp(secret, step_at(at), **kwargs)


def matching_step(secret: str, code: str, *, after_step: int = 0, at: float | None = None) -> int | None:
    """The time step `code` belongs to (now, or one step either side), if later than `after_step`; else None.

    A step at or before `after_step` (the last one used) is refused, so a code cannot be used twice.
    """
    code = "".join((code or "").split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(at)
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if step > after_step and hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://` URI an authenticator app reads (from a QR code or pasted)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": 30})
    return f"otpauth://totp/{label}?{query}"
