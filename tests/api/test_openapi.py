"""The OpenAPI document at /v2/openapi.json and the docs at /v2/docs/: the document is valid, describes every route
and method that answers, every operation's security, headers and problem+json errors, and lists the error codes;
what it promises (If-Match, ETag/304, paging headers, Idempotency-Key) is what the API does."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.validation import validate_schema

from apps.api.errors import ERROR_CODES
from apps.api.schema import HMAC_DESCRIPTION
from apps.core.errors import DomainError
from tests.api_routes import api_routes

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():
        response = Client().get("/v2/openapi.json")
    assert response.status_code == 200, response.content
    return response.json()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document: dict, node: dict) -> dict:
    """Follow a local `$ref` (`#/components/...`) to what it names."""
    while "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: values[match.group(1)], path)


# --- The document itself


def test_generation_has_no_warnings_and_the_document_validates(tmp_path):
    GENERATOR_STATS.reset()  # count only this generation's warnings
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", tmp_path / "x")
    assert (tmp_path / "x").stat().st_size > 10_000


def test_served_document_is_json_without_authentication_and_valid(client, db):
    response = client.get("/v2/openapi.json")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = response.json()
    validate_schema(document)  # drf-spectacular's check against the OpenAPI 3.0 JSON Schema
    assert document["openapi"].startswith("3.0")


def test_every_ref_resolves_also_in_a_later_generation(client, db):
    # Regression: drf-spectacular's enum hook rewrote a shared component in place, so every document after the
    # first named an `ErrorCodeEnum` it no longer contained.
    first = client.get("/v2/openapi.json").json()
    second = client.get("/v2/openapi.json").json()

    assert second == first
    refs = set(re.findall(r'"\$ref": "([^"]+)"', json.dumps(second)))
    assert len(refs) > 20
    for ref in refs:
        assert resolve(second, {"$ref": ref}), ref


def test_every_route_and_method_that_answers_is_documented(document):
    routes = api_routes()
    assert len(routes) >= 20, f"found only {sorted(routes)}: has the URL layout changed?"
    served = {(route, method) for route, methods in routes.items() for method in methods}
    documented = {(path, method.upper()) for path, method, _ in operations(document)}

    assert sorted(served - documented) == [], "routes missing from /v2/openapi.json"
    assert sorted(documented - served) == [], "documented operations that no route answers"


def test_every_operation_requires_hmac_or_oauth2(document):
    schemes = document["components"]["securitySchemes"]
    assert schemes["hmac"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": HMAC_DESCRIPTION,
    }
    assert schemes["oauth2"]["type"] == "http" and schemes["oauth2"]["scheme"] == "bearer"
    unsecured = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if operation.get("security") != [{"hmac": []}, {"oauth2": []}]
    ]
    assert unsecured == []


def test_every_error_response_is_a_problem(document):
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) >= {"type", "title", "status", "detail", "instance", "code", "validation_errors"}
    for path, method, operation in operations(document):
        statuses = {int(code) for code in operation["responses"]}
        assert {400, 401, 403, 429, 500} <= statuses, (method, path)
        for code in statuses:
            response = resolve(document, operation["responses"][str(code)])
            assert "X-Request-Id" in response["headers"], (method, path, code)
            if code >= 400:
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, code)


def test_every_error_code_is_listed(document):
    code = document["components"]["schemas"]["Problem"]["properties"]["code"]
    code = resolve(document, code.get("allOf", [code])[0])  # drf-spectacular names the enum `ErrorCodeEnum`
    assert code["enum"] == list(ERROR_CODES)
    assert [entry["code"] for entry in document["x-error-codes"]] == list(ERROR_CODES)
    for code in ERROR_CODES:
        assert f"| `{code}` |" in document["info"]["description"]


def test_every_error_the_code_can_raise_has_a_listed_code():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    raised = {cls.code for cls in subclasses(DomainError)}
    assert raised - set(ERROR_CODES) == set()


# --- The document's rules, operation by operation


def test_conditional_and_idempotency_headers_where_honoured(document):
    for path, method, operation in operations(document):
        parameters = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        responses = operation["responses"]
        assert "X-Request-Id" in parameters
        assert ("If-Match" in parameters) == ("412" in responses) == (method in ("put", "delete")), (method, path)
        has_etag = "ETag" in resolve(document, responses.get("200", {})).get("headers", {})
        assert ("If-None-Match" in parameters) == has_etag == ("304" in responses), (method, path)
        if method == "post":
            # Answers carrying a secret are not kept for replays.
            assert ("Idempotency-Key" in parameters) == (path not in ("/v2/apikeys", "/v2/webhooks")), path
        else:
            assert "Idempotency-Key" not in parameters, (method, path)


def test_409_only_where_a_conflict_can_happen(document):
    def names(predicate) -> set[str]:
        return {f"{method.upper()} {path}" for path, method, op in operations(document) if predicate(method, op)}

    assert names(lambda method, op: method == "get" and "409" in op["responses"]) == set()
    # Every write can meet a state, duplicate or quota conflict (or an Idempotency-Key in use), but these.
    assert names(lambda method, op: method != "get" and "409" not in op["responses"]) == {
        "DELETE /v2/ipwhitelist/{entry_id}",
        "DELETE /v2/webhooks/{webhook_id}",
        "PUT /v2/webhooks/{webhook_id}",
        "POST /v2/apikeys",
        # A record's edit is checked as a whole (400) and queues the zone's sync behind any other (DESIGN 8).
        "PUT /v2/dns/{domain_name}/records/{record_id}",
        "DELETE /v2/dns/{domain_name}/records/{record_id}",
        # Retrying a request's validations joins the job already running; the SSL switches queue behind others.
        "PUT /v2/sslcertificaterequests/{id}",
        "PUT /v2/linuxhostings/{domain_name}/sslsettings/{hostname}/letsencrypt",
        "PUT /v2/linuxhostings/{domain_name}/sslsettings/{hostname}/autoredirect",
    }


def test_background_work_answers_202_with_the_job_as_location(document):
    for path, method, operation in operations(document):
        if "202" in operation["responses"]:
            location = resolve(document, operation["responses"]["202"]["headers"]["Location"])
            assert location["required"] is True, (method, path)


def test_lists_have_paging_parameters_and_headers(document):
    paged = []
    for path, _, operation in operations(document):
        ok = operation["responses"].get("200", {})
        headers = ok.get("headers", {})
        query = {p["name"] for p in operation["parameters"] if p["in"] == "query"}
        if "X-Paging-TotalResults" in headers:
            paged.append(path)
            assert {"skip", "take"} <= query, path
            assert {"X-Paging-Skipped", "X-Paging-Take", "Link"} <= set(headers), path
        else:
            assert not {"skip", "take"} & query, path
    assert len(paged) == 16, paged


def test_429_announces_retry_after_and_401_the_schemes(document):
    rate_limited = document["components"]["responses"]["RateLimited"]["headers"]
    assert resolve(document, rate_limited["Retry-After"])["required"] is True
    unauthorized = document["components"]["responses"]["Unauthorized"]["headers"]
    assert resolve(document, unauthorized["WWW-Authenticate"])["required"] is True


# --- What the document promises is what the API does


def test_documented_if_match_is_honoured(document, api_client, api_world, path_values):
    client = api_client(api_world.tenant, "full")
    bodies = {
        "/v2/accounts/{account_id}/servicepack": {"servicepack_id": api_world.big_pack.pk},
        "/v2/mysqldatabases/{database_name}/users/{user_name}/status": {"enabled": False},
        "/v2/mysqldatabases/{database_name}/users/{user_name}/password": {"password": "Changed1234"},
        "/v2/mailboxes/{mailbox_name}/password": {"password": "Changed1234"},
        "/v2/linuxhostings/{domain_name}/phpsettings/version": {"version": "8.2"},
        "/v2/webhooks/{webhook_id}": {"url": "https://hooks.example.com/x", "event_types": ["*"]},
    }
    checked = []
    for path, method, operation in operations(document):
        if not any(p["name"] == "If-Match" for p in operation["parameters"]):
            continue
        response = client.request(
            method.upper(), fill(path, path_values), bodies.get(path), headers={"If-Match": '"stale"'}
        )
        assert response.status_code == 412, (method, path, response.content)
        assert response.json()["code"] == "precondition_failed"
        checked.append(path)
    assert len(checked) == 40


def test_documented_etags_give_304(document, api_client, api_world, path_values):
    client = api_client(api_world.tenant, "full")
    checked = 0
    for path, _, operation in operations(document):
        if "304" not in operation["responses"]:
            continue
        first = client.get(fill(path, path_values))
        assert first.status_code == 200 and first["ETag"], (path, first.content)
        again = client.get(fill(path, path_values), headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and again["ETag"] == first["ETag"], path
        assert again["X-RateLimit-Limit"] and again["X-Request-Id"]
        checked += 1
    assert checked == 13


def test_documented_paging_headers_are_sent(document, api_client, api_world, path_values):
    client = api_client(api_world.tenant, "full")
    for path, _, operation in operations(document):
        headers = operation["responses"].get("200", {}).get("headers", {})
        if "X-Paging-TotalResults" not in headers:
            continue
        response = client.get(f"{fill(path, path_values)}?take=1")
        assert response.status_code == 200, (path, response.content)
        assert response["X-Paging-Take"] == str(len(response.json())), path
        assert int(response["X-Paging-TotalResults"]) >= len(response.json())
        assert response["X-Paging-Skipped"] == "0"


def test_documented_idempotency_key_is_honoured(document, api_client, api_world, path_values):
    client = api_client(api_world.tenant, "full")
    for path, method, operation in operations(document):
        if method != "post":
            continue
        honoured = any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
        target = fill(path, path_values)
        # An invalid body is enough: its 400 is stored and replayed like any answer below 500. A route that takes
        # no body (e.g. acknowledging an event) does its work once; the second answer is the first one replayed.
        takes_body = "requestBody" in operation
        first = client.post(target, {} if takes_body else None, headers={"Idempotency-Key": f"key-{path}"})
        again = client.post(target, {} if takes_body else None, headers={"Idempotency-Key": f"key-{path}"})
        assert first.status_code == again.status_code, (path, first.content)
        assert first.status_code == 400 or not takes_body, (path, first.content)
        assert first.status_code < 300 or takes_body, (path, first.content)
        assert again.has_header("Idempotent-Replayed") == honoured, path


# --- The docs pages


def test_docs_use_only_local_static_files(client, db):
    response = client.get("/v2/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert not re.search(r"https?://|(?:src|href)=\"//", html), "the docs page reaches another host"
    assert "/v2/openapi.json" in html
    urls = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert len(urls) >= 4, urls  # favicon, stylesheet, Swagger UI bundle and preset
    for url in urls:
        assert url.startswith("/static/"), url
        assert finders.find(url.removeprefix("/static/")), f"{url} is not found by the staticfiles finders"


def test_error_page_has_an_anchor_for_every_problem_type(client, db):
    response = client.get("/v2/docs/errors")

    assert response.status_code == 200
    for code in ERROR_CODES:
        assert f'id="{code}"' in response.content.decode()
