"""Django's own error pages use the panel's layout."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_unknown_panel_url_is_the_panels_404(owner):
    response = owner.get("/accounts/not-a-number/")
    assert response.status_code == 404
    assert b"paneel.css" in response.content and b"Not found" in response.content


def test_500_page_stands_alone(settings):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and "paneel.css" in html


def test_csrf_failure_page_explains_itself(tenant_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "alpha-owner", "password": "x"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
