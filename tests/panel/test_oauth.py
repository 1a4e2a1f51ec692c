"""OAuth applications: the panel pages and the services behind them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.hashers import check_password
from oauth2_provider.models import AccessToken, get_application_model

from apps.apikeys import oauth_services
from apps.apikeys.models import ResellerApplication
from apps.core.errors import InsufficientLevel, NotFound, ValidationFailed
from apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db
Application = get_application_model()


def test_register_a_confidential_application_shows_the_secret_once(owner, tenant_a):
    assert owner.get("/api-access/oauth/new/").status_code == 200
    response = owner.post(
        "/api-access/oauth/new/",
        {
            "name": "Alpha CRM",
            "client_type": "confidential",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "https://crm.example/cb\nhttps://crm.example/cb2",
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/api-access/oauth/{application.pk}/created/"
    response = owner.get(response["Location"])
    html = response.content.decode()
    secret = re.search(r'id="client-secret"[^>]*>([^<]+)<', html).group(1)
    assert check_password(secret, application.client_secret)  # stored hashed only
    assert application.client_id in html and "only time it is shown" in html
    assert application.redirect_uris == "https://crm.example/cb https://crm.example/cb2"
    assert ResellerApplication.objects.get(application=application).reseller == tenant_a["reseller"]
    assert application.user == tenant_a["owner"]  # client-credentials tokens act as their application's owner
    assert secret not in owner.get("/api-access/oauth/").content.decode()
    event = AuditEvent.objects.get(action="oauth_application.create")
    assert event.reseller == tenant_a["reseller"] and secret not in str(event.changes)
    assert secret not in str(dict(owner.session))
    # A reload: no second application, and the secret is not shown again.
    again = owner.get(f"/api-access/oauth/{application.pk}/created/").content.decode()
    assert secret not in again and "was shown once" in again
    assert Application.objects.count() == 1


def test_public_application_has_no_secret_to_show(owner):
    response = owner.post(
        "/api-access/oauth/new/",
        {
            "name": "SPA",
            "client_type": "public",
            "authorization_grant_type": "authorization-code",
            "redirect_uris": "https://spa.example/cb",
        },
        follow=True,
    )
    assert b"proves itself with PKCE" in response.content
    assert b'id="client-secret"' not in response.content


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        (
            {"client_type": "public", "authorization_grant_type": "client-credentials"},
            "authorization_grant_type",
            "public client",
        ),
        (
            {"client_type": "confidential", "authorization_grant_type": "authorization-code"},
            "redirect_uris",
            "cannot be empty",
        ),
        (
            {
                "client_type": "confidential",
                "authorization_grant_type": "authorization-code",
                "redirect_uris": "ftp://x",
            },
            "redirect_uris",
            "scheme",
        ),
        (
            {"client_type": "confidential", "authorization_grant_type": "implicit"},
            "authorization_grant_type",
            "valid choice",
        ),
    ],
)
def test_invalid_application_errors_are_on_their_fields(owner, data, field, text):
    response = owner.post("/api-access/oauth/new/", {"name": "App", **data})
    assert response.status_code == 200
    assert text in " ".join(response.context["form"].errors[field])
    assert not Application.objects.exists()


def test_edit(owner, oauth_app_a):
    response = owner.get(f"/api-access/oauth/{oauth_app_a.pk}/edit/")
    assert b"https://crm.alpha.example/callback" in response.content
    assert b'name="client_type"' not in response.content
    response = owner.post(
        f"/api-access/oauth/{oauth_app_a.pk}/edit/",
        {"name": "Alpha CRM 2", "authorization_grant_type": "client-credentials", "redirect_uris": ""},
    )
    assert response["Location"] == "/api-access/oauth/"
    oauth_app_a.refresh_from_db()
    assert (oauth_app_a.name, oauth_app_a.authorization_grant_type) == ("Alpha CRM 2", "client-credentials")
    event = AuditEvent.objects.get(action="oauth_application.update")
    assert event.changes["name"] == ["Alpha CRM", "Alpha CRM 2"]


def test_edit_keeps_the_hashed_secret(owner, full_a):
    application, secret = oauth_services.create_oauth_application(
        principal=full_a, name="A", client_type="confidential", authorization_grant_type="client-credentials"
    )
    owner.post(
        f"/api-access/oauth/{application.pk}/edit/", {"name": "B", "authorization_grant_type": "client-credentials"}
    )
    application.refresh_from_db()
    assert check_password(secret, application.client_secret)


def test_delete_cuts_off_its_tokens(owner, oauth_app_a, tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    AccessToken.objects.create(
        application=oauth_app_a, token="t0ken", expires=timezone.now() + timedelta(hours=1), scope="read"
    )
    assert b"stop working at once" in owner.get(f"/api-access/oauth/{oauth_app_a.pk}/delete/").content
    response = owner.post(f"/api-access/oauth/{oauth_app_a.pk}/delete/")
    assert response["Location"] == "/api-access/oauth/"
    assert not Application.objects.exists() and not AccessToken.objects.exists()
    assert not ResellerApplication.objects.exists()
    assert AuditEvent.objects.filter(action="oauth_application.delete", reseller=tenant_a["reseller"]).count() == 1


def test_list_shows_only_own_applications(owner, oauth_app_a, oauth_app_b):
    html = owner.get("/api-access/oauth/").content.decode()
    assert "Alpha CRM" in html and "Bravo CRM" not in html


# ---------------------------------------------------------------------------------------------------------------
# The services: level full, scoped through the reseller link, audited.


@pytest.mark.parametrize("principal_name", ["read_a", "write_a"])
def test_services_need_level_full(request, principal_name, oauth_app_a):
    principal = request.getfixturevalue(principal_name)
    with pytest.raises(InsufficientLevel):
        oauth_services.create_oauth_application(
            principal=principal, name="X", client_type="confidential", authorization_grant_type="client-credentials"
        )
    with pytest.raises(InsufficientLevel):
        oauth_services.update_oauth_application(
            principal=principal, application_id=oauth_app_a.pk, name="X", authorization_grant_type="client-credentials"
        )
    with pytest.raises(InsufficientLevel):
        oauth_services.delete_oauth_application(principal=principal, application_id=oauth_app_a.pk)
    assert Application.objects.count() == 1


def test_services_do_not_reach_another_resellers_application(full_b, oauth_app_a):
    with pytest.raises(NotFound):
        oauth_services.update_oauth_application(
            principal=full_b, application_id=oauth_app_a.pk, name="X", authorization_grant_type="client-credentials"
        )
    with pytest.raises(NotFound):
        oauth_services.delete_oauth_application(principal=full_b, application_id=oauth_app_a.pk)
    oauth_app_a.refresh_from_db()
    assert oauth_app_a.name == "Alpha CRM"


def test_create_reports_every_problem_at_once(full_a):
    with pytest.raises(ValidationFailed) as caught:
        oauth_services.create_oauth_application(
            principal=full_a, name=" ", client_type="weird", authorization_grant_type="password"
        )
    assert {problem.field for problem in caught.value.problems} == {"name", "client_type", "authorization_grant_type"}


def test_create_is_audited_with_the_principal(full_a):
    application, secret = oauth_services.create_oauth_application(
        principal=full_a, name="CI", client_type="confidential", authorization_grant_type="client-credentials"
    )
    event = AuditEvent.objects.get(action="oauth_application.create")
    assert (event.object_type, event.object_id) == ("application", str(application.pk))
    assert (event.actor_user, event.via, event.ip, event.request_id) == (full_a.user, "panel", "192.0.2.10", "test-req")
    assert secret not in str(event.changes) and application.client_secret not in str(event.changes)


def test_consent_page_uses_the_panel_layout_and_names_the_reseller(owner, oauth_app_a):
    response = owner.get(
        "/o/authorize/",
        {
            "response_type": "code",
            "client_id": oauth_app_a.client_id,
            "redirect_uri": "https://crm.alpha.example/callback",
            "scope": "read",
            "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "paneel.css" in html and "Authorize Alpha CRM?" in html
    assert "an application of Alpha" in html
    assert 'name="allow"' in html and "csrfmiddlewaretoken" in html
