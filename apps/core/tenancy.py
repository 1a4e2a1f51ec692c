"""Tenant scoping in one place: every tenant-owned model's manager comes from `TenantQuerySet`.

A model names the path from itself to its reseller (`reseller_path`); `for_principal` filters on it, so an
object of another reseller is simply not in the queryset: callers answer 404, never 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.core.exceptions import ValidationError
from django.db import models

from apps.core.errors import InsufficientLevel, NotFound
from apps.core.principal import Level

if TYPE_CHECKING:
    from apps.core.principal import Principal


class TenantQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a principal may see."""

    def for_principal(self, principal: Principal) -> Self:
        path = self.model.reseller_path
        return self.filter(**{path: principal.reseller_id})

    def get_for_principal(self, principal: Principal, **lookup: Any) -> Any:
        """The object matching `lookup` within the principal's reseller, or `NotFound`."""
        try:
            return self.for_principal(principal).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
            raise NotFound(f"{self.model._meta.verbose_name.capitalize()} not found.") from exc


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    pass


def require_level(principal: Principal, level: Level | str) -> None:
    """Refuse, with `insufficient_level`, a principal below `level`."""
    if not principal.can(level):
        raise InsufficientLevel(f"This needs level '{Level(level).value}'; you have '{principal.level.value}'.")
