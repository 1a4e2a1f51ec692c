"""API keys: the secret is shown once and stored only encrypted; revoking is final and audited once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from apps.apikeys.models import ApiKey
from apps.apikeys.services import create_api_key, revoke_api_key
from apps.core.crypto import decrypt
from apps.core.errors import InvalidState, ValidationFailed
from apps.core.models import AuditEvent


def stored_row(api_key: ApiKey) -> str:
    row = ApiKey.objects.filter(pk=api_key.pk).values().get()
    row["secret_encrypted"] = bytes(row["secret_encrypted"]).decode("ascii")
    return json.dumps(row, cls=DjangoJSONEncoder)


def test_create_api_key_returns_the_secret_once_and_stores_it_encrypted(full_a, tenant_a):
    api_key, secret = create_api_key(principal=full_a, level="write", name="deploy")
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert len(stored.key) >= 32
    assert len(secret) >= 32
    assert stored.key != secret
    encrypted = bytes(stored.secret_encrypted)
    assert encrypted != secret.encode()
    assert decrypt(encrypted) == secret
    assert secret not in stored_row(stored)
    assert (stored.level, stored.name, stored.reseller, stored.created_by) == (
        "write",
        "deploy",
        tenant_a["reseller"],
        tenant_a["owner"],
    )
    assert stored.revoked_at is None and stored.is_usable


def test_created_api_keys_are_unique(full_a):
    made = [create_api_key(principal=full_a, level="read") for _ in range(3)]
    assert len({k.key for k, _ in made}) == 3
    assert len({s for _, s in made}) == 3


def test_create_api_key_audits_without_the_secret(full_a):
    api_key, secret = create_api_key(principal=full_a, level="read", name="ci")
    event = AuditEvent.objects.get()
    assert event.action == "api_key.create"
    assert event.changes == {"key": api_key.key, "level": "read", "name": "ci"}
    row = json.dumps(AuditEvent.objects.filter(pk=event.pk).values().get(), cls=DjangoJSONEncoder)
    assert secret not in row
    assert bytes(api_key.secret_encrypted).decode() not in row


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"level": "admin"}, "level"),
        ({"level": ""}, "level"),
        ({"level": "read", "name": "n" * 101}, "name"),
        ({"level": "read", "expires_at": "past"}, "expires_at"),
    ],
)
def test_create_api_key_validates_its_fields(full_a, kwargs, field):
    if kwargs.get("expires_at") == "past":
        kwargs = {**kwargs, "expires_at": timezone.now() - timedelta(minutes=1)}
    with pytest.raises(ValidationFailed) as caught:
        create_api_key(principal=full_a, **kwargs)
    assert caught.value.field == field
    assert not ApiKey.objects.exists()
    assert not AuditEvent.objects.exists()


def test_api_key_expiry_is_kept_in_utc_and_must_fit_it(full_a):
    far_east = dt_timezone(timedelta(hours=20, minutes=12))
    expires_at = (timezone.now() + timedelta(days=1)).astimezone(far_east)
    api_key, _ = create_api_key(principal=full_a, level="read", expires_at=expires_at)
    assert api_key.expires_at == expires_at and api_key.expires_at.utcoffset() == timedelta(0)

    beyond = datetime(9999, 12, 31, 23, 59, tzinfo=dt_timezone(-timedelta(hours=20)))
    with pytest.raises(ValidationFailed) as caught:
        create_api_key(principal=full_a, level="read", expires_at=beyond)
    assert caught.value.field == "expires_at" and "9999" in caught.value.problems[0].message
    assert ApiKey.objects.count() == 1


def test_api_key_with_a_future_expiry_is_usable_until_then(full_a):
    expires_at = timezone.now() + timedelta(days=30)
    api_key, _ = create_api_key(principal=full_a, level="read", expires_at=expires_at)
    assert ApiKey.objects.get(pk=api_key.pk).expires_at == expires_at
    assert api_key.is_usable
    ApiKey.objects.filter(pk=api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert not ApiKey.objects.get(pk=api_key.pk).is_usable


def test_revoke_api_key_makes_it_unusable(full_a):
    api_key, _ = create_api_key(principal=full_a, level="read")
    revoked = revoke_api_key(principal=full_a, api_key_id=api_key.pk)
    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.revoked_at is not None
    assert stored.revoked_at == revoked.revoked_at
    assert not stored.is_usable
    event = AuditEvent.objects.get(action="api_key.revoke")
    assert (event.object_id, event.changes) == (str(api_key.pk), {"key": api_key.key})


def test_revoking_twice_is_invalid_state_and_changes_nothing(full_a):
    api_key, _ = create_api_key(principal=full_a, level="read")
    revoke_api_key(principal=full_a, api_key_id=api_key.pk)
    revoked_at = ApiKey.objects.get(pk=api_key.pk).revoked_at
    with pytest.raises(InvalidState) as caught:
        revoke_api_key(principal=full_a, api_key_id=api_key.pk)
    assert (caught.value.code, caught.value.status) == ("invalid_state", 409)
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1
