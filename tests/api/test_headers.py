"""Cross-cutting behaviour of every API v2 response (DESIGN 6): request ids, RFC 9457 problems for every error
status (Django's own 404/405/500 included, DEBUG or not), v1 retired, unknown query parameters ignored, UTC
datetimes with a `Z`."""

from __future__ import annotations

import re
import warnings

import pytest
from django.core.cache import CacheKeyWarning
from django.test import Client

from apps.ipwhitelist.models import IpWhitelistEntry

PROBLEM_JSON = "application/problem+json"
GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@pytest.fixture
def client_a(api_client, tenant_a, servicepack):
    return api_client(tenant_a, "full")


def problem(response, status: int, code: str) -> dict:
    """The RFC 9457 shape DESIGN 6 promises, with the request id of the response."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["type"] == f"/v2/docs/errors#{code}"
    assert body["title"] and body["detail"]
    assert body["request_id"] == response["X-Request-Id"]
    assert body["instance"].startswith("/v")
    return body


# ---------------------------------------------------------------------------------------------------------------
# X-Request-Id


@pytest.mark.parametrize(
    "request_id",
    ["abcdefgh", "A" * 128, "req-2024.05.01:node_7", "0f8fad5b-d9cb-469f-a165-70867728950e", "a.b_c-d:e"],
)
def test_sane_request_id_is_echoed(client_a, request_id):
    response = client_a.get("/v2/servicepacks", headers={"X-Request-Id": request_id})
    assert response.status_code == 200
    assert response["X-Request-Id"] == request_id


@pytest.mark.parametrize(
    "request_id",
    [
        "<script>alert(1)</script>",
        "short",
        "a" * 129,
        "has spaces in it",
        "semi;colon;id",
        'quote"d-request',
        "new\\nline-injected",
        "ünïcode-request",
        "",
    ],
)
def test_insane_request_id_is_replaced_by_a_generated_one(client_a, request_id):
    response = client_a.get("/v2/servicepacks", headers={"X-Request-Id": request_id})
    assert response.status_code == 200
    assert response["X-Request-Id"] != request_id
    assert GENERATED_ID.match(response["X-Request-Id"])


def test_request_id_is_generated_when_none_is_sent_and_differs_per_request(client_a):
    first, second = client_a.get("/v2/servicepacks"), client_a.get("/v2/servicepacks")
    assert GENERATED_ID.match(first["X-Request-Id"]) and GENERATED_ID.match(second["X-Request-Id"])
    assert first["X-Request-Id"] != second["X-Request-Id"]


def test_request_id_is_on_problems_too(client, db):
    response = client.get("/v2/servicepacks", headers={"X-Request-Id": "trace-me-123"})
    body = problem(response, 401, "not_authenticated")
    assert body["request_id"] == "trace-me-123"
    unsane = client.get("/v2/nope", headers={"X-Request-Id": "<script>"})
    assert problem(unsane, 404, "not_found")["request_id"] != "<script>"


# ---------------------------------------------------------------------------------------------------------------
# Problems for every error status


def test_unknown_route_is_a_not_found_problem(client, db):
    body = problem(client.get("/v2/no/such/route?x=1"), 404, "not_found")
    assert body["instance"] == "/v2/no/such/route"


def test_unknown_route_is_a_problem_for_every_method(client, db):
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        problem(client.generic(method, "/v2/nothing-here"), 404, "not_found")


def test_method_not_allowed_is_a_problem(client_a):
    body = problem(client_a.request("PATCH", "/v2/servicepacks", {"name": "x"}), 405, "method_not_allowed")
    assert "PATCH" in body["detail"]


def test_post_on_a_read_only_route_is_method_not_allowed(client_a):
    problem(client_a.post("/v2/servicepacks", {"name": "x"}), 405, "method_not_allowed")


def test_text_plain_body_is_unsupported_media_type(client_a, tenant_a):
    response = client_a.request("POST", "/v2/ipwhitelist", body=b"cidr=203.0.113.9", content_type="text/plain")
    problem(response, 415, "unsupported_media_type")
    assert not IpWhitelistEntry.objects.filter(cidr="203.0.113.9").exists()


def test_form_encoded_body_is_unsupported_media_type(client_a):
    response = client_a.request(
        "POST", "/v2/ipwhitelist", body=b"cidr=203.0.113.9", content_type="application/x-www-form-urlencoded"
    )
    problem(response, 415, "unsupported_media_type")


@pytest.mark.parametrize("body", [b'{"cidr": ', b"{'cidr': '1.2.3.4'}", b"not json at all", b'{"cidr": "1.2.3.4",}'])
def test_malformed_json_is_a_validation_problem(client_a, body):
    response = client_a.request("POST", "/v2/ipwhitelist", body=body)
    problem_body = problem(response, 400, "validation_failed")
    assert problem_body["validation_errors"], problem_body
    assert {"error_code", "error_text", "field"} <= set(problem_body["validation_errors"][0])


def test_invalid_field_is_a_validation_problem_naming_the_field(client_a):
    body = problem(client_a.post("/v2/ipwhitelist", {"cidr": "300.1.2.3"}), 400, "validation_failed")
    assert [error["field"] for error in body["validation_errors"]] == ["cidr"]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_unexpected_error_in_a_view_is_an_internal_error_problem(client_a, monkeypatch, settings, debug):
    from apps.servicepacks import api as servicepacks_api

    settings.DEBUG = debug

    def explode(self, request):
        raise RuntimeError("password=hunter2 in /srv/secret/path.py")

    monkeypatch.setattr(servicepacks_api.ServicePackList, "get", explode)
    client_a.client.raise_request_exception = False
    response = client_a.get("/v2/servicepacks")
    problem(response, 500, "internal_error")
    text = response.content.decode()
    for leak in ("Traceback", "hunter2", "RuntimeError", "/srv/secret", ".py"):
        assert leak not in text, text


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_unexpected_error_outside_drf_is_an_internal_error_problem(client, db, monkeypatch, settings, debug):
    """An exception that escapes a plain Django view under /v2/ (not a DRF one) is turned into a problem too."""
    from apps.api import docs

    settings.DEBUG = debug

    def explode(*args, **kwargs):
        raise RuntimeError("password=hunter2")

    monkeypatch.setattr(docs, "render", explode)
    client.raise_request_exception = False
    response = client.get("/v2/docs/errors")
    problem(response, 500, "internal_error")
    assert "hunter2" not in response.content.decode() and "Traceback" not in response.content.decode()


@pytest.mark.parametrize("path", ["/v1/anything", "/v1", "/v1/", "/v1/accounts/42?skip=0", "/v1/servicepacks"])
def test_v1_is_retired(client, db, path):
    target, _, query = path.partition("?")
    body = problem(client.get(target, QUERY_STRING=query), 410, "api_version_retired")
    assert "/v2/" in body["detail"]


def test_v1_is_retired_for_writes_too(client, db):
    problem(
        client.post("/v1/accounts", b'{"identifier": "x.example"}', content_type="application/json"),
        410,
        "api_version_retired",
    )
    problem(client.delete("/v1/accounts/1"), 410, "api_version_retired")


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("POST", "/v2/nope", 404, "not_found"),
        ("DELETE", "/v2/accounts/not-a-number", 404, "not_found"),
        ("PUT", "/v2/ipwhitelist/1.5", 404, "not_found"),
        ("POST", "/v1/accounts", 410, "api_version_retired"),
        ("POST", "/v2/docs/errors", 405, "method_not_allowed"),
        ("POST", "/v2/docs/", 405, "method_not_allowed"),
        ("DELETE", "/v2/openapi.json", 405, "method_not_allowed"),
    ],
)
def test_unsafe_methods_outside_the_resource_views_are_problems(db, method, path, status, code):
    # Regression (found by schemathesis): Django's CSRF check answered these with its 403 HTML page, and the
    # Swagger UI view its 405 as plain text. Django's test client skips the CSRF check unless told not to.
    strict = Client(enforce_csrf_checks=True)
    problem(strict.generic(method, path), status, code)


def test_successful_responses_are_json(client_a):
    response = client_a.get("/v2/servicepacks")
    assert response["Content-Type"] == "application/json"


# ---------------------------------------------------------------------------------------------------------------
# Query parameters and datetimes


def test_unknown_query_parameters_are_ignored(client_a, account_a):
    for route in ("/v2/servicepacks", "/v2/accounts", "/v2/provisioningjobs", "/v2/auditevents"):
        plain = client_a.get(route)
        noisy = client_a.get(route + "?utm_source=mail&frobnicate=1&x[]=2&=empty&Skip=3")
        assert plain.status_code == noisy.status_code == 200, (route, noisy.content)
        assert noisy.json() == plain.json(), route


def datetimes_in(value) -> list[str]:
    if isinstance(value, dict):
        return [found for item in value.values() for found in datetimes_in(item)]
    if isinstance(value, list):
        return [found for item in value for found in datetimes_in(item)]
    return [value] if isinstance(value, str) and ISO_DATETIME.match(value) else []


def test_datetimes_are_utc_with_a_z(client_a, account_a):
    client_a.get("/v2/servicepacks")  # records the key's last use, so that it too is listed
    found = []
    for route in (
        "/v2/accounts",
        f"/v2/accounts/{account_a.pk}",
        "/v2/provisioningjobs",
        "/v2/auditevents",
        "/v2/apikeys",
        "/v2/ipwhitelist",
    ):
        response = client_a.get(route)
        assert response.status_code == 200, (route, response.content)
        found += [(route, value) for value in datetimes_in(response.json())]
    assert len({route for route, _ in found}) >= 5, found
    not_utc_z = [(route, value) for route, value in found if not value.endswith("Z")]
    assert not_utc_z == []


# ---------------------------------------------------------------------------------------------------------------
# Idempotency-Key: the cache key


def test_idempotency_cache_key_is_plain_whatever_the_path(client_a):
    # Regression (found by schemathesis): the client's path went into the cache key as it came, so any character
    # and any length reached the cache (CacheKeyWarning, and keys too long for some backends).
    odd = "/v2/mysqldatabases/%C3%BC%F0%9F%98%80%0A" + "x" * 300 + "/users"
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        response = client_a.post(odd, {"name": "reader", "password": "Secret123abc"}, headers={"Idempotency-Key": "k1"})
    problem(response, 404, "not_found")


def test_same_idempotency_key_on_another_path_is_not_a_replay(client_a, tenant_a, servicepack):
    headers = {"Idempotency-Key": "shared-key"}
    first = client_a.post(
        "/v2/accounts", {"identifier": "one.example", "servicepack_id": servicepack.pk}, headers=headers
    )
    other = client_a.post(
        "/v2/mailboxes",
        {"account_id": 999999, "email_address": "a@b.example", "password": "Secret123abc"},
        headers=headers,
    )
    assert first.status_code == 202
    problem(other, 404, "not_found")
    assert not other.has_header("Idempotent-Replayed")
