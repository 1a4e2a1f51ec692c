"""`/v2/apikeys` and `/v2/apikeys/{key}` (level `full` for every method) through the HMAC-signed client."""

from __future__ import annotations

from datetime import timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone

from apps.apikeys.models import ApiKey
from apps.apikeys.services import create_api_key
from apps.core.crypto import decrypt
from apps.core.models import AuditEvent
from tests.api.conftest import assert_problem
from tests.conftest import principal
from tests.signed_client import SignedClient

FIELDS = {"key", "name", "level", "created_at", "last_used_at", "expires_at", "revoked_at"}


def iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


# --- GET /v2/apikeys


def test_list_shows_own_keys_without_secrets(api_client, tenant_a, tenant_b):
    client = api_client(tenant_a, "full")
    api_client(tenant_b, "full")  # another reseller's key
    own_read, _ = create_api_key(principal=principal(tenant_a, "owner"), level="read", name="reporting")

    response = client.get("/v2/apikeys")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [item["key"] for item in body] == [client.api_key.key, own_read.key]
    assert all(set(item) == FIELDS for item in body)
    own_read.refresh_from_db()
    assert body[1] == {
        "key": own_read.key,
        "name": "reporting",
        "level": "read",
        "created_at": iso(own_read.created_at),
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
    }
    assert body[0]["last_used_at"] is not None  # this very request used it
    assert "secret" not in response.content.decode()
    assert response["X-Paging-TotalResults"] == "2"


def test_list_pages(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    for number in range(4):
        create_api_key(principal=principal(tenant_a, "owner"), level="read", name=f"k{number}")

    response = client.get("/v2/apikeys?skip=2&take=2")

    assert [item["name"] for item in response.json()] == ["k1", "k2"]
    assert response["X-Paging-Skipped"] == "2"
    assert response["X-Paging-Take"] == "2"
    assert response["X-Paging-TotalResults"] == "5"
    assert response["Link"] == '</v2/apikeys?skip=4&take=2>; rel="next", </v2/apikeys?skip=0&take=2>; rel="prev"'


def test_list_ordering(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    later, _ = create_api_key(principal=principal(tenant_a, "owner"), level="read", name="later")

    response = client.get("/v2/apikeys?ordering=-created_at")

    assert [item["key"] for item in response.json()] == [later.key, client.api_key.key]


@pytest.mark.parametrize("query,field", [("skip=-1", "skip"), ("take=x", "take")])
def test_list_bad_paging_is_400(api_client, tenant_a, query, field):
    assert_problem(api_client(tenant_a, "full").get(f"/v2/apikeys?{query}"), 400, "validation_failed", field)


@pytest.mark.parametrize("take", [1, 100])
def test_list_query_count_does_not_grow_with_take(api_client, tenant_a, django_assert_max_num_queries, take):
    client = api_client(tenant_a, "full")
    for number in range(110):
        create_api_key(principal=principal(tenant_a, "owner"), level="read", name=f"k{number}")

    with django_assert_max_num_queries(5):
        response = client.get(f"/v2/apikeys?take={take}")

    assert len(response.json()) == take


@pytest.mark.parametrize("level", ["read", "write"])
def test_keys_below_full_cannot_see_or_manage_keys(api_client, tenant_a, level):
    client = api_client(tenant_a, level)
    target = client.api_key

    assert_problem(client.get("/v2/apikeys"), 403, "insufficient_level")
    assert_problem(client.get(f"/v2/apikeys/{target.key}"), 403, "insufficient_level")
    assert_problem(client.post("/v2/apikeys", {"level": "read"}), 403, "insufficient_level")
    assert_problem(client.delete(f"/v2/apikeys/{target.key}"), 403, "insufficient_level")
    assert ApiKey.objects.filter(reseller=tenant_a["reseller"]).count() == 1
    target.refresh_from_db()
    assert target.revoked_at is None


# --- POST /v2/apikeys


def test_create_key_shows_the_secret_once(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    expires = (timezone.now() + timedelta(days=30)).replace(microsecond=0)

    response = client.post("/v2/apikeys", {"name": "deploy bot", "level": "write", "expires_at": iso(expires)})

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == FIELDS | {"secret"}
    assert response["Location"] == f"/v2/apikeys/{body['key']}"
    created = ApiKey.objects.get(key=body["key"])
    assert created.reseller == tenant_a["reseller"]
    assert (created.name, created.level, created.expires_at) == ("deploy bot", "write", expires)
    assert body["secret"] not in bytes(created.secret_encrypted).decode(errors="replace")
    assert decrypt(created.secret_encrypted) == body["secret"]
    assert body["level"] == "write" and body["expires_at"] == iso(expires) and body["revoked_at"] is None
    assert "secret" not in client.get(response["Location"]).json()
    event = AuditEvent.objects.get(action="api_key.create", object_id=str(created.pk))
    assert body["secret"] not in str(event.changes)


def test_create_key_takes_an_expiry_in_any_offset(api_client, tenant_a):
    """PostgreSQL refuses offsets beyond ±15:59; the key keeps the same instant, in UTC."""
    expires = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    far_east = expires.astimezone(dt_timezone(timedelta(hours=20, minutes=12)))

    response = api_client(tenant_a, "full").post("/v2/apikeys", {"level": "read", "expires_at": far_east.isoformat()})

    assert response.status_code == 201, response.content
    assert response.json()["expires_at"] == iso(expires)
    assert ApiKey.objects.get(key=response.json()["key"]).expires_at == expires


def test_created_key_signs_requests_at_its_level(api_client, tenant_a):
    body = api_client(tenant_a, "full").post("/v2/apikeys", {"level": "read"}).json()
    new_client = SignedClient(body["key"], body["secret"])

    assert new_client.get("/v2/accounts").status_code == 200
    assert_problem(new_client.get("/v2/apikeys"), 403, "insufficient_level")
    assert ApiKey.objects.get(key=body["key"]).name == ""


def test_full_key_may_create_a_full_key(api_client, tenant_a):
    response = api_client(tenant_a, "full").post("/v2/apikeys", {"name": "admin", "level": "full"})

    assert response.status_code == 201
    assert ApiKey.objects.get(key=response.json()["key"]).level == "full"


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "level"),
        ({"level": "admin"}, "level"),
        ({"level": None}, "level"),
        ({"level": "read", "expires_at": "next tuesday"}, "expires_at"),
        ({"level": "read", "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
        ({"level": "read", "expires_at": "9999-12-31T23:59:59-20:00"}, "expires_at"),  # past the year 9999 in UTC
        ({"level": "read", "name": "n" * 101}, "name"),
    ],
)
def test_create_key_validation_errors_name_the_field(api_client, tenant_a, body, field):
    response = api_client(tenant_a, "full").post("/v2/apikeys", body)

    assert_problem(response, 400, "validation_failed", field)
    assert ApiKey.objects.filter(reseller=tenant_a["reseller"]).count() == 1


def test_idempotency_key_is_not_honoured_so_no_secret_is_cached(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    headers = {"Idempotency-Key": "new-key-1"}

    first = client.post("/v2/apikeys", {"level": "read"}, headers=headers)
    second = client.post("/v2/apikeys", {"level": "read"}, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json()["key"] != second.json()["key"]
    assert not second.has_header("Idempotent-Replayed")


# --- GET /v2/apikeys/{key}


def test_detail_with_etag_and_if_none_match(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    other, _ = create_api_key(principal=principal(tenant_a, "owner"), level="read", name="other")

    response = client.get(f"/v2/apikeys/{other.key}")
    cached = client.get(f"/v2/apikeys/{other.key}", headers={"If-None-Match": response["ETag"]})

    assert response.status_code == 200
    assert response.json() == {
        "key": other.key,
        "name": "other",
        "level": "read",
        "created_at": iso(other.created_at),
        "last_used_at": None,
        "expires_at": None,
        "revoked_at": None,
    }
    assert cached.status_code == 304
    assert cached["ETag"] == response["ETag"]


def test_another_resellers_key_is_404(api_client, tenant_a, tenant_b):
    client = api_client(tenant_a, "full")
    foreign = api_client(tenant_b, "read").api_key

    assert_problem(client.get(f"/v2/apikeys/{foreign.key}"), 404, "not_found")
    assert_problem(client.get("/v2/apikeys/nope"), 404, "not_found")


# --- DELETE /v2/apikeys/{key}


def test_revoke_key_is_204_and_the_key_stops_working(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    victim = api_client(tenant_a, "read")
    etag = client.get(f"/v2/apikeys/{victim.api_key.key}")["ETag"]

    response = client.delete(f"/v2/apikeys/{victim.api_key.key}", headers={"If-Match": etag})

    assert response.status_code == 204, response.content
    assert response.content == b""
    victim.api_key.refresh_from_db()
    assert victim.api_key.revoked_at is not None
    assert_problem(victim.get("/v2/accounts"), 401, "invalid_signature")
    assert client.get(f"/v2/apikeys/{victim.api_key.key}").json()["revoked_at"] == iso(victim.api_key.revoked_at)
    assert AuditEvent.objects.filter(action="api_key.revoke", object_id=str(victim.api_key.pk)).count() == 1


def test_revoke_twice_is_409(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    other, _ = create_api_key(principal=principal(tenant_a, "owner"), level="read")
    client.delete(f"/v2/apikeys/{other.key}")

    assert_problem(client.delete(f"/v2/apikeys/{other.key}"), 409, "invalid_state")


def test_revoke_with_stale_if_match_is_412(api_client, tenant_a):
    client = api_client(tenant_a, "full")
    other, _ = create_api_key(principal=principal(tenant_a, "owner"), level="read")

    response = client.delete(f"/v2/apikeys/{other.key}", headers={"If-Match": '"stale"'})

    assert_problem(response, 412, "precondition_failed")
    other.refresh_from_db()
    assert other.revoked_at is None


def test_revoke_another_resellers_key_is_404_and_changes_nothing(api_client, tenant_a, tenant_b):
    foreign = api_client(tenant_b, "read")

    response = api_client(tenant_a, "full").delete(f"/v2/apikeys/{foreign.api_key.key}")

    assert_problem(response, 404, "not_found")
    foreign.api_key.refresh_from_db()
    assert foreign.api_key.revoked_at is None
    assert foreign.get("/v2/accounts").status_code == 200
