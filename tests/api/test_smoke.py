def test_signed_request_lists_servicepacks_with_headers(api_client, tenant_a, servicepack):
    client = api_client(tenant_a, "read")
    response = client.get("/v2/servicepacks")
    assert response.status_code == 200, response.content
    assert response.json()[0]["name"] == "Starter"
    assert response["X-RateLimit-Limit"] == "600"
    assert response["X-Request-Id"]


def test_unsigned_request_is_a_problem(client, db):
    response = client.get("/v2/servicepacks")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_unknown_route_and_v1_are_problems(client, db):
    assert client.get("/v2/nope").json()["code"] == "not_found"
    gone = client.get("/v1/accounts")
    assert gone.status_code == 410 and gone.json()["code"] == "api_version_retired"
