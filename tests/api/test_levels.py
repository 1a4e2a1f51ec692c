"""Levels through the API (DESIGN 5): `read` < `write` < `full`. A `read` key is refused every write route with
403 `insufficient_level` and changes nothing; API keys and the IP whitelist need `full`, for reads too.

Each refusal is paired with the same request from a key of the level the route needs, which goes through, so a
403 here is always the level's doing. The requests and the world they act on are the tenancy matrix's
(tests/security/test_tenancy_api.py); a meta-test checks that every write route of the API is covered.
"""

from __future__ import annotations

import pytest

from apps.core.principal import LEVEL_ORDER
from tests.api_routes import api_operations, shape
from tests.security.test_tenancy_api import (
    BODY_CASES,
    BULK_CASES,
    CREATE_CASES,
    LIST_CASES,
    OBJECT_CASES,
    Case,
    snapshot,
)

# The fixtures of the tenancy worlds (tests/world.py; B's is there too): imported, they are built once here.
from tests.world import world_a_fixture, worlds_fixture  # noqa: F401 (fixtures)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
FULL_ONLY_PREFIXES = ("/v2/apikeys", "/v2/ipwhitelist", "/v2/webhooks")


def unique(cases: list[Case]) -> list[Case]:
    seen, kept = set(), []
    for case in cases:
        if case.id not in seen:
            seen.add(case.id)
            kept.append(case)
    return kept


ALL_CASES = unique([*OBJECT_CASES, *BODY_CASES, *BULK_CASES, *CREATE_CASES])
WRITE_CASES = [case for case in ALL_CASES if case.method in WRITE_METHODS]
FULL_CASES = [case for case in ALL_CASES if case.level == "full"] + [
    Case("GET", case.route, level="full") for case in LIST_CASES if case.level == "full"
]
READ_CASES = [case for case in ALL_CASES if case.method == "GET" and case.level == "read"] + [
    Case("GET", case.route) for case in LIST_CASES if case.level == "read"
]


@pytest.fixture
def key_of(api_client, world_a):
    """A signed client with a fresh key of A at `level`, already used once (its last use is recorded)."""

    def make(level: str):
        client = api_client(world_a.tenant, level)
        assert client.get("/v2/servicepacks").status_code == 200
        return client

    return make


def assert_insufficient_level(response) -> None:
    assert response.status_code == 403, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "insufficient_level"


def send(client, case: Case, world):
    return case.send(client, target=world, caller=world)


@pytest.mark.parametrize("case", WRITE_CASES, ids=lambda c: c.id)
def test_read_key_cannot_write(case, key_of, world_a):
    reader = key_of("read")
    before = snapshot(world_a.reseller)
    assert_insufficient_level(send(reader, case, world_a))
    assert snapshot(world_a.reseller) == before
    assert 200 <= send(key_of(case.level), case, world_a).status_code < 300


@pytest.mark.parametrize("case", FULL_CASES, ids=lambda c: c.id)
def test_write_key_cannot_manage_api_access(case, key_of, world_a):
    writer = key_of("write")
    before = snapshot(world_a.reseller)
    assert_insufficient_level(send(writer, case, world_a))
    assert snapshot(world_a.reseller) == before
    assert 200 <= send(key_of("full"), case, world_a).status_code < 300


@pytest.mark.parametrize("case", FULL_CASES, ids=lambda c: c.id)
def test_read_key_cannot_manage_api_access(case, key_of, world_a):
    assert_insufficient_level(send(key_of("read"), case, world_a))


@pytest.mark.parametrize("case", READ_CASES, ids=lambda c: c.id)
def test_read_key_can_read(case, key_of, world_a):
    response = send(key_of("read"), case, world_a)
    finished_job = case.route == "/v2/provisioningjobs/{job}"  # a finished job answers 201 (DESIGN 6.2)
    assert response.status_code == (201 if finished_job else 200), response.content


def test_keys_below_full_cannot_make_a_full_key(key_of, world_a):
    """Below `full` no key can make keys, so no key can raise itself to a higher level."""
    for level in ("read", "write"):
        response = key_of(level).post("/v2/apikeys", {"level": "full", "name": "escalate"})
        assert_insufficient_level(response)
    assert not world_a.reseller.api_keys.filter(name="escalate").exists()


def test_every_write_route_and_every_access_route_has_a_level_case():
    """A new write route (or a new route under /v2/apikeys or /v2/ipwhitelist) without a case here fails."""
    levels = {(shape(case.route), case.method): case.level for case in [*ALL_CASES, *FULL_CASES]}
    missing, too_low = [], []
    for route, method in sorted(api_operations()):
        needed = "full" if route.startswith(FULL_ONLY_PREFIXES) else ("write" if method in WRITE_METHODS else None)
        if needed is None:
            continue
        level = levels.get((route, method))
        if level is None:
            missing.append(f"{method} {route}")
        elif LEVEL_ORDER.index(level) < LEVEL_ORDER.index(needed):
            too_low.append(f"{method} {route}: the case says {level}, DESIGN 5 says {needed}")
    assert missing == [], f"routes without a level case: {missing}"
    assert too_low == []
