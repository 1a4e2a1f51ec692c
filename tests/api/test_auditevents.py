"""`GET /v2/auditevents`: the reseller's audit trail, newest first, through the HMAC-signed client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core import audit
from apps.core.models import AuditEvent
from apps.core.principal import Principal, Via
from tests.api.conftest import assert_problem
from tests.conftest import principal

FIELDS = {
    "id",
    "at",
    "via",
    "actor_kind",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "request_id",
}


def record_many(tenant: dict, count: int) -> None:
    who = principal(tenant, "owner")
    reseller = tenant["reseller"]
    for number in range(count):
        audit.record(who, "reseller.touch", reseller, {"n": number})


def test_list_is_the_resellers_trail_newest_first(api_client, tenant_a, tenant_b, account_a, account_b):
    client = api_client(tenant_a, "read")

    response = client.get("/v2/auditevents")

    assert response.status_code == 200, response.content
    body = response.json()
    expected = AuditEvent.objects.filter(reseller=tenant_a["reseller"]).order_by("-at", "-id")
    assert [event["id"] for event in body] == [event.pk for event in expected]
    assert [event["action"] for event in body] == ["api_key.create", "account.create"]
    created = AuditEvent.objects.get(action="account.create", object_id=str(account_a.pk))
    assert body[1] == {
        "id": created.pk,
        "at": created.at.isoformat().replace("+00:00", "Z"),
        "via": "panel",
        "actor_kind": "user",
        "actor_repr": "alpha-owner",
        "action": "account.create",
        "object_type": "account",
        "object_id": str(account_a.pk),
        "object_repr": "alpha-shop.example",
        "changes": {"identifier": "alpha-shop.example", "servicepack": "Starter"},
        "ip": "192.0.2.10",
        "request_id": "test-req",
    }
    assert str(account_b.pk) not in {event["object_id"] for event in body if event["object_type"] == "account"}
    assert response["X-Paging-TotalResults"] == "2"


def test_api_writes_are_recorded_with_the_key_and_request_id(api_client, tenant_a, servicepack):
    writer = api_client(tenant_a, "write")
    writer.post(
        "/v2/accounts",
        {"identifier": "audited.example", "servicepack_id": servicepack.pk},
        headers={"X-Request-Id": "req-audit-1"},
    )

    body = api_client(tenant_a, "read").get("/v2/auditevents?action=account.create").json()

    assert len(body) == 1
    assert body[0]["via"] == "api"
    assert body[0]["actor_kind"] == "api_key"
    assert body[0]["actor_repr"] == "API key test write"
    assert body[0]["request_id"] == "req-audit-1"
    assert body[0]["ip"] == "192.0.2.10"


def test_filters(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "read")
    system = Principal.system(tenant_a["reseller"], actor_repr="nightly usage run")
    audit.record(system, "account.measure", account_a, {"mb": 3})

    def actions(query: str) -> list[str]:
        response = client.get(f"/v2/auditevents?{query}")
        assert response.status_code == 200, response.content
        return [event["action"] for event in response.json()]

    assert actions("action=account.measure") == ["account.measure"]
    assert actions("via=worker") == ["account.measure"]
    assert actions(f"object_type=account&object_id={account_a.pk}") == ["account.measure", "account.create"]
    assert actions("actor=NIGHTLY") == ["account.measure"]
    assert actions("object_type=apikey") == ["api_key.create"]
    future = (timezone.now() + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    assert actions(f"since={future}") == []
    assert len(actions(f"until={future}")) == 3


def test_ordering_oldest_first_and_unknown_fields_ignored(api_client, tenant_a):
    client = api_client(tenant_a, "read")
    record_many(tenant_a, 3)

    oldest_first = client.get("/v2/auditevents?ordering=at").json()
    not_a_field = client.get("/v2/auditevents?ordering=created_at")  # audit events have `at`

    assert [event["action"] for event in oldest_first][0] == "api_key.create"
    assert [event["changes"] for event in oldest_first][1:] == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert not_a_field.status_code == 200, not_a_field.content
    assert [event["changes"] for event in not_a_field.json()][:3] == [{"n": 2}, {"n": 1}, {"n": 0}]


@pytest.mark.parametrize(
    "query,field",
    [
        ("via=telepathy", "via"),
        ("since=yesterday", "since"),
        ("until=0001-01-01T00:00:00%2B20:12", "until"),  # before the year 1 in UTC
        ("since=9999-12-31T23:59:59-20:00", "since"),  # after the year 9999 in UTC
    ],
)
def test_invalid_filter_values_are_400(api_client, tenant_a, query, field):
    assert_problem(api_client(tenant_a, "read").get(f"/v2/auditevents?{query}"), 400, "validation_failed", field)


def test_time_filters_take_any_offset_python_can(api_client, tenant_a):
    """PostgreSQL refuses offsets beyond ±15:59 in a timestamp: the filter hands it UTC."""
    client = api_client(tenant_a, "read")

    everything = client.get("/v2/auditevents?since=2000-01-01T00:00:00%2B20:12")
    nothing = client.get("/v2/auditevents?until=0133-12-26T18:07:35%2B20:12")

    assert everything.status_code == nothing.status_code == 200, (everything.content, nothing.content)
    assert [event["action"] for event in everything.json()] == ["api_key.create"]
    assert nothing.json() == []


def test_list_pages(api_client, tenant_a):
    client = api_client(tenant_a, "read")
    record_many(tenant_a, 6)  # + the key's own creation: 7

    response = client.get("/v2/auditevents?skip=2&take=2")

    assert [event["changes"] for event in response.json()] == [{"n": 3}, {"n": 2}]
    assert (response["X-Paging-Skipped"], response["X-Paging-Take"], response["X-Paging-TotalResults"]) == (
        "2",
        "2",
        "7",
    )
    assert response["Link"] == (
        '</v2/auditevents?skip=4&take=2>; rel="next", </v2/auditevents?skip=0&take=2>; rel="prev"'
    )


@pytest.mark.parametrize("query,field", [("skip=-1", "skip"), ("take=all", "take")])
def test_bad_paging_is_400(api_client, tenant_a, query, field):
    assert_problem(api_client(tenant_a, "read").get(f"/v2/auditevents?{query}"), 400, "validation_failed", field)


def test_take_is_clamped_at_100(api_client, tenant_a):
    client = api_client(tenant_a, "read")
    record_many(tenant_a, 120)

    response = client.get("/v2/auditevents?take=101")

    assert len(response.json()) == 100
    assert response["X-Paging-Take"] == "100"


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(api_client, tenant_a, django_assert_max_num_queries, take):
    client = api_client(tenant_a, "read")
    record_many(tenant_a, 120)

    with django_assert_max_num_queries(5):
        response = client.get(f"/v2/auditevents?take={take}&via={Via.PANEL}")

    assert len(response.json()) == take


def test_auditevents_are_read_only(api_client, tenant_a):
    response = api_client(tenant_a, "full").post("/v2/auditevents", {"action": "forged"})

    assert_problem(response, 405, "method_not_allowed")
    assert not AuditEvent.objects.filter(action="forged").exists()
