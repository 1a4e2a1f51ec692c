"""Domains through the reference's routes with the operator-fulfilled registrar: the job waits until an operator
completes or refuses the order in Django admin (audited), and the reseller sees the domain's state."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.core.models import AuditEvent
from apps.domains.fulfilment import one_year_after
from apps.domains.models import Domain, DomainOrder
from apps.domains.services import order_due_renewals
from apps.provisioning.models import ProvisioningJob
from apps.servers.models import Server
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


def decide(op_client, action: str, order: DomainOrder, expiration: str | None = None):
    """The operator's action on `order`; completing goes through the confirmation page (the proposed expiration
    date, or `expiration` entered instead)."""
    selected = {"action": action, "_selected_action": [order.pk]}
    if action == "complete_selected":
        page = op_client.post("/admin/domains/domainorder/", selected)
        assert page.status_code == 200 and b"Complete these orders" in page.content
        proposed = page.context["rows"][0]["default"]
        selected |= {"apply": "1", f"expiration_{order.pk}": proposed if expiration is None else expiration}
    with run_jobs():
        response = op_client.post("/admin/domains/domainorder/", selected, follow=True)
    assert response.status_code == 200
    return response


def test_registration_waits_for_the_operator_then_the_domain_is_active(client, op_client):
    job_url = register(client)
    assert client.get(job_url).json()["status"] == "ongoing"
    domain = client.get("/v2/domains/new-shop.example").json()
    assert domain["status"] == "registering" and domain["name_servers"] == [
        {"name": "ns1.paneel.test", "ip": ""},
        {"name": "ns2.paneel.test", "ip": ""},
    ]
    assert domain["registrant"]["country_code"] == "BE" and "expiration_date" not in domain

    decide(op_client, "complete_selected", DomainOrder.objects.get())
    finished = client.get(job_url)
    assert finished.status_code == 201 and finished.json()["resource_links"] == ["/v2/domains/new-shop.example"]
    listed = client.get("/v2/domains").json()
    assert listed[0]["status"] == "active"
    # The proposed date: one year from the completion.
    expires = datetime.fromisoformat(listed[0]["expiration_date"])
    assert abs(expires - one_year_after(timezone.now())) < timedelta(minutes=2)
    assert client.get("/v2/domains/new-shop.example").json()["expiration_date"] == listed[0]["expiration_date"]
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


def test_the_operator_enters_the_expiration_date_the_registry_reports(client, op_client):
    register(client)
    order = DomainOrder.objects.get()
    refused = decide(op_client, "complete_selected", order, expiration="next spring")
    assert b"is no date and time" in refused.content
    assert DomainOrder.objects.get().state == "waiting"
    decide(op_client, "complete_selected", order, expiration="2031-03-04T05:06")
    assert client.get("/v2/domains/new-shop.example").json()["expiration_date"] == "2031-03-04T05:06:00Z"
    assert AuditEvent.objects.get(action="domain_order.completed").changes["expiration_date"].startswith("2031-03-04")


def test_a_domain_that_will_renew_is_renewed_for_a_year_before_it_expires(client, op_client, settings):
    register(client)
    decide(op_client, "complete_selected", DomainOrder.objects.get(), expiration="2030-01-10T00:00")
    settings.PANEEL_DOMAIN_RENEW_DAYS = 30
    assert order_due_renewals() == 0  # years ahead
    Domain.objects.update(expiration_date=timezone.now() + timedelta(days=10))
    with run_jobs():
        assert order_due_renewals() == 1
    assert order_due_renewals() == 0  # once: the order is waiting for the registrar
    renewal = DomainOrder.objects.get(operation="renewal")
    before = Domain.objects.get().expiration_date
    decide(op_client, "complete_selected", renewal)
    assert Domain.objects.get().expiration_date.replace(second=0, microsecond=0) == one_year_after(before).replace(
        second=0, microsecond=0
    )
    assert ProvisioningJob.objects.get(action="domain.renewal").status == "finished"
    Domain.objects.update(will_renew=False, expiration_date=timezone.now() + timedelta(days=10))
    assert order_due_renewals() == 0  # a domain that will not renew lapses


def test_name_servers_of_the_platform_answer_their_address(client, settings):
    Server.objects.create(name="dns1", hostname="NS1.paneel.test", ipv4_address="192.0.2.53", dns=True)
    Server.objects.create(name="web1", hostname="ns2.paneel.test", ipv4_address="192.0.2.80", web=True)
    register(client)
    assert client.get("/v2/domains/new-shop.example").json()["name_servers"] == [
        {"name": "ns1.paneel.test", "ip": "192.0.2.53"},
        {"name": "ns2.paneel.test", "ip": ""},  # no DNS server of that name: unknown, not made up
    ]


def test_the_registrant_answers_every_field_of_the_reference(client):
    register(
        client,
        registrant={
            **REGISTRANT,
            "phone": "+32.123 456 789",
            "fax": "+32.987654321",
            "language_code": "NL",
            "company_name": "Analytical Engines",
            "enterprise_number": "be 0123.456.789",
        },
    )
    assert client.get("/v2/domains/new-shop.example").json()["registrant"] == {
        **REGISTRANT,
        "country_code": "BE",
        "phone": "+32.123456789",
        "fax": "+32.987654321",
        "language_code": "nl",
        "company_name": "Analytical Engines",
        "enterprise_number": "BE0123456789",
    }
    register(client, name="plain.example")
    answered = client.get("/v2/domains/plain.example").json()["registrant"]
    assert [answered[key] for key in ("fax", "phone", "language_code", "company_name", "enterprise_number")] == [""] * 5


def test_the_extra_fields_a_registry_asks_for_are_stored(client):
    extra = [{"name": "PassportNumber", "value": "EH123456"}]
    register(client, name="winkel.se", registrant={**REGISTRANT, "extra_fields": extra})
    assert Domain.objects.get().registrant["extra_fields"] == extra
    assert DomainOrder.objects.get().payload["registrant"]["extra_fields"] == extra
    assert "extra_fields" not in client.get("/v2/domains/winkel.se").json()["registrant"]  # not in `Registrant`


@pytest.mark.parametrize(
    ("name", "registrant", "field"),
    [
        ("ok.example", {"phone": "0032 123"}, "registrant.phone"),
        ("ok.example", {"fax": "+32-123456789"}, "registrant.fax"),
        ("ok.example", {"language_code": "dutch"}, "registrant.language_code"),
        ("ok.example", {"enterprise_number": "0123456789"}, "registrant.enterprise_number"),
        ("ok.example", {"email": "ada@@example.test"}, "registrant.email"),
        ("ok.example", {"city": ["Brussels"]}, "registrant.city"),
        ("ok.example", {"company_name": "Bell\x07"}, "registrant.company_name"),
        ("ok.example", {"extra_fields": [{"name": "Shoe size", "value": "44"}]}, "registrant.extra_fields"),
        ("ok.example", {"extra_fields": "CompanyNumber=1"}, "registrant.extra_fields"),
        ("winkel.se", {}, "registrant.extra_fields"),
        (
            "negozio.it",
            {"country_code": "IT", "extra_fields": [{"name": "PassportNumber", "value": "X1"}]},
            "registrant.extra_fields",
        ),
        ("firma.dk", {"company_name": "Firma ApS"}, "registrant.extra_fields"),
    ],
)
def test_a_bad_registrant_is_refused_with_its_field(client, name, registrant, field):
    response = client.post(
        "/v2/domains/registrations", {"domain_name": name, "registrant": {**REGISTRANT, **registrant}}
    )
    assert response.status_code == 400, response.content
    assert response.json()["validation_errors"][0]["field"] == field
    assert not Domain.objects.exists()


def test_an_italian_individual_gives_the_codice_fiscale(client):
    codice = [{"name": "CodiceFiscal", "value": "RSSMRA80A01H501U"}]
    register(client, name="negozio.it", registrant={**REGISTRANT, "country_code": "IT", "extra_fields": codice})
    assert Domain.objects.get().registrant["extra_fields"] == codice


def test_another_resellers_domain_detail_is_not_found(client, api_client, tenant_b):
    register(client)
    response = api_client(tenant_b, "full").get("/v2/domains/new-shop.example")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
