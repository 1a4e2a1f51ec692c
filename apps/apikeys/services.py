"""Writes on API keys (level `full`). The clear secret leaves this module once, in `create_api_key`'s result."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from apps.apikeys.models import ApiKey
from apps.core import audit
from apps.core.crypto import encrypt
from apps.core.errors import FieldProblem, InsufficientLevel, InvalidState, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.core.timestamps import as_utc


@transaction.atomic
def create_api_key(
    *, principal: Principal, level: str, name: str = "", expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Make a key at `level` (never above the principal's own). Returns the key and its secret, shown once."""
    require_level(principal, Level.FULL)
    if level not in Level.values:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", f"Choose one of {', '.join(Level.values)}.", "level")]
        )
    if not principal.can(level):
        raise InsufficientLevel(f"A key cannot have a higher level than yours ('{principal.level.value}').")
    if expires_at is not None:
        try:
            expires_at = as_utc(expires_at)
        except ValueError as error:
            problem = FieldProblem("validation_failed", str(error), "expires_at")
            raise ValidationFailed.from_problems([problem]) from None
        if expires_at <= timezone.now():
            raise ValidationFailed.from_problems(
                [FieldProblem("validation_failed", "Must be in the future.", "expires_at")]
            )
    if len(name) > 100:
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "At most 100 characters.", "name")])
    secret = secrets.token_urlsafe(32)
    api_key = ApiKey.objects.create(
        reseller_id=principal.reseller_id,
        key=secrets.token_hex(20),
        secret_encrypted=encrypt(secret),
        level=level,
        name=name,
        created_by=principal.user,
        expires_at=expires_at,
    )
    audit.record(principal, "api_key.create", api_key, {"key": api_key.key, "level": level, "name": name})
    return api_key, secret


@transaction.atomic
def revoke_api_key(*, principal: Principal, api_key_id: int) -> ApiKey:
    """Revoke a key at once; it is refused from the next request on."""
    require_level(principal, Level.FULL)
    api_key = ApiKey.objects.select_for_update().get_for_principal(principal, pk=api_key_id)
    if api_key.revoked_at is not None:
        raise InvalidState(f"{api_key} is already revoked.")
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])
    audit.record(principal, "api_key.revoke", api_key, {"key": api_key.key})
    return api_key
