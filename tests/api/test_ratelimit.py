"""Rate limits (DESIGN 6): `X-RateLimit-*` on every authenticated response, reads and writes counted apart, per
principal (with per-reseller overrides) and per client IP, and a 429 `rate_limited` problem whose `Retry-After`
is the reset. Local-memory cache, small limits, and django-ratelimit's clock frozen so no window ends mid-test."""

from __future__ import annotations

import time
from types import SimpleNamespace

import django_ratelimit.core
import pytest
from django.core.cache import cache

from apps.ipwhitelist.models import IpWhitelistEntry

HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Usage", "X-RateLimit-Remaining", "X-RateLimit-Reset")


@pytest.fixture(autouse=True)
def small_limits(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}}
    settings.PANEEL_RATELIMIT_READ_PER_MINUTE = 5
    settings.PANEEL_RATELIMIT_WRITE_PER_MINUTE = 3
    settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE = 100
    settings.PANEEL_RATELIMIT_IP_WRITE_PER_MINUTE = 100
    frozen = int(time.time())
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: frozen))
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def reader(api_client, tenant_a, servicepack):
    return api_client(tenant_a, "read")


@pytest.fixture
def owner(api_client, tenant_a, servicepack):
    return api_client(tenant_a, "full")


def limits(response) -> dict[str, int]:
    missing = [name for name in HEADERS if not response.has_header(name)]
    assert missing == [], f"{response.status_code} lacks {missing}"
    values = {name.removeprefix("X-RateLimit-").lower(): int(response[name]) for name in HEADERS}
    assert values["remaining"] == max(0, values["limit"] - values["usage"])
    assert 1 <= values["reset"] <= 60
    return values


def test_every_authenticated_response_carries_the_headers(owner, reader, tenant_a):
    responses = {
        "200 read": owner.get("/v2/servicepacks"),
        "201 write": owner.post("/v2/ipwhitelist", {"cidr": "203.0.113.0/24"}),
        "400 invalid": owner.post("/v2/ipwhitelist", {"cidr": "not an address"}),
        "403 level": reader.post("/v2/ipwhitelist", {"cidr": "203.0.113.1"}),
        "404 object": owner.get("/v2/accounts/999999"),
        "405 method": owner.request("PATCH", "/v2/servicepacks", {}),
    }
    statuses = {name: response.status_code for name, response in responses.items()}
    assert statuses == {
        "200 read": 200,
        "201 write": 201,
        "400 invalid": 400,
        "403 level": 403,
        "404 object": 404,
        "405 method": 405,
    }
    for name, response in responses.items():
        assert limits(response), name


def test_usage_counts_up_and_remaining_down(reader):
    seen = [limits(reader.get("/v2/servicepacks")) for _ in range(4)]
    assert [values["usage"] for values in seen] == [1, 2, 3, 4]
    assert [values["remaining"] for values in seen] == [4, 3, 2, 1]
    assert {values["limit"] for values in seen} == {5}
    assert len({values["reset"] for values in seen}) == 1  # one window, counted down, not restarted


def test_reads_and_writes_are_counted_apart(owner):
    for _ in range(3):
        owner.get("/v2/servicepacks")
    write = limits(owner.post("/v2/ipwhitelist", {"cidr": "203.0.113.0/24"}))
    assert (write["limit"], write["usage"]) == (3, 1)
    read = limits(owner.get("/v2/servicepacks"))
    assert (read["limit"], read["usage"]) == (5, 4)
    assert limits(owner.delete("/v2/ipwhitelist/999999"))["usage"] == 2  # DELETE is a write


def test_writes_run_out_without_touching_reads(owner, tenant_a):
    for n in range(3):
        assert owner.post("/v2/ipwhitelist", {"cidr": f"203.0.113.{n}"}).status_code == 201
    limited = owner.post("/v2/ipwhitelist", {"cidr": "203.0.113.99"})
    assert limited.status_code == 429
    assert not IpWhitelistEntry.objects.filter(cidr="203.0.113.99").exists()  # refused before the view ran
    assert owner.get("/v2/servicepacks").status_code == 200


def test_over_the_limit_is_a_rate_limited_problem_with_retry_after(reader):
    for _ in range(5):
        assert reader.get("/v2/servicepacks").status_code == 200
    response = reader.get("/v2/servicepacks")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["status"]) == ("rate_limited", 429)
    values = limits(response)
    assert (values["limit"], values["usage"], values["remaining"]) == (5, 5, 0)
    assert response["Retry-After"] == response["X-RateLimit-Reset"]
    assert int(response["Retry-After"]) >= 1
    # It stays limited for the rest of the window.
    assert reader.get("/v2/servicepacks").status_code == 429


def test_limits_are_per_principal(api_client, tenant_a, servicepack):
    first, second = api_client(tenant_a, "read"), api_client(tenant_a, "read")
    for _ in range(5):
        first.get("/v2/servicepacks")
    assert first.get("/v2/servicepacks").status_code == 429
    response = second.get("/v2/servicepacks")
    assert response.status_code == 200
    assert limits(response)["usage"] == 1


def test_reseller_override_replaces_the_default(reader, owner, tenant_a):
    reseller = tenant_a["reseller"]
    reseller.ratelimit_read_per_minute, reseller.ratelimit_write_per_minute = 2, 1
    reseller.save()
    assert limits(reader.get("/v2/servicepacks"))["limit"] == 2
    assert reader.get("/v2/servicepacks").status_code == 200
    assert reader.get("/v2/servicepacks").status_code == 429
    assert limits(owner.post("/v2/ipwhitelist", {"cidr": "203.0.113.0/24"}))["limit"] == 1
    assert owner.post("/v2/ipwhitelist", {"cidr": "203.0.113.1"}).status_code == 429


def test_reseller_override_can_raise_the_limit(reader, tenant_a):
    reseller = tenant_a["reseller"]
    reseller.ratelimit_read_per_minute = 50
    reseller.save()
    for _ in range(10):
        response = reader.get("/v2/servicepacks")
        assert response.status_code == 200
    assert limits(response)["limit"] == 50


def test_override_of_another_reseller_does_not_apply(api_client, tenant_a, tenant_b, servicepack):
    tenant_b["reseller"].ratelimit_read_per_minute = 100
    tenant_b["reseller"].save()
    assert limits(api_client(tenant_a, "read").get("/v2/servicepacks"))["limit"] == 5


def test_one_ip_shares_a_bucket_across_keys(api_client, tenant_a, tenant_b, servicepack, settings):
    settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE = 4
    first, second = api_client(tenant_a, "read"), api_client(tenant_a, "read")
    other_reseller = api_client(tenant_b, "read")  # same IP, another reseller: still the same client IP
    assert first.get("/v2/servicepacks").status_code == 200
    assert second.get("/v2/servicepacks").status_code == 200
    assert first.get("/v2/servicepacks").status_code == 200
    fourth = other_reseller.get("/v2/servicepacks")
    assert fourth.status_code == 200
    # The IP bucket (4) is now the tightest: the headers report it, though each key has used 2 or fewer.
    assert (limits(fourth)["limit"], limits(fourth)["usage"], limits(fourth)["remaining"]) == (4, 4, 0)
    limited = second.get("/v2/servicepacks")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert limited["Retry-After"] == limited["X-RateLimit-Reset"]


def test_another_ip_has_its_own_bucket(api_client, tenant_a, servicepack, settings):
    settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE = 2
    settings.PANEEL_RATELIMIT_READ_PER_MINUTE = 100
    here = api_client(tenant_a, "read", ip="192.0.2.10")
    there = api_client(tenant_a, "read", ip="198.51.100.20")
    here.get("/v2/servicepacks"), here.get("/v2/servicepacks")
    assert here.get("/v2/servicepacks").status_code == 429
    assert there.get("/v2/servicepacks").status_code == 200


def test_ip_bucket_uses_the_client_behind_a_trusted_proxy(api_client, tenant_a, servicepack, settings):
    settings.PANEEL_TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PANEEL_RATELIMIT_IP_READ_PER_MINUTE = 2
    settings.PANEEL_RATELIMIT_READ_PER_MINUTE = 100
    proxy = api_client(tenant_a, "read", ip="10.0.0.1")
    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="203.0.113.0/24")
    for client_ip in ("203.0.113.1", "203.0.113.1"):
        assert proxy.get("/v2/servicepacks", headers={"X-Forwarded-For": client_ip}).status_code == 200
    assert proxy.get("/v2/servicepacks", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 429
    # Another client behind the same proxy is another bucket.
    assert proxy.get("/v2/servicepacks", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == 200
