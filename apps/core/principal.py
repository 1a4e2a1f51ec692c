"""Who is acting: the one object every door (panel, API, admin, worker) hands to services and selectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class Level(models.TextChoices):
    """Access levels, ordered: read < write < full."""

    READ = "read", "Read"
    WRITE = "write", "Write"
    FULL = "full", "Full"

    @property
    def rank(self) -> int:
        return LEVEL_ORDER.index(self.value)

    def allows(self, required: Level | str) -> bool:
        """True when this level is at least `required`."""
        return self.rank >= Level(required).rank


LEVEL_ORDER = [Level.READ.value, Level.WRITE.value, Level.FULL.value]


class Via(models.TextChoices):
    PANEL = "panel", "Panel"
    API = "api", "API"
    ADMIN = "admin", "Admin"
    WORKER = "worker", "Worker"
    CLI = "cli", "Command line"


class ActorKind(models.TextChoices):
    USER = "user", "User"
    API_KEY = "api_key", "API key"
    OAUTH_APP = "oauth_app", "OAuth application"
    SYSTEM = "system", "System"


@dataclass(frozen=True)
class Principal:
    """`(reseller, level, actor, via)`: what every permission check and every audit event starts from.

    `reseller` is the tenant every query is scoped to. `actor_kind`/`actor_id`/`actor_repr` name who acts
    (a user, an API key, an OAuth application or the system) without core knowing those models.
    """

    reseller: Any
    level: Level
    via: str
    actor_kind: str = ActorKind.SYSTEM
    actor_id: str = ""
    actor_repr: str = "system"
    user: AbstractBaseUser | None = None
    ip: str | None = None
    request_id: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level(self.level))

    @property
    def reseller_id(self) -> int:
        return self.reseller.pk

    def can(self, level: Level | str) -> bool:
        """May this principal act at `level`?"""
        return self.level.allows(level)

    @classmethod
    def for_user(
        cls, user: AbstractBaseUser, reseller: Any, level: Level | str, *, via: str, **extra: Any
    ) -> Principal:
        return cls(
            reseller=reseller,
            level=Level(level),
            via=via,
            actor_kind=ActorKind.USER,
            actor_id=str(user.pk),
            actor_repr=user.get_username(),
            user=user,
            **extra,
        )

    @classmethod
    def operator(cls, user: AbstractBaseUser, reseller: Any, **extra: Any) -> Principal:
        """A staff user acting in Django admin on behalf of `reseller`: full level, audited as `admin`."""
        return cls.for_user(user, reseller, Level.FULL, via=Via.ADMIN, **extra)

    @classmethod
    def system(cls, reseller: Any, *, via: str = Via.WORKER, actor_repr: str = "system") -> Principal:
        return cls(reseller=reseller, level=Level.FULL, via=via, actor_kind=ActorKind.SYSTEM, actor_repr=actor_repr)
