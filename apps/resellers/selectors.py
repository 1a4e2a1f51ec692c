"""Reads about resellers and memberships."""

from __future__ import annotations

from apps.core.errors import NotFound
from apps.core.principal import Principal
from apps.resellers.models import Membership


def principal_for_user(user, reseller_id: int, *, via: str, **extra) -> Principal:
    """The principal of `user` acting for reseller `reseller_id`, from their membership (NotFound without one)."""
    membership = (
        Membership.objects.select_related("reseller")
        .filter(user=user, reseller_id=reseller_id, reseller__is_active=True)
        .first()
    )
    if membership is None or not user.is_active:
        raise NotFound("Reseller not found.")
    return Principal.for_user(user, membership.reseller, membership.level, via=via, **extra)
