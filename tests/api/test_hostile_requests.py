"""Requests a fuzzer or an unlucky client sends, answered at the shared mechanism (issue 14): OPTIONS on every
route, bodies over Django's limit, JSON nested beyond the decoder, an unreachable shared cache, empty paging and
filter parameters. None of them is a 5xx; each is its problem+json."""

from __future__ import annotations

import json
import re
import socket

import pytest
from django.core.cache import caches

from apps.accounts.models import Account
from apps.ipwhitelist.models import IpWhitelistEntry
from tests.api.conftest import assert_problem
from tests.api_routes import api_routes
from tests.world import tenant_rows

ROUTES = sorted(api_routes().items())


def concrete(route: str, path_values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: path_values[m[1]], route)


# --- OPTIONS


@pytest.mark.parametrize(("route", "methods"), ROUTES, ids=[route for route, _ in ROUTES])
def test_options_answers_204_with_the_routes_methods(route, methods, api_client, tenant_a, path_values):
    client = api_client(tenant_a, "full")

    response = client.request("OPTIONS", concrete(route, path_values))

    assert response.status_code == 204, response.content
    assert response.content == b""
    allowed = {method.strip() for method in response["Allow"].split(",")}
    assert allowed == methods | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    assert "X-RateLimit-Remaining" in response


def test_options_without_credentials_is_401(client):
    assert_problem(client.options("/v2/accounts"), 401, "not_authenticated")


def test_options_on_an_unknown_route_is_404(reader):
    assert_problem(reader.request("OPTIONS", "/v2/nothing-here"), 404, "not_found")


# --- Bodies over the limit, malformed requests


@pytest.mark.parametrize("target", ["/v2/accounts", "/v2/mailboxes", "/v2/nothing-here"])
def test_a_body_over_the_upload_limit_is_413_before_any_credential_check(target, writer, settings, tenant_a):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = tenant_rows(tenant_a["reseller"])
    body = json.dumps({"identifier": "big.example", "padding": "x" * 2000}).encode()

    response = writer.request("POST", target, body=body)

    # Also on an unknown route: a request with credentials is authenticated there too (its 404 is counted), and
    # checking an HMAC signature reads the body.
    assert_problem(response, 413, "request_too_large")
    assert tenant_rows(tenant_a["reseller"]) == before


def test_a_body_over_the_limit_without_credentials_is_413(client, settings, db):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    response = client.post(
        "/v2/accounts",
        data=b'{"identifier": "x" * 100}' * 5,
        content_type="application/json",
        HTTP_AUTHORIZATION="hmac " + "k" * 32 + ":c2ln:nonce12345:1700000000",
    )
    assert_problem(response, 413, "request_too_large")


def test_a_suspicious_operation_under_v2_is_a_400_problem(client, settings):
    settings.ALLOWED_HOSTS = ["paneel.example"]
    response = client.get("/v2/servicepacks", HTTP_HOST="evil.example")
    # Django refuses the host in CommonMiddleware, before any view: still the API's problem, not an HTML page.
    assert_problem(response, 400, "validation_failed")


@pytest.mark.parametrize("depth", [990, 5000, 100_000])
@pytest.mark.parametrize("target", ["/v2/accounts", "/v2/mysqldatabases", "/v2/ipwhitelist"])
def test_json_nested_beyond_the_decoder_is_400(depth, target, api_client, tenant_a):
    client = api_client(tenant_a, "full")
    client.get("/v2/servicepacks")  # the key's first use sets its last_used_at
    before = tenant_rows(tenant_a["reseller"])
    body = ("[" * depth + "]" * depth).encode()

    response = client.request("POST", target, body=body)

    assert_problem(response, 400, "validation_failed")
    assert tenant_rows(tenant_a["reseller"]) == before


def test_deep_json_inside_a_field_is_a_field_error(writer, servicepack):
    deep = json.loads("[" * 400 + "]" * 400)
    response = writer.post(
        "/v2/accounts", {"identifier": deep, "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"}
    )
    assert_problem(response, 400, "validation_failed", field="identifier")
    assert not Account.objects.exists()


# --- An unreachable shared cache


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def unreachable_redis(settings):
    """The default cache is a Redis server that is not there (a closed port on loopback)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    yield
    caches["default"].close()


@pytest.mark.parametrize(
    ("method", "target"),
    [("GET", "/v2/servicepacks"), ("POST", "/v2/accounts"), ("GET", "/v2/accounts?take=1")],
)
def test_an_unreachable_cache_is_503_with_retry_after(method, target, writer, unreachable_redis, tenant_a):
    before = tenant_rows(tenant_a["reseller"])

    response = writer.request(method, target, {} if method == "POST" else None)

    assert_problem(response, 503, "service_unavailable")
    assert int(response["Retry-After"]) > 0
    assert tenant_rows(tenant_a["reseller"]) == before


def test_bearer_requests_with_an_unreachable_cache_are_503(tenant_a, unreachable_redis):
    from tests.security.test_oauth import bearer, make_app, orm_token

    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="192.0.2.10")
    token = orm_token(make_app(tenant_a, tenant_a["owner"]), tenant_a["owner"], "read")
    assert_problem(bearer("GET", "/v2/servicepacks", token), 503, "service_unavailable")


def test_the_panel_keeps_working_without_the_cache(client, tenant_a, account_a, unreachable_redis):
    client.force_login(tenant_a["owner"])
    assert client.get("/").status_code == 200
    assert client.get("/accounts/").status_code == 200
    client.logout()

    response = client.post("/login/", {"username": "alpha-owner", "password": "Passw0rd123"})

    # Sign-in attempts cannot be counted: no password is checked (no unthrottled guessing), and no 500.
    assert response.status_code == 503
    assert b"unavailable for a moment" in response.content
    assert "_auth_user_id" not in client.session


# --- Empty parameters are bad values, not absent ones


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ("/v2/accounts?skip=", "skip"),
        ("/v2/accounts?take=", "take"),
        ("/v2/accounts?status=", "status"),
        ("/v2/accounts?asset_type=", "asset_type"),
        ("/v2/accounts?identifier=", "identifier"),
        ("/v2/auditevents?until=", "until"),
        ("/v2/auditevents?since=&via=", "via"),
        ("/v2/provisioningjobs?status=", "status"),
        ("/v2/mysqldatabases?account_id=", "account_id"),
        ("/v2/linuxhostings?take=", "take"),
        ("/v2/accounts?ordering=", "ordering"),
    ],
)
def test_an_empty_parameter_is_refused_as_other_bad_values(target, field, reader, account_a):
    assert_problem(reader.get(target), 400, "validation_failed", field=field)


def test_the_panel_takes_empty_filter_fields_as_absent(client, tenant_a, account_a):
    client.force_login(tenant_a["reader"])
    response = client.get("/accounts/?status=&asset_type=&identifier=&q=")
    assert response.status_code == 200
    assert account_a.identifier.encode() in response.content


# --- A trailing slash names the same resource


@pytest.mark.parametrize(("route", "methods"), ROUTES, ids=[route for route, _ in ROUTES])
def test_a_trailing_slash_serves_the_same_resource(route, methods, reader, path_values):
    target = concrete(route, path_values)
    if "GET" not in methods:
        response = reader.request(sorted(methods)[0], target + "/", {})
        assert response.status_code == 403 and response.json()["code"] == "insufficient_level"  # routed, then refused
        return
    plain, slashed = reader.get(target), reader.get(target + "/")
    assert slashed.status_code == plain.status_code, slashed.content
    if plain.status_code == 200:
        assert slashed.json() == plain.json()


@pytest.mark.parametrize("target", ["/v2/mailboxes//", "/v2/nothing/", "/v2/mailboxes/x@y.example/password/extra/"])
def test_other_paths_with_slashes_are_still_not_found(target, reader):
    assert_problem(reader.get(target), 404, "not_found")


def test_a_write_with_a_trailing_slash_is_the_write(writer, account_a, run_jobs):
    with run_jobs():
        response = writer.post(
            "/v2/mailboxes/",
            {"email_address": f"slash@{account_a.identifier}", "account_id": account_a.pk, "password": "Secret123abc"},
        )
    assert response.status_code == 201, response.content
    assert response["Location"] == f"/v2/mailboxes/slash@{account_a.identifier}"


@pytest.mark.parametrize("path", ["/v2/openapi.json", "/v2/docs/", "/v2/docs/errors"])
def test_options_on_the_public_documentation_is_204_with_allow(path, client, db):
    response = client.options(path)
    assert response.status_code == 204, response.content
    assert {method.strip() for method in response["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}
