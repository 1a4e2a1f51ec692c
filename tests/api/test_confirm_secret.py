"""Confirm-secret deletes: a DELETE made with an OAuth bearer token carries the application's `client_secret` (JSON
body, or the query as a fallback) or is refused with 403 `client_secret_required`; HMAC keys are unaffected."""

from __future__ import annotations

import pytest
from oauth2_provider.models import Application

from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.services import add_whitelist_entry
from tests.api.conftest import assert_problem
from tests.security.test_oauth import CLEAR_SECRET, IP, bearer, make_app, orm_token


@pytest.fixture
def token(tenant_a):
    IpWhitelistEntry.objects.get_or_create(reseller=tenant_a["reseller"], cidr=IP)
    app = make_app(tenant_a, tenant_a["owner"])
    return orm_token(app, tenant_a["owner"], "full")


@pytest.fixture
def entry(full_a):
    return add_whitelist_entry(principal=full_a, cidr="203.0.113.0/24")


def test_delete_with_the_secret_in_the_body_goes_through(token, entry):
    response = bearer("DELETE", f"/v2/ipwhitelist/{entry.pk}", token, data={"client_secret": CLEAR_SECRET})
    assert response.status_code == 204, response.content
    assert not IpWhitelistEntry.objects.filter(pk=entry.pk).exists()


def test_delete_with_the_secret_in_the_query_goes_through(token, entry):
    response = bearer("DELETE", f"/v2/ipwhitelist/{entry.pk}?client_secret={CLEAR_SECRET}", token)
    assert response.status_code == 204, response.content


@pytest.mark.parametrize(
    ("target", "data", "says"),
    [
        ("", None, "needs the application's client_secret"),
        ("", {"client_secret": "wrong"}, "is not this OAuth application's"),
        ("?client_secret=wrong", None, "is not this OAuth application's"),
        ("", {"client_secret": 123}, "needs the application's client_secret"),
    ],
)
def test_delete_without_the_right_secret_is_refused_and_changes_nothing(token, entry, target, data, says):
    response = bearer("DELETE", f"/v2/ipwhitelist/{entry.pk}{target}", token, data=data)
    body = assert_problem(response, 403, "client_secret_required")
    assert says in body["detail"]
    assert IpWhitelistEntry.objects.filter(pk=entry.pk).exists()


def test_other_methods_with_a_token_need_no_secret(token, entry):
    assert bearer("GET", f"/v2/ipwhitelist/{entry.pk}", token).status_code == 200
    assert bearer("POST", "/v2/ipwhitelist", token, data={"cidr": "198.51.100.0/24"}).status_code == 201


def test_a_public_application_cannot_delete(tenant_a, entry):
    IpWhitelistEntry.objects.get_or_create(reseller=tenant_a["reseller"], cidr=IP)
    app = make_app(tenant_a, tenant_a["owner"], name="spa")
    Application.objects.filter(pk=app.pk).update(client_type=Application.CLIENT_PUBLIC)
    response = bearer("DELETE", f"/v2/ipwhitelist/{entry.pk}", orm_token(app, tenant_a["owner"], "full"))
    assert "public" in assert_problem(response, 403, "client_secret_required")["detail"]


def test_hmac_keys_delete_without_any_secret(api_client, tenant_a, entry):
    assert api_client(tenant_a, "full").delete(f"/v2/ipwhitelist/{entry.pk}").status_code == 204


def test_another_resellers_object_is_still_a_404_first(token, full_b):
    foreign = add_whitelist_entry(principal=full_b, cidr="192.0.2.0/24")
    response = bearer("DELETE", f"/v2/ipwhitelist/{foreign.pk}", token, data={"client_secret": CLEAR_SECRET})
    assert_problem(response, 404, "not_found")
