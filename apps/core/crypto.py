"""Secrets at rest: Fernet with the key from `PANEEL_ENCRYPTION_KEY`.

Old keys (`PANEEL_ENCRYPTION_OLD_KEYS`) still decrypt, so the key can be rotated: set the new key, list the old one
there, run `manage.py rotate_encryption_key` (re-encrypts every stored secret with the new key), then drop it.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "decrypts_with_current_key", "encrypt", "reencrypt"]


@cache
def _fernet(key: str, old_keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in (key, *old_keys)])


def _current() -> MultiFernet:
    return _fernet(settings.PANEEL_ENCRYPTION_KEY, tuple(getattr(settings, "PANEEL_ENCRYPTION_OLD_KEYS", ())))


def encrypt(clear: str) -> bytes:
    """Encrypt with the current key."""
    return _current().encrypt(clear.encode())


def decrypt(token: bytes) -> str:
    """Decrypt with the current key or any old one; `InvalidToken` when none of them made it."""
    return _current().decrypt(bytes(token)).decode()


def decrypts_with_current_key(token: bytes) -> bool:
    """True when the current key alone decrypts `token` (it needs no rotation)."""
    try:
        Fernet(settings.PANEEL_ENCRYPTION_KEY.encode()).decrypt(bytes(token))
    except InvalidToken:
        return False
    return True


def reencrypt(token: bytes) -> bytes:
    """`token` encrypted again with the current key (`InvalidToken` when no configured key decrypts it)."""
    return _current().rotate(bytes(token))
