"""Signing in and out, throttling, passwords, the no-access page and the reseller switcher."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from apps.core.principal import Level
from apps.panel.panel import SESSION_RESELLER_KEY
from apps.resellers.models import Membership
from tests.conftest import PASSWORD, make_user

from .conftest import messages_of, signed_in

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def test_login_page_has_labelled_fields_and_csrf(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert "csrfmiddlewaretoken" in html


def test_member_signs_in_and_lands_on_the_dashboard(client, tenant_a):
    response = login(client, "alpha-owner")
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get("/")
    assert response.status_code == 200
    assert b"Alpha" in response.content


def test_wrong_password_is_a_form_error(client, tenant_a):
    response = login(client, "alpha-owner", "wrong-password")
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_next_parameter_brings_the_user_back(client, tenant_a):
    response = client.get("/accounts/")
    assert response["Location"] == "/login/?next=/accounts/"
    response = client.post("/login/", {"username": "alpha-owner", "password": PASSWORD, "next": "/accounts/"})
    assert response["Location"] == "/accounts/"


def test_logout_is_a_post_and_ends_the_session(owner):
    assert owner.get("/logout/").status_code == 405
    response = owner.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"
    assert owner.get("/").status_code == 302


def test_logout_needs_the_csrf_token(tenant_a):
    client = signed_in(tenant_a["owner"], enforce_csrf_checks=True)
    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200


def test_password_change(owner, tenant_a):
    response = owner.get("/password/change/")
    assert response.status_code == 200
    response = owner.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": "Brand-new-pass-42", "new_password2": "Brand-new-pass-42"},
    )
    assert response.status_code == 302 and response["Location"] == "/password/change/done/"
    assert owner.get("/password/change/done/").status_code == 200
    tenant_a["owner"].refresh_from_db()
    assert tenant_a["owner"].check_password("Brand-new-pass-42")


def test_password_change_errors_are_tied_to_their_fields(owner):
    response = owner.post("/password/change/", {"old_password": "nope", "new_password1": "abc", "new_password2": "abd"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'id="id_old_password_error"' in html
    assert 'aria-describedby="id_old_password_error"' in html


def test_password_reset_by_email(client, tenant_a):
    assert client.get("/password/reset/").status_code == 200
    response = client.post("/password/reset/", {"email": "alpha-owner@example.test"})
    assert response["Location"] == "/password/reset/done/"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    assert b"Choose a new password" in response.content
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "Reset-pass-4242", "new_password2": "Reset-pass-4242"}
    )
    assert response["Location"] == "/password/reset/complete/"
    tenant_a["owner"].refresh_from_db()
    assert tenant_a["owner"].check_password("Reset-pass-4242")


def test_password_reset_for_unknown_address_says_the_same_and_sends_nothing(client, db):
    response = client.post("/password/reset/", {"email": "nobody@example.test"})
    assert response["Location"] == "/password/reset/done/"
    assert mail.outbox == []


def test_user_without_membership_sees_the_no_access_page(outsider):
    response = signed_in(outsider).get("/")
    assert response.status_code == 403
    assert b"No reseller access" in response.content
    assert b'href="/admin/"' not in response.content


def test_staff_without_membership_gets_a_link_to_admin(db):
    staff = make_user("operator", is_staff=True)
    response = signed_in(staff).get("/accounts/")
    assert response.status_code == 403
    assert b'href="/admin/"' in response.content


def test_inactive_reseller_gives_no_access(tenant_a):
    tenant_a["reseller"].is_active = False
    tenant_a["reseller"].save()
    assert signed_in(tenant_a["owner"]).get("/").status_code == 403


# ---------------------------------------------------------------------------------------------------------------
# Reseller switcher


@pytest.fixture
def partner(tenant_a, tenant_b):
    """A user who works for both resellers: write for Alpha, read for Bravo."""
    user = make_user("partner")
    Membership.objects.create(user=user, reseller=tenant_a["reseller"], level=Level.WRITE)
    Membership.objects.create(user=user, reseller=tenant_b["reseller"], level=Level.READ)
    return user


def test_switcher_shows_only_for_users_with_several_resellers(partner, owner):
    assert b'id="reseller-switcher"' in signed_in(partner).get("/").content
    assert b'id="reseller-switcher"' not in owner.get("/").content


def test_switching_reseller_is_kept_in_the_session(partner, tenant_b, account_a, account_b):
    client = signed_in(partner)
    assert b"alpha-shop.example" in client.get("/accounts/").content  # first membership by name: Alpha
    response = client.post("/switch/", {"reseller_id": tenant_b["reseller"].pk})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_RESELLER_KEY] == tenant_b["reseller"].pk
    assert "You are now working for Bravo." in messages_of(client.get("/"))
    listing = client.get("/accounts/").content
    assert b"bravo-shop.example" in listing and b"alpha-shop.example" not in listing
    # The level follows the reseller: read for Bravo.
    assert client.get("/accounts/new/").status_code == 403


def test_switching_to_a_reseller_that_is_not_yours_is_not_found(owner, tenant_b):
    response = owner.post("/switch/", {"reseller_id": tenant_b["reseller"].pk})
    assert response.status_code == 404
    assert SESSION_RESELLER_KEY not in owner.session or owner.session[SESSION_RESELLER_KEY] != tenant_b["reseller"].pk


def test_switch_page_lists_the_resellers(partner):
    response = signed_in(partner).get("/switch/")
    assert response.status_code == 200
    assert b"Work for Bravo" in response.content


def test_removed_membership_falls_back_to_the_first_remaining(partner, tenant_a, tenant_b, account_a, account_b):
    client = signed_in(partner)
    client.post("/switch/", {"reseller_id": tenant_b["reseller"].pk})
    Membership.objects.filter(user=partner, reseller=tenant_b["reseller"]).delete()
    response = client.get("/accounts/")
    assert response.status_code == 200
    assert b"alpha-shop.example" in response.content and b"bravo-shop.example" not in response.content
    assert client.session[SESSION_RESELLER_KEY] == tenant_a["reseller"].pk


def test_level_is_checked_on_every_request(writer, tenant_a):
    assert writer.get("/accounts/new/").status_code == 200
    Membership.objects.filter(user=tenant_a["writer"]).update(level=Level.READ)
    assert writer.get("/accounts/new/").status_code == 403


def test_deactivated_user_is_signed_out(tenant_a):
    client = signed_in(tenant_a["owner"])
    get_user_model().objects.filter(pk=tenant_a["owner"].pk).update(is_active=False)
    assert client.get("/").status_code == 302
