"""Key rotation of the secrets at rest (MultiFernet): old keys still decrypt, `rotate_encryption_key` re-encrypts
every stored secret with the current key, and `check_encryption_key` proves the keys decrypt what is stored."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command

from apps.apikeys.models import ApiKey
from apps.apikeys.services import create_api_key
from apps.core.crypto import decrypt
from apps.ipwhitelist.models import IpWhitelistEntry
from tests.signed_client import SignedClient

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def key_under_old(settings, full_a, tenant_a):
    """An API key whose secret was stored while OLD was the key; then NEW became the key, OLD an old key."""
    settings.PANEEL_ENCRYPTION_KEY, settings.PANEEL_ENCRYPTION_OLD_KEYS = OLD, []
    api_key, secret = create_api_key(principal=full_a, level="read", name="before rotation")
    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="192.0.2.10")
    settings.PANEEL_ENCRYPTION_KEY, settings.PANEEL_ENCRYPTION_OLD_KEYS = NEW, [OLD]
    return api_key, secret


def run(command: str) -> str:
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_a_secret_under_an_old_key_still_signs_requests(key_under_old):
    api_key, secret = key_under_old
    assert SignedClient(api_key.key, secret).get("/v2/servicepacks").status_code == 200


def test_rotation_reencrypts_with_the_current_key_so_the_old_one_can_go(key_under_old, settings):
    api_key, secret = key_under_old
    before = bytes(ApiKey.objects.get(pk=api_key.pk).secret_encrypted)
    assert "only with an old key (run rotate_encryption_key)" in run("check_encryption_key")

    assert "Re-encrypted 1 of 1" in run("rotate_encryption_key")

    stored = bytes(ApiKey.objects.get(pk=api_key.pk).secret_encrypted)
    assert stored != before and Fernet(NEW.encode()).decrypt(stored).decode() == secret
    settings.PANEEL_ENCRYPTION_OLD_KEYS = []
    assert decrypt(stored) == secret
    assert "All 1 stored API-key secrets decrypt; 0 only with an old key." in run("check_encryption_key")
    assert SignedClient(api_key.key, secret).get("/v2/servicepacks").status_code == 200
    assert "Re-encrypted 0 of 1" in run("rotate_encryption_key")


def test_check_fails_naming_the_key_no_configured_key_decrypts(key_under_old, settings):
    api_key, _ = key_under_old
    settings.PANEEL_ENCRYPTION_OLD_KEYS = []
    message = f"1 of 1 stored API-key secrets decrypt with no configured key: {api_key.key[:8]}"
    with pytest.raises(CommandError, match=message):
        run("check_encryption_key")


def test_rotation_without_the_old_key_changes_nothing(key_under_old, settings, full_a):
    settings.PANEEL_ENCRYPTION_KEY, settings.PANEEL_ENCRYPTION_OLD_KEYS = NEW, []
    create_api_key(principal=full_a, level="read", name="after")  # under NEW: would be rotated first (pk order)
    settings.PANEEL_ENCRYPTION_KEY = Fernet.generate_key().decode()
    settings.PANEEL_ENCRYPTION_OLD_KEYS = [NEW]
    before = {pk: bytes(token) for pk, token in ApiKey.objects.values_list("pk", "secret_encrypted")}

    with pytest.raises(CommandError, match="decrypts with no configured key; nothing was changed"):
        run("rotate_encryption_key")

    assert {pk: bytes(token) for pk, token in ApiKey.objects.values_list("pk", "secret_encrypted")} == before
