"""Kept API key rows (apps.api.keyrows, issue 11): on Redis a process keeps a key's rows between requests, and
every change to a key, its reseller or the whitelist takes effect from the very next request, in this process and
in every other one.

"Another process" here is this process's kept rows put back after the change: a process that did not make the
change still holds them, and only the shared version in Redis tells it. tests/integration/test_ratelimit_redis.py
shows the same with real gunicorn processes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.api import keyrows
from apps.api.authentication import LAST_USED_RESOLUTION
from apps.apikeys.models import ApiKey
from apps.apikeys.services import create_api_key, revoke_api_key
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.resellers.models import Reseller
from tests.api.conftest import assert_problem

pytestmark = [pytest.mark.redis, pytest.mark.django_db]
LIST = "/v2/ipwhitelist"


@pytest.fixture(autouse=True)
def nothing_kept():
    keyrows._kept.clear()
    yield
    keyrows._kept.clear()


@pytest.fixture
def client(redis_cache, api_client, tenant_a):
    client = api_client(tenant_a, "full")
    assert client.get(LIST).status_code == 200  # its rows are kept from here on
    assert keyrows.key_rows(client.key, keep=True).kept
    return client


def key_queries(queries) -> list[str]:
    return [query["sql"] for query in queries if '"apikeys_apikey"' in query["sql"]]


def changed_elsewhere(on_commit, change) -> None:
    """Make and commit `change` as another process would: this process's kept rows stay as they were."""
    kept = dict(keyrows._kept)
    with on_commit(execute=True):
        change()
    keyrows._kept.update(kept)


def test_kept_rows_serve_the_next_request_without_reading_the_key(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    assert key_queries(queries.captured_queries) == []


def test_nothing_is_kept_without_redis(api_client, tenant_a):
    client = api_client(tenant_a, "full")  # the test settings' cache is local memory
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    assert len(key_queries(queries.captured_queries)) == 1
    assert keyrows._kept == {}


def test_nothing_is_kept_with_zero_seconds(redis_cache, settings, api_client, tenant_a):
    settings.PANEEL_API_KEY_ROWS_SECONDS = 0
    client = api_client(tenant_a, "full")
    client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    assert len(key_queries(queries.captured_queries)) == 1


def test_a_key_revoked_elsewhere_is_refused_from_the_next_request(client, full_a, django_capture_on_commit_callbacks):
    changed_elsewhere(
        django_capture_on_commit_callbacks, lambda: revoke_api_key(principal=full_a, api_key_id=client.api_key.pk)
    )
    assert keyrows._kept[client.key].rows[0]["revoked_at"] is None  # this process still holds the old rows
    assert_problem(client.get(LIST), 401, "invalid_signature")
    assert keyrows._kept[client.key].rows[0]["revoked_at"] is not None  # read again


def test_a_reseller_deactivated_elsewhere_is_refused_and_reactivated_is_served_at_once(
    client, tenant_a, django_capture_on_commit_callbacks
):
    reseller = Reseller.objects.get(pk=tenant_a["reseller"].pk)

    def active(value: bool):
        def change():
            reseller.is_active = value
            reseller.save()

        return change

    changed_elsewhere(django_capture_on_commit_callbacks, active(False))
    assert_problem(client.get(LIST), 401, "invalid_signature")
    assert keyrows._kept[client.key].rows[0]["reseller__is_active"] is False
    # Kept rows that would refuse are read again before refusing: no refusal rests on them.
    changed_elsewhere(django_capture_on_commit_callbacks, active(True))
    assert client.get(LIST).status_code == 200


def test_a_whitelist_entry_removed_elsewhere_is_refused_and_added_is_served_at_once(
    client, tenant_a, django_capture_on_commit_callbacks
):
    entries = IpWhitelistEntry.objects.filter(reseller=tenant_a["reseller"], cidr=client.ip)
    changed_elsewhere(django_capture_on_commit_callbacks, lambda: [entry.delete() for entry in entries])
    assert_problem(client.get(LIST), 403, "ip_not_whitelisted")
    changed_elsewhere(
        django_capture_on_commit_callbacks,
        lambda: IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr=client.ip),
    )
    assert client.get(LIST).status_code == 200


def test_a_request_read_again_is_counted_once_and_its_nonce_claimed_once(
    client, tenant_a, django_capture_on_commit_callbacks
):
    usage = int(client.get(LIST)["X-RateLimit-Usage"])
    changed_elsewhere(
        django_capture_on_commit_callbacks,
        lambda: IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="198.51.100.0/24"),
    )
    first = client.get(LIST, nonce="read-again-nonce-1")
    assert first.status_code == 200 and int(first["X-RateLimit-Usage"]) == usage + 1
    assert_problem(client.get(LIST, nonce="read-again-nonce-1"), 401, "replayed_nonce")
    assert int(client.get(LIST)["X-RateLimit-Usage"]) == usage + 2  # the replay spent nothing


@pytest.mark.parametrize(
    "change",
    [
        "create_key",
        "revoke_key",
        "delete_key",
        "save_reseller",
        "delete_reseller",
        "add_whitelist_entry",
        "delete_whitelist_entry",
    ],
)
def test_every_change_of_access_data_removes_the_version_once_committed(
    change, redis_cache, tenant_a, full_a, django_capture_on_commit_callbacks
):
    reseller = tenant_a["reseller"]
    entry = IpWhitelistEntry.objects.create(reseller=reseller, cidr="203.0.113.7")
    api_key, _secret = create_api_key(principal=full_a, level="read")
    changes = {
        "create_key": lambda: create_api_key(principal=full_a, level="read"),
        "revoke_key": lambda: revoke_api_key(principal=full_a, api_key_id=api_key.pk),
        "delete_key": lambda: ApiKey.objects.filter(pk=api_key.pk).delete(),
        "save_reseller": lambda: Reseller.objects.get(pk=reseller.pk).save(),
        "delete_reseller": lambda: Reseller.objects.filter(pk=reseller.pk).delete(),
        "add_whitelist_entry": lambda: IpWhitelistEntry.objects.create(reseller=reseller, cidr="203.0.113.8"),
        "delete_whitelist_entry": lambda: entry.delete(),
    }
    version = keyrows.current_version(redis_cache)
    with django_capture_on_commit_callbacks(execute=True):
        changes[change]()
        assert keyrows.current_version(redis_cache) == version  # not before the commit
    assert keyrows.current_version(redis_cache) != version


def test_last_used_at_is_written_once_a_minute_with_kept_rows(client, monkeypatch):
    used_at = ApiKey.objects.get(pk=client.api_key.pk).last_used_at
    assert used_at is not None
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert key_queries(queries.captured_queries) == []  # neither read nor written within the minute
    later = timezone.now() + 2 * LAST_USED_RESOLUTION
    monkeypatch.setattr("apps.api.authentication.timezone.now", lambda: later)
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert [sql.split()[0] for sql in key_queries(queries.captured_queries)] == ["UPDATE"]
    assert ApiKey.objects.get(pk=client.api_key.pk).last_used_at == later
    with CaptureQueriesContext(connection) as queries:
        client.get(LIST)
    assert key_queries(queries.captured_queries) == []  # the kept rows know it was just written


def test_kept_rows_are_read_again_after_their_seconds(client, settings, monkeypatch):
    """What no signal announces (raw SQL, `QuerySet.update()`) is seen once kept rows are that old."""
    ApiKey.objects.filter(pk=client.api_key.pk).update(revoked_at=timezone.now())
    assert client.get(LIST).status_code == 200  # not announced: the kept rows still serve
    read_at = keyrows._kept[client.key].read_at
    monkeypatch.setattr(keyrows.time, "monotonic", lambda: read_at + settings.PANEEL_API_KEY_ROWS_SECONDS)
    assert_problem(client.get(LIST), 401, "invalid_signature")


def test_kept_rows_are_read_again_when_redis_lost_the_version(client, redis_cache, tenant_a):
    """A restarted or flushed Redis has no version: none a process kept rows at can match."""
    Reseller.objects.filter(pk=tenant_a["reseller"].pk).update(is_active=False)  # not announced
    redis_cache.delete(keyrows.VERSION_KEY)
    assert_problem(client.get(LIST), 401, "invalid_signature")


def test_rows_of_another_resellers_key_never_serve(client, api_client, tenant_b):
    """Kept rows are found by the key the request names; a request signed with another key's secret is refused."""
    other = api_client(tenant_b, "full")
    assert other.get(LIST).status_code == 200
    forged = type(other)(client.key, other.secret, ip=client.ip)
    assert_problem(forged.get(LIST), 401, "invalid_signature")
    assert client.get(LIST).status_code == 200 and other.get(LIST).status_code == 200
