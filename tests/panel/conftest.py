"""Panel fixtures: a clean rate-limit cache, and signed-in clients per level."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from apps.apikeys.oauth_services import create_oauth_application
from apps.apikeys.services import create_api_key
from apps.ipwhitelist.services import add_whitelist_entry


@pytest.fixture(autouse=True)
def clean_cache():
    """Login throttling counts in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def signed_in(user, *, enforce_csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    client.force_login(user)
    return client


@pytest.fixture
def owner(tenant_a) -> Client:
    return signed_in(tenant_a["owner"])


@pytest.fixture
def writer(tenant_a) -> Client:
    return signed_in(tenant_a["writer"])


@pytest.fixture
def reader(tenant_a) -> Client:
    return signed_in(tenant_a["reader"])


@pytest.fixture
def owner_b(tenant_b) -> Client:
    return signed_in(tenant_b["owner"])


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """Run the jobs a request records, as the worker would, when its transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def api_key_a(full_a):
    api_key, _ = create_api_key(principal=full_a, level="read", name="billing")
    return api_key


@pytest.fixture
def api_key_b(full_b):
    api_key, _ = create_api_key(principal=full_b, level="read", name="bravo billing")
    return api_key


@pytest.fixture
def webhook_a(full_a):
    """A webhook of A with one delivery (of its own creation; never sent: no commit runs it)."""
    from apps.events.services import create_webhook

    webhook, _ = create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["webhook.*"])
    return webhook


@pytest.fixture
def whitelist_entry_a(full_a):
    return add_whitelist_entry(principal=full_a, cidr="198.51.100.0/24", description="office")


@pytest.fixture
def whitelist_entry_b(full_b):
    return add_whitelist_entry(principal=full_b, cidr="203.0.113.7", description="bravo office")


@pytest.fixture
def oauth_app_a(full_a):
    application, _ = create_oauth_application(
        principal=full_a,
        name="Alpha CRM",
        client_type="confidential",
        authorization_grant_type="authorization-code",
        redirect_uris="https://crm.alpha.example/callback",
    )
    return application


@pytest.fixture
def oauth_app_b(full_b):
    application, _ = create_oauth_application(
        principal=full_b,
        name="Bravo CRM",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )
    return application


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


@pytest.fixture
def world(tenant_a, account_a, servicepack, api_key_a, whitelist_entry_a, oauth_app_a, webhook_a):
    """One of each object of reseller A that a panel URL can name."""
    from types import SimpleNamespace

    from apps.assets.services import create_asset
    from apps.domains.services import register_domain
    from apps.provisioning.models import ProvisioningJob
    from tests.conftest import principal
    from tests.world import REGISTRANT

    asset = account_a.assets.get()
    mailbox, _ = create_asset(
        principal=principal(tenant_a, "owner"),
        account_id=account_a.pk,
        asset_type="mailbox",
        fields={"email_address": f"info@{account_a.identifier}"},
        password="Secret123x",
    )
    return SimpleNamespace(
        tenant=tenant_a,
        servicepack=servicepack,
        account=account_a,
        asset=asset,
        mailbox=mailbox,
        job=ProvisioningJob.objects.filter(reseller=tenant_a["reseller"]).first(),
        api_key=api_key_a,
        whitelist_entry=whitelist_entry_a,
        oauth_app=oauth_app_a,
        membership=tenant_a["reader"].memberships.get(),
        webhook=webhook_a,
        delivery=webhook_a.deliveries.get(),
        dns_record=account_a.dns_zone.records.get(type="TXT"),
        domain=register_domain(
            principal=principal(tenant_a, "owner"), domain_name="alpha-world.example", registrant=REGISTRANT
        )[0],
    )
