"""Fixtures of the API suites: HMAC-signed clients of reseller A (`writer`, `reader`) and B (`other`), `run_jobs`,
`redis_cache` (the default cache on Redis), and `api_world`, one object of every kind the API names in its paths
(tests/world.py), with `path_values`, what each path parameter of the OpenAPI document stands for in it. Helpers
the suites import: `assert_problem`, `row_json`, `add_asset_rows`."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from types import SimpleNamespace

import pytest
import redis
from django.core.cache import caches
from django.core.serializers.json import DjangoJSONEncoder

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from tests.world import build_world

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_cache(settings):
    """The default cache on the Redis server at 127.0.0.1:6379, under a random key prefix whose keys are deleted
    afterwards (nothing is flushed); the test is skipped when Redis does not answer."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis does not answer at {REDIS_URL} ({exc}); start redis-server to run this test")
    prefix = f"paneel-test-{secrets.token_hex(6)}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield caches["default"]
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): ...` runs the jobs the block records when it ends, as the worker would after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def writer(api_client, tenant_a):
    """A write key of reseller A."""
    return api_client(tenant_a, "write")


@pytest.fixture
def reader(api_client, tenant_a):
    """A read key of reseller A."""
    return api_client(tenant_a, "read")


@pytest.fixture
def other(api_client, tenant_b):
    """A write key of reseller B."""
    return api_client(tenant_b, "write")


@pytest.fixture
def api_world(tenant_a, account_a, big_servicepack) -> SimpleNamespace:
    """Reseller A's active account with its Linux hosting, a MySQL database with a read-only user besides its own, a
    mailbox, a listed API key and whitelist entry, and the (finished) jobs of all that; `big_pack` to move to."""
    world = build_world(tenant_a, account_a)
    world.big_pack = big_servicepack
    return world


@pytest.fixture
def path_values(api_world) -> dict[str, str]:
    """The value of every path parameter name of the OpenAPI document, in `api_world`."""
    world = api_world
    return {
        "account_id": str(world.account.pk),
        "database_name": world.mysql.name,
        "user_name": world.db_user,
        "mailbox_name": world.mailbox.name,
        "domain_name": world.hosting.name,
        "site_name": world.hosting.name,
        "fingerprint": world.ssh_fingerprint,
        "scheduled_task_id": world.task_id,
        "job_id": str(world.job.pk),
        "key": world.api_key.key,
        "entry_id": str(world.entry.pk),
        "event_id": str(world.event.pk),
        "webhook_id": str(world.webhook.pk),
        "delivery_id": str(world.delivery.pk),
        "email_address": world.alias.email_address,
        "hostname": world.smtp_domain.hostname,
        "record_id": world.dns_record.pk,
        "sha1_fingerprint": world.certificate.sha1_fingerprint,
        "id": str(world.cert_request.pk),
    }


def assert_problem(response, status: int, code: str, field: str | None = None) -> dict:
    """A problem+json answer with `status` and `code`; a 400 or 409 lists what is wrong, naming `field` if given."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code and body["status"] == status
    if status in (400, 409):
        assert body["validation_errors"], body
        if field is not None:
            assert field in [error["field"] for error in body["validation_errors"]], body
    return body


def row_json(asset: Asset) -> str:
    """The asset's database row as JSON: to compare before and after, and to search for secrets."""
    return json.dumps(Asset.objects.filter(pk=asset.pk).values().get(), cls=DjangoJSONEncoder)


def add_asset_rows(asset_type: str, rows: Iterable[tuple[Account, str, dict]]) -> None:
    """Active assets of 100 MB, one per (account, name, details), written directly: list set-up (quotas and
    provisioning are the services' tests)."""
    Asset.objects.bulk_create(
        Asset(
            reseller_id=account.reseller_id,
            account=account,
            asset_type=asset_type,
            name=name,
            max_size=100,
            status=Status.ACTIVE,
            details=details,
        )
        for account, name, details in rows
    )
