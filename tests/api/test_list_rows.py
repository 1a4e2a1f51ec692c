"""The list endpoints build their items from `.values()` rows (issue 11); the output serializers stay the schema.
Each list must answer exactly what its serializer makes of the same objects, key for key and in the same order."""

from __future__ import annotations

import json

import pytest
from rest_framework.renderers import JSONRenderer

from apps.accounts.api import AccountOut
from apps.accounts.models import Account
from apps.apikeys.api import ApiKeyOut
from apps.apikeys.models import ApiKey
from apps.assets.api.hosting import LinuxHostingOut
from apps.assets.api.serializers import MailboxOut, MySqlDatabaseOut
from apps.assets.models import Asset
from apps.core.api import AuditEventOut
from apps.core.models import AuditEvent
from apps.core.principal import Principal
from apps.ipwhitelist.api import WhitelistEntryOut
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.provisioning.api import JobOut
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.api import ServicePackOut
from apps.servicepacks.models import AssetType, ServicePack
from tests.api.conftest import add_asset_rows


def serialized(serializer_class, objects) -> list:
    """What the serializer makes of `objects`, through the same JSON renderer as the API."""
    return json.loads(JSONRenderer().render(serializer_class(objects, many=True).data))


@pytest.fixture
def listed(api_world):
    world = api_world
    # A database with no `users` key and one with several: user_count must count both right.
    add_asset_rows(
        AssetType.MYSQL,
        [
            (world.account, "pn_nousers", {"database_name": "nousers"}),
            (world.account, "pn_three", {"database_name": "three", "users": [{"name": f"u{n}"} for n in range(3)]}),
        ],
    )
    return world


CASES = {
    "/v2/accounts": (AccountOut, lambda r: Account.objects.filter(reseller=r).order_by("created_at", "id")),
    "/v2/mysqldatabases": (
        MySqlDatabaseOut,
        lambda r: Asset.objects.filter(reseller=r, asset_type=AssetType.MYSQL).order_by("created_at", "id"),
    ),
    "/v2/mailboxes": (
        MailboxOut,
        lambda r: Asset.objects.filter(reseller=r, asset_type=AssetType.MAILBOX).order_by("created_at", "id"),
    ),
    "/v2/linuxhostings": (
        LinuxHostingOut,
        lambda r: Asset.objects.filter(reseller=r, asset_type=AssetType.LINUX_HOSTING).order_by("created_at", "id"),
    ),
    "/v2/provisioningjobs": (
        JobOut,
        lambda r: ProvisioningJob.objects.filter(reseller=r).order_by("-created_at", "-pk"),
    ),
    "/v2/auditevents": (AuditEventOut, lambda r: AuditEvent.objects.filter(reseller=r).order_by("-at", "-id")),
    "/v2/apikeys": (ApiKeyOut, lambda r: ApiKey.objects.filter(reseller=r).order_by("created_at", "id")),
    "/v2/ipwhitelist": (
        WhitelistEntryOut,
        lambda r: IpWhitelistEntry.objects.filter(reseller=r).order_by("created_at", "id"),
    ),
    "/v2/servicepacks": (
        ServicePackOut,
        lambda r: (
            ServicePack.objects.filter(pk__in=ServicePack.objects.for_principal(Principal.system(r)))
            .prefetch_related("items")
            .order_by("id")
        ),
    ),
}


@pytest.mark.parametrize("path", CASES)
def test_list_answers_what_its_serializer_makes(path, listed, api_client, tenant_a):
    client = api_client(tenant_a, "full")
    serializer_class, objects = CASES[path]
    response = client.get(f"{path}?take=100")
    assert response.status_code == 200, response.content
    expected = serialized(serializer_class, objects(tenant_a["reseller"]))
    assert expected, f"the world has nothing to list at {path}"
    body = response.json()
    assert body == expected
    assert [list(item) for item in body] == [list(item) for item in expected]  # same keys in the same order


def test_user_count_counts_the_users_of_each_database(listed, api_client, tenant_a):
    body = api_client(tenant_a, "read").get("/v2/mysqldatabases?take=100").json()
    counts = {item["name"]: item["user_count"] for item in body}
    assert counts["pn_nousers"] == 0
    assert counts["pn_three"] == 3
    assert counts[listed.mysql.name] == len(listed.mysql.details["users"]) == 2
