"""On Redis, every rate-limit bucket of a request is counted in one round trip (issue 11), with the same exact
counts and the same keys as django-ratelimit's `get_usage`. Needs a Redis server at 127.0.0.1:6379 (the
`redis_cache` fixture of tests/api/conftest.py)."""

from __future__ import annotations

import threading
import time

import pytest
import redis
from django.test import RequestFactory
from django_ratelimit.core import get_usage

from apps.api import ratelimit
from apps.api.errors import ReplayedNonce

pytestmark = pytest.mark.redis


def buckets(limit: int = 1000) -> list[ratelimit.Bucket]:
    return [
        ratelimit.Bucket("api-read-principal", "api_key:1", limit),
        ratelimit.Bucket("api-read-ip", "192.0.2.10", limit),
        ratelimit.failed_auth_bucket("192.0.2.10", increment=False),
    ]


def test_all_buckets_and_the_nonce_in_one_round_trip(redis_cache, monkeypatch):
    request = RequestFactory().get("/v2/servicepacks")
    executed, commands = [], []
    monkeypatch.setattr(redis.client.Pipeline, "execute", record(redis.client.Pipeline.execute, executed))
    monkeypatch.setattr(redis.Redis, "execute_command", record(redis.Redis.execute_command, commands))
    # The script is loaded once per client (and again if Redis lost it): by a count that changes nothing.
    ratelimit.count(request, [ratelimit.failed_auth_bucket("192.0.2.99", increment=False)])
    executed.clear(), commands.clear()
    usages = ratelimit.count(request, buckets(), ("hmac-nonce:1:first", 605))
    assert (len(executed), len(commands)) == (0, 1)  # one EVALSHA
    assert [usage.count for usage in usages] == [1, 1, 0]
    assert redis_cache.get("hmac-nonce:1:first") == 1  # where `cache.add` would have put it


def test_a_replayed_nonce_counts_nothing(redis_cache):
    request = RequestFactory().get("/v2/servicepacks")
    ratelimit.count(request, buckets(), ("hmac-nonce:1:again", 605))
    with pytest.raises(ReplayedNonce):
        ratelimit.count(request, buckets(), ("hmac-nonce:1:again", 605))
    assert [usage.count for usage in ratelimit.count(request, buckets())] == [2, 2, 0]  # the replay spent nothing


def test_counts_agree_with_get_usage_and_are_exact_under_concurrency(redis_cache):
    request = RequestFactory().get("/v2/servicepacks")
    threads = [
        threading.Thread(target=lambda: [ratelimit.count(request, buckets()) for _ in range(25)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    principal, ip, _failed = buckets()
    for bucket in (principal, ip):
        seen = get_usage(request, group=bucket.group, key=lambda *_a, v=bucket.value: v, rate=bucket.rate)
        assert seen["count"] == 100
    assert [usage.count for usage in ratelimit.count(request, buckets())] == [101, 101, 0]


def record(method, calls: list):
    def wrapper(self, *args, **kwargs):
        calls.append(args[:1])
        return method(self, *args, **kwargs)

    return wrapper


@pytest.mark.django_db
def test_a_replayed_request_is_refused_and_spends_nothing_of_its_keys_budget(redis_cache, api_client, tenant_a):
    from apps.apikeys.models import ApiKey

    client = api_client(tenant_a, "read")
    first = client.get("/v2/servicepacks", nonce="the-same-nonce-1", timestamp=int(time.time()))
    assert first.status_code == 200 and first["X-RateLimit-Usage"] == "1"
    used_at = ApiKey.objects.get(pk=client.api_key.pk).last_used_at
    assert used_at is not None  # written once the request was counted
    replay = client.get("/v2/servicepacks", nonce="the-same-nonce-1", timestamp=int(time.time()))
    assert replay.status_code == 401 and replay.json()["code"] == "replayed_nonce"
    assert client.get("/v2/servicepacks")["X-RateLimit-Usage"] == "2"  # the replay was not counted for the key
    failed = ratelimit.failed_authentication_usage(RequestFactory().get("/", REMOTE_ADDR=client.ip))
    assert failed.count == 1  # but for the address that sent it
