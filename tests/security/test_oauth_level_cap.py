"""An OAuth application's level cap: scopes above it are not granted, and no token acts above it (issue 13, item 6)."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import Application

from apps.apikeys import oauth_services
from apps.apikeys.models import ResellerApplication
from apps.core.models import AuditEvent
from tests.security.test_oauth import CLEAR_SECRET, basic, bearer, make_app, orm_token, refused

pytestmark = pytest.mark.django_db


def token_request(app: Application, scope: str):
    return Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": scope},
        HTTP_AUTHORIZATION=basic(app.client_id, CLEAR_SECRET),
    )


@pytest.fixture
def whitelisted(tenant_a):
    from apps.ipwhitelist.models import IpWhitelistEntry

    return IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="192.0.2.10")


def test_a_read_application_is_not_granted_a_full_token(tenant_a, whitelisted):
    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS, level="read")
    response = token_request(app, "full")
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"
    response = token_request(app, "read")
    assert response.status_code == 200 and response.json()["scope"] == "read"


def test_a_write_application_gets_write_but_not_full(tenant_a, whitelisted):
    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS, level="write")
    assert token_request(app, "write").status_code == 200
    assert token_request(app, "write full").status_code == 400


def test_a_token_issued_before_the_cap_was_lowered_acts_at_the_cap(tenant_a, whitelisted, full_a):
    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS, level="full")
    token = orm_token(app, None, "full")
    assert bearer("GET", "/v2/apikeys", token).status_code == 200  # full may list API keys
    oauth_services.update_oauth_application(
        principal=full_a,
        application_id=app.pk,
        name=app.name,
        authorization_grant_type=app.authorization_grant_type,
        level="read",
    )
    refused(bearer("GET", "/v2/apikeys", token), 403, "insufficient_level")
    assert bearer("GET", "/v2/servicepacks", token).status_code == 200
    event = AuditEvent.objects.get(action="oauth_application.update")
    assert event.changes == {"level": ["full", "read"]}


def test_new_applications_start_at_read_and_the_panel_sets_the_level(tenant_a, full_a):
    owner = Client()
    owner.force_login(tenant_a["owner"])
    application, _ = oauth_services.create_oauth_application(
        principal=full_a,
        name="default",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )
    assert ResellerApplication.objects.get(application=application).level == "read"
    response = owner.post(
        "/api-access/oauth/new/",
        {
            "name": "Billing",
            "client_type": "confidential",
            "authorization_grant_type": "client-credentials",
            "level": "write",
        },
    )
    assert response.status_code == 302
    link = ResellerApplication.objects.get(application__name="Billing")
    assert link.level == "write"
    assert "Write" in owner.get("/api-access/oauth/").content.decode()
    response = owner.post(
        f"/api-access/oauth/{link.application_id}/edit/",
        {"name": "Billing", "authorization_grant_type": "client-credentials", "level": "root"},
    )
    assert response.status_code == 200 and "level" in response.context["form"].errors


def test_an_unknown_level_is_refused_by_the_service(full_a):
    from apps.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        oauth_services.create_oauth_application(
            principal=full_a,
            name="x",
            client_type="confidential",
            authorization_grant_type="client-credentials",
            level="admin",
        )
    assert caught.value.field == "level"
