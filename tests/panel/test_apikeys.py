"""API keys in the panel: create (secret shown once), list with last use, revoke."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.apikeys.models import ApiKey
from apps.core.crypto import decrypt
from apps.core.models import AuditEvent

from .conftest import messages_of

pytestmark = pytest.mark.django_db


def test_create_shows_the_secret_once(owner, tenant_a):
    assert owner.get("/api-access/keys/new/").status_code == 200
    response = owner.post("/api-access/keys/new/", {"name": "billing", "level": "write"})
    api_key = ApiKey.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/api-access/keys/{api_key.pk}/created/"
    response = owner.get(response["Location"])
    assert response.status_code == 200
    secret = re.search(r'id="api-secret"[^>]*>([^<]+)<', response.content.decode()).group(1)
    assert decrypt(api_key.secret_encrypted) == secret
    assert (api_key.level, api_key.name, api_key.created_by) == ("write", "billing", tenant_a["owner"])
    html = response.content.decode()
    assert "only time it is shown" in html
    assert 'data-copy="#api-secret"' in html and "copy.js" in html
    assert "no-store" in response["Cache-Control"]
    # Nowhere else, ever: not in the list, not in the session, not in the audit log.
    assert secret not in owner.get("/api-access/keys/").content.decode()
    assert secret not in str(dict(owner.session))
    assert all(secret not in str(event.changes) for event in AuditEvent.objects.all())


def test_reloading_the_created_page_makes_no_second_key_and_hides_the_secret(owner):
    response = owner.post("/api-access/keys/new/", {"name": "billing", "level": "write"})
    created_page = response["Location"]
    first = owner.get(created_page).content.decode()
    secret = re.search(r'id="api-secret"[^>]*>([^<]+)<', first).group(1)
    again = owner.get(created_page)
    assert again.status_code == 200
    assert secret not in again.content.decode() and 'id="api-secret"' not in again.content.decode()
    assert "was shown once" in again.content.decode()
    assert ApiKey.objects.count() == 1
    assert AuditEvent.objects.filter(action="api_key.create").count() == 1


def test_create_errors_are_shown_on_their_fields(owner):
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = owner.post("/api-access/keys/new/", {"name": "x", "level": "read", "expires_at": past})
    assert response.context["form"].errors["expires_at"] == ["Must be in the future."]
    response = owner.post("/api-access/keys/new/", {"name": "x", "level": "root"})
    assert "level" in response.context["form"].errors
    assert not ApiKey.objects.exists()


def test_list_shows_last_use_and_status(owner, api_key_a, api_key_b):
    ApiKey.objects.filter(pk=api_key_a.pk).update(last_used_at=timezone.now() - timedelta(hours=2))
    html = owner.get("/api-access/keys/").content.decode()
    assert api_key_a.key in html and api_key_b.key not in html
    assert "Last used" in html and (timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%d") in html


def test_revoke_with_confirmation(owner, api_key_a):
    response = owner.get(f"/api-access/keys/{api_key_a.pk}/revoke/")
    assert b"stops working at once" in response.content
    response = owner.post(f"/api-access/keys/{api_key_a.pk}/revoke/")
    assert response["Location"] == "/api-access/keys/"
    api_key_a.refresh_from_db()
    assert api_key_a.revoked_at is not None
    listing = owner.get("/api-access/keys/")
    assert any("is revoked" in message for message in messages_of(listing))
    assert b"Revoked" in listing.content


def test_revoking_twice_is_a_message(owner, api_key_a):
    owner.post(f"/api-access/keys/{api_key_a.pk}/revoke/")
    response = owner.post(f"/api-access/keys/{api_key_a.pk}/revoke/", follow=True)
    assert any("already revoked" in message for message in messages_of(response))


def test_api_access_root_leads_to_the_keys(owner):
    assert owner.get("/api-access/")["Location"] == "/api-access/keys/"


def test_list_query_count_does_not_grow(owner, full_a, django_assert_max_num_queries):
    from apps.apikeys.services import create_api_key

    for n in range(15):
        create_api_key(principal=full_a, level="read", name=f"k{n}")
    owner.get("/")
    with django_assert_max_num_queries(7):
        assert owner.get("/api-access/keys/").status_code == 200
