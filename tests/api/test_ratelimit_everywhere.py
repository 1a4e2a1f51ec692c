"""Issue 14 item 7: the rate-limit headers are on the 403 `ip_not_whitelisted` and on unknown `/v2/...` routes
too, and failed authentication is counted per client IP (HMAC, bearer tokens and `POST /o/token/` in one
bucket): past `PANEEL_RATELIMIT_FAILED_AUTH_PER_MINUTE` the IP is answered 429 `rate_limited` with Retry-After."""

from __future__ import annotations

import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.cache import cache
from django.test import Client

from tests.api.test_ratelimit import HEADERS, limits
from tests.security.test_oauth import CLEAR_SECRET, basic, make_app


@pytest.fixture(autouse=True)
def small_limits(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl7"}}
    settings.PANEEL_RATELIMIT_READ_PER_MINUTE = 50
    settings.PANEEL_RATELIMIT_FAILED_AUTH_PER_MINUTE = 3
    frozen = int(time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))
    cache.clear()
    yield settings
    cache.clear()


def test_ip_not_whitelisted_carries_the_headers_and_counts(api_client, tenant_a, servicepack):
    outside = api_client(tenant_a, "read", ip="198.51.100.7", whitelist=False)
    first, second = outside.get("/v2/servicepacks"), outside.get("/v2/servicepacks")
    assert (first.status_code, first.json()["code"]) == (403, "ip_not_whitelisted")
    assert (limits(first)["usage"], limits(second)["usage"]) == (1, 2)


def test_unknown_route_with_credentials_carries_the_headers(api_client, tenant_a):
    client = api_client(tenant_a, "read")
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = client.request(method, "/v2/no/such/route")
        assert (response.status_code, response.json()["code"]) == (404, "not_found"), method
        assert limits(response)
    assert limits(client.get("/v2/nothing"))["usage"] == 2  # GETs counted as reads, the others as writes


def test_unknown_route_with_bad_credentials_is_unauthenticated(api_client, tenant_a):
    client = api_client(tenant_a, "read")
    client.secret = "wrong"
    response = client.get("/v2/no/such/route")
    assert (response.status_code, response.json()["code"]) == (401, "invalid_signature")


def test_unknown_route_without_credentials_stays_a_plain_not_found(db):
    response = Client().get("/v2/no/such/route")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert not any(response.has_header(name) for name in HEADERS)


def test_failed_hmac_attempts_are_counted_per_ip_then_refused(api_client, tenant_a, servicepack):
    good = api_client(tenant_a, "read")
    bad = api_client(tenant_a, "read")
    bad.secret = "not the secret"
    for _ in range(3):
        assert bad.get("/v2/servicepacks").json()["code"] == "invalid_signature"
    limited = bad.get("/v2/servicepacks")
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert limited["Retry-After"] == limited["X-RateLimit-Reset"]
    # Once over the limit, the IP is refused even with correct credentials, until the window ends.
    refused = good.get("/v2/servicepacks")
    assert (refused.status_code, refused.json()["code"]) == (429, "rate_limited")
    elsewhere = api_client(tenant_a, "read", ip="203.0.113.9")
    assert elsewhere.get("/v2/servicepacks").status_code == 200  # another IP is not affected


def test_stale_and_replayed_requests_count_as_failures(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "read")
    assert client.get("/v2/servicepacks", timestamp=int(time.time()) - 3600).status_code == 401
    assert client.get("/v2/servicepacks", nonce="same-nonce-1").status_code == 200
    assert client.get("/v2/servicepacks", nonce="same-nonce-1").json()["code"] == "replayed_nonce"
    assert client.get("/v2/servicepacks", nonce="same-nonce-1").status_code == 401
    assert client.get("/v2/servicepacks").status_code == 200  # 3 failures: at the limit, not over it
    assert client.get("/v2/servicepacks", nonce="same-nonce-1").status_code == 429
    assert client.get("/v2/servicepacks").status_code == 429


def test_failed_token_requests_are_counted_and_share_the_bucket(tenant_a, api_client, servicepack):
    from oauth2_provider.models import Application

    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS)
    wrong = basic(app.client_id, CLEAR_SECRET + "x")
    for _ in range(4):  # the 4th is still answered (3 failures before it), and takes the IP over the limit
        response = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=wrong)
        assert response.status_code == 401
    right = basic(app.client_id, CLEAR_SECRET)
    limited = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=right)
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert int(limited["Retry-After"]) >= 1
    # The same client IP (the test client's 127.0.0.1) is refused on the API as well.
    signed = api_client(tenant_a, "read", ip="127.0.0.1")
    assert signed.get("/v2/servicepacks").status_code == 429


def test_a_successful_token_request_is_not_counted(tenant_a):
    from oauth2_provider.models import Application

    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS)
    right = basic(app.client_id, CLEAR_SECRET)
    for _ in range(5):
        response = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=right)
        assert response.status_code == 200, response.content
