"""Writes on resellers and their members."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.text import slugify

from apps.core import audit
from apps.core.errors import Duplicate, FieldProblem, InvalidState, NotFound, ValidationFailed
from apps.core.principal import Level, Principal, Via
from apps.core.tenancy import require_level
from apps.resellers.models import Membership, Reseller

User = get_user_model()


@transaction.atomic
def create_reseller(*, name: str, slug: str = "", owner_email: str = "", via: str = Via.CLI) -> Reseller:
    """Create a reseller (an operator's act); with `owner_email`, that existing user becomes its `full` member."""
    name = name.strip()
    if not name:
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "A name is required.", "name")])
    slug = slugify(slug or name)[:50]
    if not slug:
        raise ValidationFailed.from_problems([FieldProblem("validation_failed", "Cannot make a slug of this.", "slug")])
    if Reseller.objects.filter(slug=slug).exists():
        raise Duplicate(f"A reseller with slug '{slug}' already exists.", field="slug")
    reseller = Reseller.objects.create(name=name, slug=slug)
    principal = Principal.system(reseller, via=via, actor_repr="operator")
    audit.record(principal, "reseller.create", reseller, {"name": name, "slug": slug})
    if owner_email:
        add_member(principal=principal, email=owner_email, level=Level.FULL)
    return reseller


def _user_by_email(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk").first()
    if user is None:
        raise NotFound(f"No active user with e-mail {email}.", field="email")
    return user


def _checked_level(level: str) -> str:
    if level not in Level.values:
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", f"Choose one of {', '.join(Level.values)}.", "level")]
        )
    return level


@transaction.atomic
def add_member(*, principal: Principal, email: str, level: str) -> Membership:
    """Give an existing user (found by e-mail) access to the principal's reseller at `level`."""
    require_level(principal, Level.FULL)
    user = _user_by_email(email)
    level = _checked_level(level)
    if Membership.objects.filter(user=user, reseller_id=principal.reseller_id).exists():
        raise Duplicate(f"{user.email} is already a member.", field="email")
    membership = Membership.objects.create(user=user, reseller_id=principal.reseller_id, level=level)
    audit.record(principal, "member.add", membership, {"user": user.email, "level": level})
    return membership


def _ensure_another_full_member(membership: Membership) -> None:
    others = Membership.objects.filter(reseller_id=membership.reseller_id, level=Level.FULL).exclude(pk=membership.pk)
    if membership.level == Level.FULL and not others.exists():
        raise InvalidState("A reseller keeps at least one member with level 'full'.")


@transaction.atomic
def change_member_level(*, principal: Principal, membership_id: int, level: str) -> Membership:
    """Change a member's level; the last `full` member cannot be lowered."""
    require_level(principal, Level.FULL)
    level = _checked_level(level)
    # Lock all of the reseller's memberships so two concurrent demotions cannot both pass the last-full check.
    list(Membership.objects.select_for_update().filter(reseller_id=principal.reseller_id))
    membership = Membership.objects.select_related("user").get_for_principal(principal, pk=membership_id)
    if level != Level.FULL:
        _ensure_another_full_member(membership)
    changes = audit.diff({"level": membership.level}, {"level": level})
    membership.level = level
    membership.save(update_fields=["level"])
    audit.record(principal, "member.change_level", membership, changes)
    return membership


@transaction.atomic
def remove_member(*, principal: Principal, membership_id: int) -> None:
    """Take a user's access away; never the last `full` member."""
    require_level(principal, Level.FULL)
    list(Membership.objects.select_for_update().filter(reseller_id=principal.reseller_id))
    membership = Membership.objects.select_related("user").get_for_principal(principal, pk=membership_id)
    _ensure_another_full_member(membership)
    audit.record(principal, "member.remove", membership, {"user": membership.user.email})
    membership.delete()


@transaction.atomic
def set_two_factor_requirement(*, principal: Principal, required: bool) -> Reseller:
    """Require (or stop requiring) every member of the principal's reseller to sign in with a second factor."""
    require_level(principal, Level.FULL)
    reseller = Reseller.objects.select_for_update().get(pk=principal.reseller_id)
    if reseller.require_two_factor == bool(required):
        state = "already required" if required else "not required"
        raise InvalidState(f"Two-factor sign-in is {state} for {reseller.name}.", field="required")
    reseller.require_two_factor = bool(required)
    reseller.save(update_fields=["require_two_factor"])
    audit.record(principal, "reseller.require_two_factor", reseller, {"require_two_factor": [not required, required]})
    return reseller
