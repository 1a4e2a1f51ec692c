"""Input no database can hold never reaches one: a NUL character in a path parameter, a filter or a credential is
a clean 404, 400 or 401, never a 500; a path with a newline is answered like any other. SQLite takes NULs; PostgreSQL
refuses them with an error of its own, so these tests guard the PostgreSQL pass of CI. The panel's filters are here
too: one FilterSet serves both doors. (Timestamps PostgreSQL cannot hold: tests/api/test_auditevents.py and
test_apikeys.py.)"""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import assert_problem
from tests.api_routes import api_routes
from tests.world import tenant_rows

NUL = "a%00b"


def nul_targets() -> list[tuple[str, str, str]]:
    """(method, route, parameter) for every path parameter of every route and method."""
    return [
        (method, route, name)
        for route, methods in sorted(api_routes().items())
        for name in re.findall(r"\{(\w+)\}", route)
        for method in sorted(methods)
    ]


@pytest.mark.parametrize(("method", "route", "parameter"), nul_targets())
def test_a_nul_in_a_path_parameter_is_not_found(method, route, parameter, api_client, tenant_a, path_values):
    target = re.sub(r"\{(\w+)\}", lambda m: NUL if m[1] == parameter else path_values[m[1]], route)
    client = api_client(tenant_a, "full")
    client.get("/v2/servicepacks")  # the key's first use sets its last_used_at
    before = tenant_rows(tenant_a["reseller"])

    response = client.request(method, target, {} if method in ("POST", "PUT") else None)

    assert_problem(response, 404, "not_found")
    assert tenant_rows(tenant_a["reseller"]) == before


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("/v2/accounts/a%0Ab/suspension", 404, "not_found"),
        ("/v2/no%0Aroute", 404, "not_found"),
        ("/v1/accounts/a%0Ab", 410, "api_version_retired"),
    ],
)
def test_a_newline_in_a_path_is_still_answered_with_a_problem(target, status, code, reader):
    assert_problem(reader.put(target, {}), status, code)


@pytest.mark.parametrize(
    "target",
    [
        "/v2/accounts?identifier=a%00b",
        "/v2/accounts?asset_type=a%00b",
        "/v2/mysqldatabases?account_id=a%00b",
        "/v2/mailboxes?account_id=1%00",
        "/v2/auditevents?action=a%00b&actor=a%00b&object_id=a%00b",
        "/v2/provisioningjobs?status=a%00b",
        "/v2/accounts?ordering=a%00b",
    ],
)
def test_a_nul_in_a_query_parameter_is_refused_or_matches_nothing(target, reader, account_a):
    response = reader.get(target)

    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json() == [] or "ordering" in target
    else:
        assert_problem(response, 400, "validation_failed")


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        ("Bearer a\x00b", "invalid_token"),
        ("hmac a\x00b:c2ln:bm9uY2U:1700000000", "invalid_signature"),
    ],
)
def test_a_nul_in_a_credential_is_refused(client, authorization, code):
    response = client.get("/v2/accounts", HTTP_AUTHORIZATION=authorization, REMOTE_ADDR="192.0.2.10")

    assert_problem(response, 401, code)


@pytest.mark.parametrize(
    ("target", "field"),
    [("/accounts/?q=a%00b", "q"), ("/audit/?action=a%00b", "action"), ("/jobs/?action=a%00b", "action")],
)
def test_a_nul_in_a_panel_filter_is_a_form_error(target, field, client, tenant_a, account_a):
    client.force_login(tenant_a["owner"])

    response = client.get(target)

    assert response.status_code == 200
    assert re.search(rf'<li><label for="id_{field}">[^<]+</label>: Null characters are not allowed', response.text)


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ("/v2/accounts?servicepack_id=1.0012095786532159e%2B47", "servicepack_id"),
        ("/v2/accounts?servicepack_id=-6.9e%2B76", "servicepack_id"),
        (f"/v2/accounts?servicepack_id={2**63}", "servicepack_id"),
        (f"/v2/mysqldatabases?account_id={2**64}", "account_id"),
        ("/v2/mailboxes?account_id=0", "account_id"),
    ],
)
def test_an_id_filter_no_database_integer_holds_is_refused(target, field, reader, account_a):
    """SQLite's driver overflows on an integer past 64 bits, and Django checks the range only on a primary key."""
    assert_problem(reader.get(target), 400, "validation_failed", field)


def test_the_largest_id_a_database_holds_is_a_filter_that_matches_nothing(reader, account_a):
    response = reader.get(f"/v2/linuxhostings?account_id={2**63 - 1}")

    assert response.status_code == 200, response.content
    assert response.json() == []


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("POST", "/v2/accounts", {"identifier": "big.example", "servicepack_id": 2**70}),
        ("POST", "/v2/mysqldatabases", {"database_name": "big", "account_id": 2**70, "password": "Secret123abc"}),
        ("PUT", "/v2/accounts/{account}/servicepack", {"servicepack_id": 2**70}),
        ("GET", f"/v2/accounts/{2**70}", None),
        ("GET", f"/v2/provisioningjobs/{2**70}", None),
        ("DELETE", f"/v2/ipwhitelist/{2**70}", None),
    ],
)
def test_ids_and_numbers_past_64_bits_are_a_client_error(method, target, body, api_client, tenant_a, account_a):
    response = api_client(tenant_a, "full").request(method, target.format(account=account_a.pk), body)

    assert 400 <= response.status_code < 500, response.content
    assert response["Content-Type"] == "application/problem+json"
