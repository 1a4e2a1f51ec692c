"""Counting sign-in failures and password-reset mails in the shared cache (Redis in production).

A counter is a cache key that lives `window` seconds from its first hit; `cache.incr` is atomic in Redis and in
the local-memory cache, so concurrent requests never slip past a limit. A sign-in attempt *reserves* a failure
before the password is checked and gives it back when the sign-in succeeds: so parallel guesses are counted
while they run, and successful sign-ins never count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from apps.core.ip import client_ip

KEY_PREFIX = "paneel:throttle:"

# Sign-in (panel, admin and the two-factor step): failures in a 5-minute window.
SIGN_IN_WINDOW_SECONDS = 300
SIGN_IN_FAILURES_PER_IP = 20  # an office behind one address: many users, each mistyping now and then
SIGN_IN_FAILURES_PER_IP_AND_USERNAME = 5  # one user from one address
# Password-reset mails: requests per hour from one address, mails per hour to one address.
RESET_WINDOW_SECONDS = 3600
RESET_REQUESTS_PER_IP = 10
RESET_MAILS_PER_EMAIL = 3

THROTTLED_MESSAGE = "Too many attempts, try again in a few minutes."


def _key(scope: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]
    return f"{KEY_PREFIX}{scope}:{digest}"


def _hit(key: str, window: int) -> int:
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def _give_back(key: str) -> None:
    try:
        if cache.decr(key) < 0:
            cache.set(key, 0, timeout=SIGN_IN_WINDOW_SECONDS)
    except ValueError:  # the window ended meanwhile: nothing to give back
        pass


def normalized_username(username: str) -> str:
    return (username or "").strip().lower()


@dataclass
class SignInAttempt:
    """One sign-in attempt's reservation against the per-IP and per-(IP, username) failure counts."""

    keys: tuple[str, str]
    throttled: bool

    def succeeded(self) -> None:
        """The credentials were right: this attempt is not a failure."""
        for key in self.keys:
            _give_back(key)


def reserve_sign_in(request: HttpRequest, username: str, *, scope: str = "sign-in") -> SignInAttempt:
    """Count this attempt as a failure until it succeeds; `throttled` (and nothing counted) once over a limit.

    Never keyed by the username alone: whoever guesses at a user's password from elsewhere cannot lock the
    owner out of their own address.
    """
    ip = client_ip(request)
    keys = (_key(scope, "ip", ip), _key(scope, "ip-user", ip, normalized_username(username)))
    by_ip = _hit(keys[0], SIGN_IN_WINDOW_SECONDS)
    by_pair = _hit(keys[1], SIGN_IN_WINDOW_SECONDS)
    attempt = SignInAttempt(keys=keys, throttled=False)
    if by_ip > SIGN_IN_FAILURES_PER_IP or by_pair > SIGN_IN_FAILURES_PER_IP_AND_USERNAME:
        attempt.succeeded()  # a refused attempt checks no password: it is not a failure either
        attempt.throttled = True
    return attempt


def reset_request_throttled(request: HttpRequest) -> bool:
    """Count a password-reset request from this client's address; True once over the hourly limit."""
    return _hit(_key("reset-ip", client_ip(request)), RESET_WINDOW_SECONDS) > RESET_REQUESTS_PER_IP


def reset_mail_allowed(email: str) -> bool:
    """Count a reset mail to `email`; False once that address had its hourly share (whoever asks)."""
    return _hit(_key("reset-email", email.strip().lower()), RESET_WINDOW_SECONDS) <= RESET_MAILS_PER_EMAIL
