"""`/v2/windowshostings` (issue 14): served as the reference says, so a client that lists them works. Paneel offers
no Windows hosting kind: the reseller's list is empty, paged with the reference's headers, and every name is 404."""

from __future__ import annotations

import pytest

from tests.api.conftest import assert_problem


def test_the_list_is_empty_and_paged_as_the_reference_says(reader, account_a):
    response = reader.get("/v2/windowshostings?skip=0&take=10")
    assert response.status_code == 200, response.content
    assert response.json() == []
    assert (response["X-Paging-Skipped"], response["X-Paging-Take"], response["X-Paging-TotalResults"]) == (
        "0",
        "0",
        "0",
    )
    assert response["X-RateLimit-Remaining"]


@pytest.mark.parametrize("name", ["alpha-shop.example", "windows.example", "UPPER.example"])
def test_every_name_is_not_found(name, reader, account_a):
    assert_problem(reader.get(f"/v2/windowshostings/{name}"), 404, "not_found")


def test_bad_paging_is_refused_as_on_every_list(reader):
    assert_problem(reader.get("/v2/windowshostings?take=-1"), 400, "validation_failed", field="take")


def test_the_routes_need_credentials(client, db):
    assert_problem(client.get("/v2/windowshostings"), 401, "not_authenticated")
    assert_problem(client.get("/v2/windowshostings/x.example"), 401, "not_authenticated")


def test_the_routes_are_read_only(writer):
    assert_problem(writer.post("/v2/windowshostings", {}), 405, "method_not_allowed")
    assert_problem(writer.delete("/v2/windowshostings/x.example"), 405, "method_not_allowed")


def test_the_openapi_document_has_them(client, db):
    paths = client.get("/v2/openapi.json").json()["paths"]
    listing = paths["/v2/windowshostings"]["get"]
    assert {p["name"] for p in listing["parameters"] if p["in"] == "query"} >= {"skip", "take"}
    assert "X-Paging-TotalResults" in listing["responses"]["200"]["headers"]
    detail = paths["/v2/windowshostings/{domain_name}"]["get"]
    assert "404" in detail["responses"]
