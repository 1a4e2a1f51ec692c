"""Events: every audited change and every job end is one, for its reseller; `GET /v2/events` lists the pending ones
(paged, by type), `POST /v2/events/{id}/ack` and `POST /v2/events/ack` mark them complete; 30 days at most."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import NotFound
from apps.core.models import AuditEvent
from apps.events.models import Event
from apps.events.selectors import purge_old_events
from apps.events.services import ack_events
from apps.ipwhitelist.services import add_whitelist_entry
from apps.provisioning.jobs import record_job
from apps.provisioning.runner import run_job
from tests.api.conftest import assert_problem


def test_an_audited_change_is_an_event_with_its_link(full_a):
    entry = add_whitelist_entry(principal=full_a, cidr="203.0.113.0/24", description="office")
    event = Event.objects.get()
    audit = AuditEvent.objects.get()
    assert (event.reseller_id, event.type, event.object_type, event.object_id) == (
        full_a.reseller_id,
        "whitelist_entry.add",
        "ipwhitelistentry",
        str(entry.pk),
    )
    assert event.link == f"/v2/ipwhitelist/{entry.pk}"
    assert event.data["changes"] == {"cidr": "203.0.113.0/24", "description": "office"}
    assert event.data["audit_event_id"] == audit.pk and event.data["via"] == "panel"
    assert event.acknowledged_at is None


def test_a_finished_job_is_an_event(account_a):
    job = account_a.reseller.provisioning_jobs.get(action="account.create")
    event = Event.objects.get(type="provisioning_job.finished", object_id=str(job.pk))
    assert (event.object_type, event.object_id, event.link) == (
        "provisioningjob",
        str(job.pk),
        f"/v2/provisioningjobs/{job.pk}",
    )
    assert event.data["resource_links"] == [f"/v2/accounts/{account_a.pk}"]
    assert event.data["action"] == "account.create" and event.data["error"] is None
    assert event.reseller_id == account_a.reseller_id
    # The account's creation itself is the event before it.
    assert Event.objects.filter(type="account.create", link=f"/v2/accounts/{account_a.pk}").exists()


def test_a_failed_job_is_an_event_with_its_problem(full_a, account_a):
    job = record_job(principal=full_a, action="account.frobnicate", target=account_a)
    assert run_job(job.pk) == "failed"
    event = Event.objects.get(type="provisioning_job.failed")
    assert event.object_id == str(job.pk)
    assert event.data["error"]["code"] == "internal_error"


# --- The API


@pytest.fixture
def events_a(full_a):
    for n in range(5):
        add_whitelist_entry(principal=full_a, cidr=f"203.0.113.{n}")
    return list(Event.objects.filter(reseller_id=full_a.reseller_id).order_by("pk"))


def test_list_shows_pending_events_oldest_first_paged(api_client, tenant_a, events_a):
    client = api_client(tenant_a, "read")
    response = client.get("/v2/events?take=2")
    assert response.status_code == 200, response.content
    events = [e for e in Event.objects.filter(reseller=tenant_a["reseller"]).order_by("at", "pk")]
    assert [e["id"] for e in response.json()] == [events[0].pk, events[1].pk]
    assert response["X-Paging-TotalResults"] == str(len(events))
    first = response.json()[0]
    assert set(first) == {"id", "type", "at", "object_type", "object_id", "link", "data"}
    assert first["at"].endswith("Z")


def test_list_filters_by_type_exactly_or_by_prefix(api_client, tenant_a, events_a):
    client = api_client(tenant_a, "read")  # making the key is an event too (api_key.create)
    assert {e["type"] for e in client.get("/v2/events?type=whitelist_entry.add&take=100").json()} == {
        "whitelist_entry.add"
    }
    assert len(client.get("/v2/events?type=whitelist_entry.*").json()) == 5
    assert client.get("/v2/events?type=whitelist").json() == []
    assert {e["type"] for e in client.get("/v2/events?type=api_key.*").json()} == {"api_key.create"}


def test_ack_removes_an_event_from_the_list_and_twice_is_harmless(api_client, tenant_a, events_a):
    client = api_client(tenant_a, "write")
    target = events_a[0]
    response = client.post(f"/v2/events/{target.pk}/ack")
    assert response.status_code == 204, response.content
    target.refresh_from_db()
    first_ack = target.acknowledged_at
    assert first_ack is not None
    assert target.pk not in [e["id"] for e in client.get("/v2/events?take=100").json()]
    assert client.post(f"/v2/events/{target.pk}/ack").status_code == 204
    target.refresh_from_db()
    assert target.acknowledged_at == first_ack
    # The ack is audited, and is not itself an event.
    assert AuditEvent.objects.filter(action="event.ack", object_id=str(target.pk)).count() == 2
    assert not Event.objects.filter(type="event.ack").exists()


def test_bulk_ack_acknowledges_many_and_leaves_out_unknown_ids(api_client, tenant_a, events_a):
    client = api_client(tenant_a, "write")
    ids = [e.pk for e in events_a[:3]]
    response = client.post("/v2/events/ack", {"ids": [*ids, 987654321]})
    assert response.status_code == 200, response.content
    assert response.json() == {"acknowledged": ids}
    listed = [e["id"] for e in client.get("/v2/events?take=100").json()]
    assert not set(ids) & set(listed)
    assert {e.pk for e in events_a[3:]} <= set(listed)


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "ids"), ({"ids": []}, "ids"), ({"ids": ["x"]}, "ids.0"), ({"ids": list(range(1, 102))}, "ids")],
)
def test_bulk_ack_with_a_bad_body_is_a_400(api_client, tenant_a, body, field):
    assert_problem(api_client(tenant_a, "write").post("/v2/events/ack", body), 400, "validation_failed", field)


def test_another_resellers_events_are_neither_listed_nor_acknowledged(api_client, tenant_a, tenant_b, full_b, events_a):
    add_whitelist_entry(principal=full_b, cidr="198.51.100.0/24")
    foreign = Event.objects.get(reseller=tenant_b["reseller"], type="whitelist_entry.add")
    client = api_client(tenant_a, "write")
    assert foreign.pk not in [e["id"] for e in client.get("/v2/events?take=100").json()]
    assert_problem(client.post(f"/v2/events/{foreign.pk}/ack"), 404, "not_found")
    assert_problem(client.post("/v2/events/ack", {"ids": [foreign.pk]}), 404, "not_found")
    # Mixed with own ids, the foreign one is simply not acknowledged.
    assert client.post("/v2/events/ack", {"ids": [foreign.pk, events_a[0].pk]}).json() == {
        "acknowledged": [events_a[0].pk]
    }
    foreign.refresh_from_db()
    assert foreign.acknowledged_at is None


def test_a_read_key_may_list_but_not_acknowledge(api_client, tenant_a, events_a):
    client = api_client(tenant_a, "read")
    assert client.get("/v2/events").status_code == 200
    assert_problem(client.post(f"/v2/events/{events_a[0].pk}/ack"), 403, "insufficient_level")


def test_events_are_kept_30_days(api_client, tenant_a, events_a):
    old, recent = events_a[0], events_a[1]
    Event.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=30, minutes=1))
    Event.objects.filter(pk=recent.pk).update(at=timezone.now() - timedelta(days=29))
    listed = [e["id"] for e in api_client(tenant_a, "read").get("/v2/events?take=100").json()]
    assert old.pk not in listed and recent.pk in listed
    assert purge_old_events() == 1
    assert not Event.objects.filter(pk=old.pk).exists() and Event.objects.filter(pk=recent.pk).exists()


def test_list_query_count_does_not_grow_with_take(api_client, tenant_a, events_a, django_assert_max_num_queries):
    client = api_client(tenant_a, "read")
    client.get("/v2/events?take=1")
    with django_assert_max_num_queries(5):
        assert len(client.get("/v2/events?take=100").json()) >= 5


def test_ids_beyond_what_a_database_column_holds_are_a_400_or_not_found(api_client, tenant_a, full_a, events_a):
    client = api_client(tenant_a, "write")
    assert_problem(client.post("/v2/events/ack", {"ids": [2**70]}), 400, "validation_failed", "ids.0")
    assert_problem(client.post(f"/v2/events/{2**70}/ack"), 404, "not_found")
    with pytest.raises(NotFound):
        ack_events(principal=full_a, event_ids=[2**70])


@pytest.mark.parametrize(
    ("method", "route"),
    [
        ("POST", "/v2/events/{huge}/ack"),
        ("GET", "/v2/webhooks/{huge}"),
        ("DELETE", "/v2/webhooks/{huge}"),
        ("GET", "/v2/webhooks/{huge}/deliveries"),
        ("POST", "/v2/webhooks/{huge}/deliveries/{huge}/replay"),
        ("POST", "/v2/webhooks/1/deliveries/{huge}/replay"),
    ],
)
def test_path_ids_beyond_a_database_column_are_not_found(api_client, tenant_a, full_a, method, route):
    from apps.events.services import create_webhook

    create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["webhook.*"])
    response = api_client(tenant_a, "full").request(method, route.format(huge=2**128))
    assert_problem(response, 404, "not_found")
