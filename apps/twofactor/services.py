"""Writes on a user's own two-factor sign-in: turn it on (with recovery codes), new codes, turn it off, use a code.

These act on the signed-in user's own credentials, for whichever reseller they work: they take the `user` (and the
request's ip and id for the audit event), not a reseller principal, and need no level. Each write is audited
once, with no reseller (the event belongs to the user, not to a tenant).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from apps.core import audit
from apps.core.crypto import decrypt, encrypt
from apps.core.errors import InvalidState, ValidationFailed
from apps.core.principal import ActorKind, Level, Principal, Via
from apps.twofactor import totp
from apps.twofactor.models import RecoveryCode, TwoFactorDevice

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off paper


def user_principal(user, *, via: str = Via.PANEL, ip: str | None = None, request_id: str = "") -> Principal:
    """The principal of a user acting on their own sign-in, outside any reseller (for the audit event)."""
    return Principal(
        reseller=None,
        level=Level.READ,
        via=via,
        actor_kind=ActorKind.USER,
        actor_id=str(user.pk),
        actor_repr=user.get_username(),
        user=user,
        ip=ip,
        request_id=request_id,
    )


def _normalize_recovery_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_recovery_code(code: str) -> str:
    """SHA-256 of the code without separators: 80 random bits each, so a fast hash is enough."""
    return hashlib.sha256(_normalize_recovery_code(code).encode()).hexdigest()


def _new_recovery_codes(device: TwoFactorDevice) -> list[str]:
    device.recovery_codes.all().delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, code_hash=hash_recovery_code(c)) for c in codes)
    return codes


def has_two_factor(user) -> bool:
    return user.is_authenticated and TwoFactorDevice.objects.filter(user=user).exists()


def enable_two_factor(
    *, user, secret: str, code: str, ip: str | None = None, request_id: str = ""
) -> tuple[TwoFactorDevice, list[str]]:
    """Confirm `secret` (shown to the user as a QR code / text) with a current `code` from their app.

    Returns the device and the recovery codes in clear: the only time they are shown.
    """
    step = totp.matching_step(secret, code)
    if step is None:
        raise ValidationFailed("That code does not match; check the time on your phone and try again.", field="code")
    with transaction.atomic():
        if TwoFactorDevice.objects.select_for_update().filter(user=user).exists():
            raise InvalidState("Two-factor sign-in is already on.")
        device = TwoFactorDevice.objects.create(
            user=user, secret_encrypted=encrypt(secret), last_used_step=step, last_used_at=timezone.now()
        )
        codes = _new_recovery_codes(device)
        audit.record(user_principal(user, ip=ip, request_id=request_id), "two_factor.enable", device)
    return device, codes


def regenerate_recovery_codes(*, user, ip: str | None = None, request_id: str = "") -> list[str]:
    """Replace the user's recovery codes with new ones (the old ones stop working); returns them in clear."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise InvalidState("Two-factor sign-in is off.")
        codes = _new_recovery_codes(device)
        audit.record(user_principal(user, ip=ip, request_id=request_id), "two_factor.new_recovery_codes", device)
    return codes


def disable_two_factor(*, user, password: str, ip: str | None = None, request_id: str = "") -> None:
    """Turn two-factor sign-in off, after the user confirmed their password."""
    if not user.check_password(password or ""):
        raise ValidationFailed("That is not your password.", field="password")
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise InvalidState("Two-factor sign-in is off.")
        audit.record(user_principal(user, ip=ip, request_id=request_id), "two_factor.disable", device)
        device.delete()


def verify_second_factor(*, user, code: str, ip: str | None = None, request_id: str = "") -> bool:
    """Check a sign-in's second factor: a code from the app (each used once) or an unused recovery code.

    A recovery code is used up and its use audited; an app code only moves the device's last used step.
    """
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            return False
        step = totp.matching_step(decrypt(device.secret_encrypted), code, after_step=device.last_used_step)
        if step is not None:
            device.last_used_step = step
            device.last_used_at = timezone.now()
            device.save(update_fields=["last_used_step", "last_used_at"])
            return True
        wanted = hash_recovery_code(code)
        for recovery in device.recovery_codes.filter(used_at__isnull=True):
            if hmac.compare_digest(recovery.code_hash, wanted) and _normalize_recovery_code(code):
                recovery.used_at = timezone.now()
                recovery.save(update_fields=["used_at"])
                left = device.recovery_codes.filter(used_at__isnull=True).count()
                audit.record(
                    user_principal(user, ip=ip, request_id=request_id),
                    "two_factor.use_recovery_code",
                    device,
                    {"recovery_codes_left": left},
                )
                return True
    return False
