"""`manage.py createapikey`: a working key for scripts, without the panel."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.apikeys.models import ApiKey
from apps.core.crypto import decrypt
from apps.core.models import AuditEvent
from apps.ipwhitelist.models import IpWhitelistEntry
from tests.signed_client import SignedClient


def create(*args) -> dict:
    out = StringIO()
    call_command("createapikey", *args, stdout=out)
    return json.loads(out.getvalue())


def test_json_output_is_a_key_that_signs_requests(tenant_a, servicepack):
    made = create("--reseller", "alpha", "--level", "read", "--allow-ip", "192.0.2.10", "--name", "ci", "--json")

    api_key = ApiKey.objects.get(key=made["key"])
    assert api_key.reseller == tenant_a["reseller"] and api_key.level == "read" and api_key.name == "ci"
    assert decrypt(api_key.secret_encrypted) == made["secret"]
    assert list(IpWhitelistEntry.objects.filter(reseller=tenant_a["reseller"]).values_list("cidr", flat=True)) == [
        "192.0.2.10"
    ]
    response = SignedClient(made["key"], made["secret"], ip="192.0.2.10").get("/v2/servicepacks")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="api_key.create", via="cli").count() == 1


def test_existing_whitelist_entries_are_kept_not_duplicated(tenant_a):
    create("--reseller", "alpha", "--level", "write", "--allow-ip", "2001:db8::/32", "--json")
    create("--reseller", "alpha", "--level", "write", "--allow-ip", "2001:DB8::/32", "--json")
    assert IpWhitelistEntry.objects.filter(reseller=tenant_a["reseller"]).count() == 1
    assert ApiKey.objects.filter(reseller=tenant_a["reseller"]).count() == 2


def test_plain_output_shows_key_and_secret_once(tenant_a):
    out = StringIO()
    call_command("createapikey", "--reseller", "alpha", "--level", "full", stdout=out)
    api_key = ApiKey.objects.get()
    assert f"key:    {api_key.key}" in out.getvalue()
    assert f"secret: {decrypt(api_key.secret_encrypted)}" in out.getvalue()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--reseller", "nope", "--level", "read"], "No reseller with slug 'nope'."),
        (["--reseller", "alpha", "--level", "read", "--allow-ip", "10.0.0.1/8"], "is not an IP address or network"),
    ],
)
def test_bad_input_is_a_command_error_and_creates_nothing(tenant_a, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("createapikey", *args, stdout=StringIO())
    assert not ApiKey.objects.exists() and not IpWhitelistEntry.objects.exists()
