"""Members in the panel: invite by e-mail, change level, remove; never the last full member."""

from __future__ import annotations

import pytest

from apps.core.principal import Level
from apps.resellers.models import Membership
from tests.conftest import make_user

from .conftest import messages_of

pytestmark = pytest.mark.django_db


def test_members_are_listed(owner, tenant_a, tenant_b):
    html = owner.get("/members/").content.decode()
    for role in ("owner", "writer", "reader"):
        assert f"alpha-{role}@example.test" in html
    assert "bravo-owner" not in html
    assert "Last full member" in html


def test_invite_an_existing_user_by_email(owner, tenant_a, outsider):
    response = owner.post("/members/", {"email": "OUTSIDER@example.test", "level": "write"})
    assert response["Location"] == "/members/"
    membership = Membership.objects.get(user=outsider)
    assert (membership.reseller, membership.level) == (tenant_a["reseller"], Level.WRITE)


def test_invite_errors_are_field_errors(owner, tenant_a):
    response = owner.post("/members/", {"email": "nobody@example.test", "level": "read"})
    assert "No active user" in response.context["form"].errors["email"][0]
    response = owner.post("/members/", {"email": "alpha-reader@example.test", "level": "read"})
    assert "already a member" in response.context["form"].errors["email"][0]
    response = owner.post("/members/", {"email": "x@example.test", "level": "admin"})
    assert "level" in response.context["form"].errors


def test_change_level(owner, tenant_a):
    membership = tenant_a["reader"].memberships.get()
    response = owner.post(f"/members/{membership.pk}/level/", {"level": "full"})
    assert response["Location"] == "/members/"
    membership.refresh_from_db()
    assert membership.level == Level.FULL


def test_last_full_member_cannot_be_lowered_or_removed(owner, tenant_a):
    membership = tenant_a["owner"].memberships.get()
    response = owner.post(f"/members/{membership.pk}/level/", {"level": "read"}, follow=True)
    assert any("at least one member with level 'full'" in m for m in messages_of(response))
    response = owner.post(f"/members/{membership.pk}/remove/", follow=True)
    assert any("at least one member with level 'full'" in m for m in messages_of(response))
    membership.refresh_from_db()
    assert membership.level == Level.FULL


def test_remove_with_confirmation(owner, tenant_a):
    membership = tenant_a["writer"].memberships.get()
    response = owner.get(f"/members/{membership.pk}/remove/")
    assert b"will no longer be able to work for Alpha" in response.content
    response = owner.post(f"/members/{membership.pk}/remove/")
    assert response["Location"] == "/members/"
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_full_member_can_step_down_when_another_remains(tenant_a, owner):
    second = make_user("alpha-second")
    Membership.objects.create(user=second, reseller=tenant_a["reseller"], level=Level.FULL)
    membership = tenant_a["owner"].memberships.get()
    owner.post(f"/members/{membership.pk}/level/", {"level": "read"})
    membership.refresh_from_db()
    assert membership.level == Level.READ
    # The page they land on is now refused to them: their level changed with the next request.
    assert owner.get("/members/").status_code == 403
