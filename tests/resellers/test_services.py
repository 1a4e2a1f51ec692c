"""Resellers and members: adding, changing and removing members; a reseller always keeps a `full` member."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.core.errors import Duplicate, InvalidState, NotFound, ValidationFailed
from apps.core.models import AuditEvent
from apps.core.principal import ActorKind, Level, Via
from apps.resellers.models import Membership, Reseller
from apps.resellers.selectors import principal_for_user
from apps.resellers.services import add_member, change_member_level, create_reseller, remove_member


def membership_of(tenant: dict, role: str) -> Membership:
    return Membership.objects.get(reseller=tenant["reseller"], user=tenant[role])


def levels(tenant: dict) -> dict[str, str]:
    return dict(Membership.objects.filter(reseller=tenant["reseller"]).values_list("user__username", "level"))


# ---------------------------------------------------------------------------------------------------------------
# add_member


def test_add_member_finds_the_user_by_email_case_insensitively(full_a, outsider, tenant_a):
    membership = add_member(principal=full_a, email="  OUTSIDER@Example.Test ", level="write")
    stored = Membership.objects.get(pk=membership.pk)
    assert (stored.user, stored.reseller, stored.level) == (outsider, tenant_a["reseller"], "write")
    event = AuditEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == ("member.add", "membership", str(membership.pk))
    assert event.changes == {"user": "outsider@example.test", "level": "write"}


def test_a_user_may_be_a_member_of_several_resellers(full_a, full_b, outsider):
    add_member(principal=full_a, email=outsider.email, level="read")
    add_member(principal=full_b, email=outsider.email, level="full")
    assert Membership.objects.filter(user=outsider).count() == 2


def test_add_member_with_an_unknown_email_is_not_found(full_a, tenant_a):
    before = levels(tenant_a)
    with pytest.raises(NotFound) as caught:
        add_member(principal=full_a, email="nobody@example.test", level="read")
    assert (caught.value.code, caught.value.status, caught.value.field) == ("not_found", 404, "email")
    assert levels(tenant_a) == before
    assert not AuditEvent.objects.exists()


def test_add_member_with_an_inactive_user_is_not_found(full_a, outsider):
    get_user_model().objects.filter(pk=outsider.pk).update(is_active=False)
    with pytest.raises(NotFound):
        add_member(principal=full_a, email=outsider.email, level="read")
    assert not Membership.objects.filter(user=outsider).exists()


def test_adding_an_existing_member_is_duplicate(full_a, tenant_a):
    before = levels(tenant_a)
    with pytest.raises(Duplicate) as caught:
        add_member(principal=full_a, email=tenant_a["reader"].email, level="full")
    assert (caught.value.code, caught.value.status, caught.value.field) == ("duplicate", 409, "email")
    assert levels(tenant_a) == before
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("level", ["owner", "", "FULL"])
def test_add_member_with_an_unknown_level_is_refused(full_a, outsider, level):
    with pytest.raises(ValidationFailed) as caught:
        add_member(principal=full_a, email=outsider.email, level=level)
    assert caught.value.field == "level"
    assert not Membership.objects.filter(user=outsider).exists()


# ---------------------------------------------------------------------------------------------------------------
# change_member_level / remove_member and the last `full` member


def test_the_last_full_member_cannot_be_demoted(full_a, tenant_a):
    owner = membership_of(tenant_a, "owner")
    for level in ("write", "read"):
        with pytest.raises(InvalidState) as caught:
            change_member_level(principal=full_a, membership_id=owner.pk, level=level)
        assert (caught.value.code, caught.value.status) == ("invalid_state", 409)
    assert Membership.objects.get(pk=owner.pk).level == "full"
    assert not AuditEvent.objects.exists()


def test_the_last_full_member_cannot_be_removed(full_a, tenant_a):
    owner = membership_of(tenant_a, "owner")
    with pytest.raises(InvalidState):
        remove_member(principal=full_a, membership_id=owner.pk)
    assert Membership.objects.filter(pk=owner.pk, level="full").exists()
    assert not AuditEvent.objects.exists()


def test_a_full_member_can_be_demoted_when_another_remains(full_a, tenant_a):
    writer = membership_of(tenant_a, "writer")
    change_member_level(principal=full_a, membership_id=writer.pk, level="full")
    owner = membership_of(tenant_a, "owner")
    change_member_level(principal=full_a, membership_id=owner.pk, level="read")
    assert levels(tenant_a) == {"alpha-owner": "read", "alpha-writer": "full", "alpha-reader": "read"}
    # Now the writer is the last full member.
    with pytest.raises(InvalidState):
        change_member_level(principal=full_a, membership_id=writer.pk, level="write")
    assert Membership.objects.get(pk=writer.pk).level == "full"


def test_change_member_level_audits_the_change(full_a, tenant_a):
    reader = membership_of(tenant_a, "reader")
    change_member_level(principal=full_a, membership_id=reader.pk, level="write")
    assert Membership.objects.get(pk=reader.pk).level == "write"
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.changes) == (
        "member.change_level",
        str(reader.pk),
        {"level": ["read", "write"]},
    )


def test_change_member_level_refuses_an_unknown_level(full_a, tenant_a):
    reader = membership_of(tenant_a, "reader")
    with pytest.raises(ValidationFailed):
        change_member_level(principal=full_a, membership_id=reader.pk, level="owner")
    assert Membership.objects.get(pk=reader.pk).level == "read"


def test_a_full_member_can_be_removed_when_another_remains(full_a, tenant_a):
    writer = membership_of(tenant_a, "writer")
    change_member_level(principal=full_a, membership_id=writer.pk, level="full")
    owner = membership_of(tenant_a, "owner")
    remove_member(principal=full_a, membership_id=owner.pk)
    assert levels(tenant_a) == {"alpha-writer": "full", "alpha-reader": "read"}


def test_remove_member_deletes_the_membership_and_audits_once(full_a, tenant_a):
    reader = membership_of(tenant_a, "reader")
    remove_member(principal=full_a, membership_id=reader.pk)
    assert not Membership.objects.filter(pk=reader.pk).exists()
    assert get_user_model().objects.filter(pk=tenant_a["reader"].pk).exists()  # the user stays
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id, event.changes) == (
        "member.remove",
        str(reader.pk),
        {"user": "alpha-reader@example.test"},
    )


# ---------------------------------------------------------------------------------------------------------------
# create_reseller (an operator's act) and principal_for_user


def test_create_reseller_with_an_owner(outsider):
    reseller = create_reseller(name="  Charlie Hosting ", owner_email=outsider.email)
    assert (reseller.name, reseller.slug, reseller.is_active) == ("Charlie Hosting", "charlie-hosting", True)
    assert Membership.objects.get(reseller=reseller).user == outsider
    assert Membership.objects.get(reseller=reseller).level == "full"
    events = list(AuditEvent.objects.order_by("pk"))
    assert [e.action for e in events] == ["reseller.create", "member.add"]
    for event in events:
        assert (event.reseller_id, event.via, event.actor_kind, event.actor_repr) == (
            reseller.pk,
            Via.CLI,
            ActorKind.SYSTEM,
            "operator",
        )
        assert event.actor_user is None


def test_create_reseller_with_a_taken_slug_is_duplicate(tenant_a):
    with pytest.raises(Duplicate) as caught:
        create_reseller(name="Alpha")
    assert caught.value.field == "slug"
    assert Reseller.objects.filter(slug="alpha").count() == 1


@pytest.mark.parametrize(("name", "field"), [("  ", "name"), ("!!!", "slug")])
def test_create_reseller_validates_name_and_slug(db, name, field):
    with pytest.raises(ValidationFailed) as caught:
        create_reseller(name=name)
    assert caught.value.field == field
    assert not Reseller.objects.exists()


def test_create_reseller_with_an_unknown_owner_creates_nothing(db):
    with pytest.raises(NotFound):
        create_reseller(name="Delta", owner_email="nobody@example.test")
    assert not Reseller.objects.exists()
    assert not AuditEvent.objects.exists()


def test_principal_for_user_takes_the_level_from_the_membership(tenant_a):
    principal = principal_for_user(tenant_a["writer"], tenant_a["reseller"].pk, via=Via.PANEL, ip="192.0.2.1")
    assert (principal.reseller, principal.level, principal.user, principal.ip) == (
        tenant_a["reseller"],
        Level.WRITE,
        tenant_a["writer"],
        "192.0.2.1",
    )


def test_principal_for_user_of_another_reseller_is_not_found(tenant_a, tenant_b, outsider):
    with pytest.raises(NotFound):
        principal_for_user(tenant_a["owner"], tenant_b["reseller"].pk, via=Via.PANEL)
    with pytest.raises(NotFound):
        principal_for_user(outsider, tenant_a["reseller"].pk, via=Via.PANEL)


def test_principal_for_an_inactive_user_or_reseller_is_not_found(tenant_a):
    Reseller.objects.filter(pk=tenant_a["reseller"].pk).update(is_active=False)
    with pytest.raises(NotFound):
        principal_for_user(tenant_a["owner"], tenant_a["reseller"].pk, via=Via.PANEL)
    Reseller.objects.filter(pk=tenant_a["reseller"].pk).update(is_active=True)
    user = tenant_a["owner"]
    user.is_active = False
    with pytest.raises(NotFound):
        principal_for_user(user, tenant_a["reseller"].pk, via=Via.PANEL)
