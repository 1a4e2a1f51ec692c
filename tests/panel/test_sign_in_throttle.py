"""Sign-in throttling (panel and admin) and password-reset mail throttling, with their exact counts.

Failures only count: per IP (20 in 5 minutes) and per (IP, username) (5 in 5 minutes); never per username alone,
so nobody can lock a user out from another address. Reset mails: 10 requests an hour per IP, 3 mails an hour
per address.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from apps.panel import throttle
from apps.panel.throttle import THROTTLED_MESSAGE
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def login(client: Client, username: str, password: str = PASSWORD, *, path: str = "/login/", ip: str = "192.0.2.10"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_the_limits_are_the_documented_ones():
    assert (throttle.SIGN_IN_FAILURES_PER_IP, throttle.SIGN_IN_FAILURES_PER_IP_AND_USERNAME) == (20, 5)
    assert throttle.SIGN_IN_WINDOW_SECONDS == 300
    assert (throttle.RESET_REQUESTS_PER_IP, throttle.RESET_MAILS_PER_EMAIL) == (10, 3)


def test_five_wrong_passwords_for_one_user_from_one_ip_then_even_the_right_one_is_refused(tenant_a):
    for _ in range(5):
        assert login(Client(), "alpha-owner", "wrong-password").status_code == 200
    client = Client()
    response = login(client, "Alpha-Owner")  # the username's case does not matter
    assert response.status_code == 429
    assert THROTTLED_MESSAGE.encode() in response.content
    assert signed_in_as(client) is None


def test_four_wrong_passwords_then_the_right_one_signs_in(tenant_a):
    for _ in range(4):
        login(Client(), "alpha-owner", "wrong-password")
    client = Client()
    assert login(client, "alpha-owner").status_code == 302
    assert signed_in_as(client) == str(tenant_a["owner"].pk)


def test_successful_sign_ins_do_not_count(tenant_a):
    """One office behind one address: 30 sign-ins in a row all succeed."""
    for _ in range(30):
        client = Client()
        assert login(client, "alpha-owner").status_code == 302
        assert signed_in_as(client) is not None


def test_someone_guessing_from_elsewhere_cannot_lock_the_owner_out(tenant_a):
    for attempt in range(50):
        login(Client(), "alpha-owner", "wrong-password", ip=f"198.51.100.{attempt}")
    client = Client()
    assert login(client, "alpha-owner", ip="203.0.113.7").status_code == 302
    assert signed_in_as(client) == str(tenant_a["owner"].pk)


def test_twenty_failures_from_one_ip_lock_that_ip_for_every_username(tenant_a):
    for number in range(20):
        assert login(Client(), f"nobody-{number}", "wrong-password").status_code == 200
    assert login(Client(), "alpha-writer").status_code == 429
    # Another address is not affected.
    assert login(Client(), "alpha-writer", ip="192.0.2.11").status_code == 302


def test_a_refused_attempt_is_not_counted_as_a_failure(tenant_a):
    """Over the limit nothing is checked, so nothing is added: the count stays at the limit, not above."""
    for _ in range(5):
        login(Client(), "alpha-owner", "wrong-password")
    for _ in range(3):
        assert login(Client(), "alpha-owner").status_code == 429
    assert throttle.cache.get(throttle._key("sign-in", "ip-user", "192.0.2.10", "alpha-owner")) == 5


# ---------------------------------------------------------------------------------------------------------------
# Admin


@pytest.fixture
def operator(db):
    return make_user("operator", is_staff=True, is_superuser=True)


def test_admin_sign_in_works(operator):
    client = Client()
    response = login(client, "operator", path="/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_admin_sign_in_is_throttled_like_the_panel(operator):
    """The issue's reproduction: 15 wrong passwords, then the right one. Now the 6th attempt is refused."""
    for attempt in range(15):
        response = login(Client(), "operator", "wrong-password", path="/admin/login/")
        assert response.status_code == (200 if attempt < 5 else 429), attempt
    client = Client()
    response = login(client, "operator", path="/admin/login/")
    assert response.status_code == 429
    assert THROTTLED_MESSAGE.encode() in response.content
    assert signed_in_as(client) is None
    assert client.get("/admin/").status_code == 302


def test_admin_and_panel_share_the_failure_counts(operator):
    for _ in range(5):
        login(Client(), "operator", "wrong-password", path="/admin/login/")
    assert login(Client(), "operator").status_code == 429


def test_admin_sign_in_refuses_a_user_who_is_not_staff(tenant_a):
    client = Client()
    response = login(client, "alpha-owner", path="/admin/login/")
    assert response.status_code == 200
    assert signed_in_as(client) is None


# ---------------------------------------------------------------------------------------------------------------
# Password-reset mails


def reset(email: str, ip: str = "192.0.2.20"):
    return Client().post("/password/reset/", {"email": email}, REMOTE_ADDR=ip)


def test_thirty_reset_requests_for_one_address_from_one_ip_send_three_mails(tenant_a):
    statuses = [reset("alpha-owner@example.test").status_code for _ in range(30)]
    assert statuses == [302] * 10 + [429] * 20
    assert len(mail.outbox) == 3
    assert {message.to[0] for message in mail.outbox} == {"alpha-owner@example.test"}


def test_reset_mails_to_one_address_are_capped_whoever_asks(tenant_a):
    for number in range(8):
        response = reset("alpha-owner@example.test", ip=f"198.51.100.{number}")
        assert response.status_code == 302 and response["Location"] == "/password/reset/done/"  # says the same
    assert len(mail.outbox) == 3


def test_reset_requests_over_the_ip_limit_get_a_clear_message(tenant_a):
    for number in range(10):
        reset(f"someone-{number}@example.test")
    response = reset("alpha-writer@example.test")
    assert response.status_code == 429
    assert THROTTLED_MESSAGE.encode() in response.content
    assert mail.outbox == []
