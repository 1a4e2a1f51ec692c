"""Two-factor sign-in through the test client: setting it up, signing in with it, recovery codes, enforcement."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client

from apps.core.models import AuditEvent
from apps.core.principal import Level, Principal, Via
from apps.panel.throttle import THROTTLED_MESSAGE
from apps.resellers.services import set_two_factor_requirement
from apps.twofactor import services, totp
from apps.twofactor.models import RecoveryCode, TwoFactorDevice
from apps.twofactor.session import SESSION_TWO_FACTOR_VERIFIED
from apps.twofactor.views import SESSION_SECRET
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def enable(user) -> tuple[str, list[str]]:
    """Turn two-factor on for `user` through the service, a step in the past (so a current code is still new)."""
    secret = totp.generate_secret()
    _, codes = services.enable_two_factor(user=user, secret=secret, code=totp.totp(secret, time.time() - 30))
    TwoFactorDevice.objects.filter(user=user).update(last_used_step=totp.step_at() - 2)
    return secret, codes


def password_step(client: Client, username: str, path: str = "/login/", next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(path, data)


def test_setting_it_up_shows_a_key_and_confirms_it_with_a_code(tenant_a):
    user = tenant_a["owner"]
    client = signed_in(user)
    response = client.get("/account/two-factor/")
    assert response.status_code == 200
    secret = client.session[SESSION_SECRET]
    html = response.content.decode()
    assert f'data-secret="{secret}"' in html and "otpauth://totp/Paneel%3Aalpha-owner" in html

    response = client.post("/account/two-factor/", {"code": "000000" if totp.totp(secret) != "000000" else "111111"})
    assert response.status_code == 200
    assert "That code does not match" in response.content.decode()
    assert not TwoFactorDevice.objects.filter(user=user).exists()

    since = AuditEvent.objects.count()
    response = client.post("/account/two-factor/", {"code": totp.totp(secret)})
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/recovery-codes/"
    device = TwoFactorDevice.objects.get(user=user)
    assert device.recovery_codes.count() == 10

    page = client.get("/account/two-factor/recovery-codes/").content.decode()
    codes = re.findall(r"<li><code>([A-Z0-9-]+)</code></li>", page)
    assert len(codes) == 10
    # Stored hashed only, never in clear; shown once.
    assert not RecoveryCode.objects.filter(code_hash__in=codes).exists()
    assert "<li><code>" not in client.get("/account/two-factor/recovery-codes/").content.decode()

    events = list(AuditEvent.objects.all()[: AuditEvent.objects.count() - since])
    assert [event.action for event in events] == ["two_factor.enable"]
    row = json.dumps(AuditEvent.objects.filter(pk=events[0].pk).values().get(), cls=DjangoJSONEncoder)
    assert secret not in row and not any(code in row for code in codes)
    assert events[0].reseller_id is None and events[0].actor_user_id == user.pk


def test_the_pages_need_a_signed_in_user(db):
    assert Client().get("/account/two-factor/")["Location"].startswith("/login/")
    assert Client().post("/account/two-factor/disable/")["Location"].startswith("/login/")


def test_sign_in_asks_for_the_code_after_the_password(tenant_a):
    secret, _ = enable(tenant_a["owner"])
    client = Client()
    response = password_step(client, "alpha-owner", next_url="/accounts/")
    assert response.status_code == 302 and response["Location"] == "/login/two-factor/"
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get("/accounts/").status_code == 302

    response = client.post("/login/two-factor/", {"code": "12345"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session

    code = totp.totp(secret)
    response = client.post("/login/two-factor/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/accounts/"
    assert client.get("/accounts/").status_code == 200

    # The same code does not open a second session.
    other = Client()
    password_step(other, "alpha-owner")
    response = other.post("/login/two-factor/", {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in other.session
    assert "used already" in response.content.decode()


def test_a_recovery_code_signs_in_once(tenant_a):
    _, codes = enable(tenant_a["owner"])
    client = Client()
    password_step(client, "alpha-owner")
    response = client.post("/login/two-factor/", {"code": codes[3].lower().replace("-", " ")})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(tenant_a["owner"].pk)
    event = AuditEvent.objects.get(action="two_factor.use_recovery_code")
    assert event.changes == {"recovery_codes_left": 9}

    again = Client()
    password_step(again, "alpha-owner")
    assert again.post("/login/two-factor/", {"code": codes[3]}).status_code == 200
    assert "_auth_user_id" not in again.session


def test_wrong_codes_are_throttled_like_passwords(tenant_a):
    secret, _ = enable(tenant_a["owner"])
    client = Client()
    password_step(client, "alpha-owner")
    for _ in range(5):
        assert client.post("/login/two-factor/", {"code": "999999"}).status_code == 200
    response = client.post("/login/two-factor/", {"code": totp.totp(secret)})
    assert response.status_code == 429 and THROTTLED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_the_password_step_goes_back_to_sign_in(tenant_a):
    response = Client().get("/login/two-factor/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_turning_it_off_needs_the_password(tenant_a):
    enable(tenant_a["owner"])
    client = signed_in(tenant_a["owner"])
    response = client.post("/account/two-factor/disable/", {"password": "not-it"})
    assert response.status_code == 400 and "That is not your password." in response.content.decode()
    assert TwoFactorDevice.objects.filter(user=tenant_a["owner"]).exists()
    response = client.post("/account/two-factor/disable/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=tenant_a["owner"]).exists()
    assert AuditEvent.objects.filter(action="two_factor.disable").count() == 1


def test_new_recovery_codes_replace_the_old(tenant_a):
    _, old = enable(tenant_a["owner"])
    client = signed_in(tenant_a["owner"])
    assert client.post("/account/two-factor/recovery-codes/")["Location"] == "/account/two-factor/recovery-codes/"
    assert "<li><code>" in client.get("/account/two-factor/recovery-codes/").content.decode()
    assert not services.verify_second_factor(user=tenant_a["owner"], code=old[0])


# ---------------------------------------------------------------------------------------------------------------
# Enforcement


def test_a_full_member_can_require_it_for_every_member(tenant_a):
    owner = signed_in(tenant_a["owner"])
    response = owner.post("/members/two-factor/", {"required": "on"})
    assert response.status_code == 302
    tenant_a["reseller"].refresh_from_db()
    assert tenant_a["reseller"].require_two_factor

    reader = signed_in(tenant_a["reader"])
    response = reader.get("/accounts/")
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    secret = reader.get("/account/two-factor/") and reader.session[SESSION_SECRET]
    reader.post("/account/two-factor/", {"code": totp.totp(secret)})
    assert reader.get("/accounts/").status_code == 200


def test_a_member_below_full_cannot_require_it(tenant_a):
    assert signed_in(tenant_a["writer"]).post("/members/two-factor/", {"required": "on"}).status_code == 403
    tenant_a["reseller"].refresh_from_db()
    assert not tenant_a["reseller"].require_two_factor


def test_requiring_it_twice_is_refused_as_a_no_op(tenant_a):
    principal = Principal.for_user(tenant_a["owner"], tenant_a["reseller"], Level.FULL, via=Via.PANEL)
    set_two_factor_requirement(principal=principal, required=True)
    client = signed_in(tenant_a["owner"])
    session = client.session
    session[SESSION_TWO_FACTOR_VERIFIED] = True  # as after a sign-in with the code
    session.save()
    response = client.post("/members/two-factor/", {"required": "on"}, follow=True)
    assert "already required" in response.content.decode()
    assert AuditEvent.objects.filter(action="reseller.require_two_factor").count() == 1


def test_a_member_who_has_it_but_signed_in_without_it_signs_in_again(tenant_a):
    tenant_a["reseller"].require_two_factor = True
    tenant_a["reseller"].save()
    enable(tenant_a["writer"])
    client = signed_in(tenant_a["writer"])  # a session made without the code step
    response = client.get("/accounts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert "_auth_user_id" not in client.session


def test_staff_must_use_it_in_admin_when_the_setting_says_so(settings, db):
    settings.PANEEL_STAFF_REQUIRE_TWO_FACTOR = True
    operator = make_user("operator", is_staff=True, is_superuser=True)
    client = Client()
    response = password_step(client, "operator", path="/admin/login/", next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    secret = client.get("/account/two-factor/") and client.session[SESSION_SECRET]
    client.post("/account/two-factor/", {"code": totp.totp(secret)})
    assert client.get("/admin/").status_code == 200

    # Next time: password, then code, then admin.
    TwoFactorDevice.objects.filter(user=operator).update(last_used_step=0)
    client = Client()
    response = password_step(client, "operator", path="/admin/login/", next_url="/admin/")
    assert response["Location"] == "/login/two-factor/"
    response = client.post("/login/two-factor/", {"code": totp.totp(secret, time.time() + 30)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_without_the_setting_use_admin_as_before(db):
    make_user("operator", is_staff=True, is_superuser=True)
    client = Client()
    password_step(client, "operator", path="/admin/login/", next_url="/admin/")
    assert client.get("/admin/").status_code == 200


def test_an_operator_resets_a_lost_device_in_admin_and_it_is_audited(tenant_a):
    enable(tenant_a["owner"])
    device = TwoFactorDevice.objects.get(user=tenant_a["owner"])
    operator = make_user("operator", is_staff=True, is_superuser=True)
    client = signed_in(operator)
    assert client.get("/admin/twofactor/twofactordevice/").status_code == 200
    assert client.get("/admin/twofactor/twofactordevice/add/").status_code == 403
    response = client.post(f"/admin/twofactor/twofactordevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(pk=device.pk).exists()
    event = AuditEvent.objects.get(action="twofactordevice.delete")
    assert event.actor_user_id == operator.pk and event.via == "admin"
