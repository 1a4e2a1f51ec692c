"""Secrets at rest: Fernet with the key from `PANEEL_ENCRYPTION_KEY`."""

from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(clear: str) -> bytes:
    return _fernet(settings.PANEEL_ENCRYPTION_KEY).encrypt(clear.encode())


def decrypt(token: bytes) -> str:
    return _fernet(settings.PANEEL_ENCRYPTION_KEY).decrypt(bytes(token)).decode()
