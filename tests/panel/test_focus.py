"""Form focus without JavaScript: the first field of a form page, the first field in error after a bad submit."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def focused(html: str) -> list[str]:
    """The names of the inputs that carry `autofocus`."""
    return [
        re.search(r'name="([^"]+)"', tag).group(1)
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
        if re.search(r"\bautofocus\b", tag) and 'name="' in tag
    ]


def test_a_form_page_focuses_its_first_field(writer, servicepack):
    assert focused(writer.get("/accounts/new/").content.decode()) == ["identifier"]


def test_after_an_invalid_submit_the_first_field_in_error_has_the_focus(writer, servicepack):
    response = writer.post(
        "/accounts/new/", {"identifier": "fine.example", "servicepack_id": servicepack.pk, "ftp_password": "short"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert focused(html) == ["ftp_password"]
    assert re.search(r'<input[^>]*name="ftp_password"[^>]*aria-invalid="true"', html)


def test_a_form_below_the_page_content_takes_the_focus_only_after_its_own_error(owner):
    assert focused(owner.get("/members/").content.decode()) == []
    response = owner.post("/members/", {"email": "not-an-address", "level": "read"})
    assert focused(response.content.decode()) == ["email"]


def test_the_sign_in_page_focuses_the_username(client, db):
    assert focused(client.get("/login/").content.decode()) == ["username"]
