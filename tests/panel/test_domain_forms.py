"""The panel's domain registration and transfer forms: they order through the domain services (a pending domain,
its order and the registrar job), show the services' refusals as form errors, and stay within the reseller."""

from __future__ import annotations

from django.urls import reverse

from apps.core import crypto
from apps.core.models import AuditEvent
from apps.domains.models import Domain, DomainOrder, DomainStatus
from apps.domains.services import register_domain
from apps.provisioning.models import ProvisioningJob
from tests.panel.conftest import messages_of
from tests.world import REGISTRANT

REGISTER = reverse("domains:register")
TRANSFER = reverse("domains:transfer")


def test_registration_creates_the_pending_domain_its_order_and_job(writer, tenant_a):
    response = writer.post(
        REGISTER,
        {"domain_name": "New-Shop.example", "name_servers": "ns1.dns.example\nns2.dns.example", **REGISTRANT,
         "company_name": "Analytical Engines", "phone": "+32.12345678"},
        follow=True,
    )  # fmt: skip
    domain = Domain.objects.get(domain_name="new-shop.example")
    assert response.redirect_chain == [(reverse("domains:detail", kwargs={"domain_id": domain.pk}), 302)]
    assert domain.reseller == tenant_a["reseller"] and domain.status == DomainStatus.REGISTERING
    assert domain.name_servers == ["ns1.dns.example", "ns2.dns.example"]
    assert domain.registrant == {**REGISTRANT, "company_name": "Analytical Engines", "phone": "+32.12345678"}
    order = DomainOrder.objects.get(domain=domain)
    job = ProvisioningJob.objects.get(action="domain.register", target_id=str(order.pk))
    assert job.reseller_id == tenant_a["reseller"].pk
    assert AuditEvent.objects.filter(action="domain.register").count() == 1
    assert messages_of(response) == ["The registration of new-shop.example is ordered; it waits for the registrar."]
    page = response.content.decode()
    assert "Registration pending" in page and "ns2.dns.example" in page and "Analytical Engines" in page


def test_registration_without_name_servers_uses_the_platforms(writer, settings):
    writer.post(REGISTER, {"domain_name": "plain.example", **REGISTRANT})
    assert Domain.objects.get(domain_name="plain.example").name_servers == list(settings.PANEEL_DNS_NAMESERVERS)


def test_transfer_keeps_the_code_encrypted_and_the_domain_transferring(writer):
    response = writer.post(TRANSFER, {"domain_name": "moving.example", "auth_code": " Xy-123 ", **REGISTRANT})
    domain = Domain.objects.get(domain_name="moving.example")
    assert response.status_code == 302 and response["Location"] == reverse("domains:detail", args=[domain.pk])
    assert domain.status == DomainStatus.TRANSFERRING
    order = domain.orders.get()
    assert order.operation == "transfer" and crypto.decrypt(bytes(order.auth_code_encrypted)) == "Xy-123"
    assert ProvisioningJob.objects.filter(action="domain.transfer", target_id=str(order.pk)).exists()


def test_a_bad_registrant_is_an_error_on_its_field_and_orders_nothing(writer):
    response = writer.post(REGISTER, {"domain_name": "shop.example", **REGISTRANT, "country_code": "BEL"})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors == {"country_code": ["An ISO 3166-1 alpha-2 code, e.g. BE."]}
    assert "An ISO 3166-1 alpha-2 code" in response.content.decode()
    assert not Domain.objects.exists() and not ProvisioningJob.objects.filter(action="domain.register").exists()


def test_missing_required_registrant_fields_and_bad_name_servers_are_form_errors(writer):
    missing = writer.post(REGISTER, {"domain_name": "shop.example", "first_name": "Ada"})
    assert set(missing.context["form"].errors) == {"last_name", "address", "postal_code", "city", "country_code",
                                                   "email"}  # fmt: skip
    servers = writer.post(REGISTER, {"domain_name": "shop.example", "name_servers": "ns1.example", **REGISTRANT})
    assert servers.context["form"].errors == {"name_servers": ["Between 2 and 13 name servers."]}
    name = writer.post(REGISTER, {"domain_name": "not a domain", **REGISTRANT})
    assert list(name.context["form"].errors) == ["domain_name"]
    code = writer.post(TRANSFER, {"domain_name": "moving.example", "auth_code": "   ", **REGISTRANT})
    assert "auth_code" in code.context["form"].errors
    assert not Domain.objects.exists()


def test_a_domain_held_here_already_is_refused_on_the_domain_field(writer, full_b):
    register_domain(principal=full_b, domain_name="taken.example", registrant=REGISTRANT)
    response = writer.post(REGISTER, {"domain_name": "taken.example", **REGISTRANT})
    assert response.context["form"].errors == {"domain_name": ["taken.example is already registered here."]}
    assert Domain.objects.get(domain_name="taken.example").reseller != response.wsgi_request.principal.reseller


def test_a_reader_sees_no_order_buttons_and_cannot_order(reader):
    page = reader.get(reverse("domains:list")).content.decode()
    assert "Register a domain" not in page and "Transfer a domain" not in page
    assert reader.get(REGISTER).status_code == 403
    refused = reader.post(REGISTER, {"domain_name": "reader.example", **REGISTRANT})
    assert refused.status_code == 403
    assert reader.post(TRANSFER, {"domain_name": "reader.example", "auth_code": "x", **REGISTRANT}).status_code == 403
    assert not Domain.objects.exists() and not AuditEvent.objects.filter(action__startswith="domain.").exists()


def test_another_resellers_domain_is_not_found(owner, full_b):
    theirs, _ = register_domain(principal=full_b, domain_name="bravo-only.example", registrant=REGISTRANT)
    response = owner.get(reverse("domains:detail", kwargs={"domain_id": theirs.pk}))
    assert response.status_code == 404
    assert "bravo-only.example" not in response.content.decode()
    assert "bravo-only.example" not in owner.get(reverse("domains:list")).content.decode()
