"""Domains through the reference's routes with the operator-fulfilled registrar: the job waits until an operator
completes or refuses the order in Django admin (audited), and the reseller sees the domain's state."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from apps.core.models import AuditEvent
from apps.domains.models import Domain, DomainOrder
from apps.provisioning.models import ProvisioningJob
from tests.world import run_jobs

REGISTRANT = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address": "Main street 1",
    "postal_code": "1000",
    "city": "Brussels",
    "country_code": "be",
    "email": "ada@example.test",
}


@pytest.fixture
def client(api_client, tenant_a):
    return api_client(tenant_a, "write")


@pytest.fixture
def op_client(db, django_user_model):
    from django.test import Client

    operator = get_user_model().objects.create_superuser("registrar-op", "op@example.test", "Operator-pass-1")
    browser = Client()
    browser.force_login(operator)
    return browser


def register(client, name="new-shop.example", **extra):
    with run_jobs():
        response = client.post("/v2/domains/registrations", {"domain_name": name, "registrant": REGISTRANT, **extra})
    assert response.status_code == 202, response.content
    return response["Location"]


def decide(op_client, action: str, order: DomainOrder):
    with run_jobs():
        response = op_client.post(
            "/admin/domains/domainorder/", {"action": action, "_selected_action": [order.pk]}, follow=True
        )
    assert response.status_code == 200


def test_registration_waits_for_the_operator_then_the_domain_is_active(client, op_client):
    job_url = register(client)
    assert client.get(job_url).json()["status"] == "ongoing"
    domain = client.get("/v2/domains/new-shop.example").json()
    assert domain["status"] == "registering" and domain["name_servers"] == [
        {"name": "ns1.paneel.test"},
        {"name": "ns2.paneel.test"},
    ]
    assert domain["registrant"]["country_code"] == "BE"

    decide(op_client, "complete_selected", DomainOrder.objects.get())
    finished = client.get(job_url)
    assert finished.status_code == 201 and finished.json()["resource_links"] == ["/v2/domains/new-shop.example"]
    listed = client.get("/v2/domains").json()
    assert listed[0]["status"] == "active" and listed[0]["expiration_date"].endswith("Z")
    audit = AuditEvent.objects.get(action="domain_order.completed")
    assert audit.via == "admin" and audit.actor_repr.startswith("registrar-op")
    assert AuditEvent.objects.filter(action="domain.register").count() == 1


def test_a_refused_registration_fails_its_job_and_shows_refused(client, op_client):
    job_url = register(client)
    decide(op_client, "refuse_selected", DomainOrder.objects.get())
    job = client.get(job_url).json()
    assert job["status"] == "failed" and job["error"]["code"] == "registrar_refused"
    assert client.get("/v2/domains/new-shop.example").json()["status"] == "refused"
    assert AuditEvent.objects.filter(action="domain_order.refused").count() == 1


def test_a_waiting_job_stays_pending_when_the_sweep_asks_again(client):
    from apps.provisioning.runner import run_job

    register(client)
    job = ProvisioningJob.objects.get(action="domain.register")
    assert run_job(job.pk) == "pending"
    job.refresh_from_db()
    assert job.status == "pending" and job.attempts == 2


def test_transfer_keeps_the_auth_code_encrypted(client, op_client):
    with run_jobs():
        response = client.post(
            "/v2/domains/transfers",
            {"domain_name": "moving.example", "auth_code": "S3cret-AUTH", "registrant": REGISTRANT},
        )
    assert response.status_code == 202
    order = DomainOrder.objects.get()
    assert b"S3cret-AUTH" not in bytes(order.auth_code_encrypted)
    assert client.get("/v2/domains/moving.example").json()["status"] == "transferring"
    decide(op_client, "complete_selected", order)
    assert Domain.objects.get().status == "active"


def test_name_servers_and_renewal_are_orders_too(client, op_client):
    register(client)
    decide(op_client, "complete_selected", DomainOrder.objects.get())
    with run_jobs():
        response = client.put(
            "/v2/domains/new-shop.example/nameservers",
            {"domain_name": "new-shop.example", "name_servers": ["ns1.other.example", "ns2.other.example"]},
        )
    assert response.status_code == 204
    # A second change while the first is with the registrar: 409.
    assert client.put("/v2/domains/new-shop.example/renew", {"will_renew": False}).status_code == 409
    decide(op_client, "complete_selected", DomainOrder.objects.filter(state="waiting").get())
    assert [n["name"] for n in client.get("/v2/domains/new-shop.example").json()["name_servers"]] == [
        "ns1.other.example",
        "ns2.other.example",
    ]
    with run_jobs():
        assert client.put("/v2/domains/new-shop.example/renew", {"will_renew": False}).status_code == 204
    decide(op_client, "complete_selected", DomainOrder.objects.filter(state="waiting").get())
    assert client.get("/v2/domains/new-shop.example").json()["will_renew"] is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domain_name": "bad name", "registrant": REGISTRANT}, "domain_name"),
        ({"domain_name": "ok.example", "registrant": {**REGISTRANT, "email": "nope"}}, "registrant.email"),
        ({"domain_name": "ok.example", "registrant": {**REGISTRANT, "city": ""}}, "registrant.city"),
        ({"domain_name": "ok.example", "registrant": REGISTRANT, "name_servers": ["only.one.example"]}, "name_servers"),
    ],
)
def test_bad_orders_are_refused_with_their_field(client, body, field):
    response = client.post("/v2/domains/registrations", body)
    assert response.status_code == 400
    assert response.json()["validation_errors"][0]["field"] == field
    assert not Domain.objects.exists()


def test_a_domain_registered_here_is_a_duplicate(client, api_client, tenant_b):
    register(client)
    other = api_client(tenant_b, "write")
    response = other.post("/v2/domains/registrations", {"domain_name": "new-shop.example", "registrant": REGISTRANT})
    assert response.status_code == 409 and response.json()["code"] == "duplicate"
    assert other.get("/v2/domains/new-shop.example").status_code == 404
    assert other.get("/v2/domains").json() == []
