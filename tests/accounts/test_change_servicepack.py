"""Changing an account's servicepack: the assets' sizes keep or follow the new pack, and a no-op is refused."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from apps.accounts.services import change_servicepack
from apps.assets.models import Asset
from apps.assets.services import resize_asset
from apps.core.errors import InvalidState, SizeExceedsServicepack, ValidationFailed
from apps.core.models import AuditEvent
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType

pytestmark = pytest.mark.django_db


def hosting(account) -> Asset:
    return account.assets.get(asset_type=AssetType.LINUX_HOSTING)


def test_by_default_sizes_stay_as_they_were(write_a, account_a, big_servicepack):
    change_servicepack(principal=write_a, account_id=account_a.pk, servicepack=big_servicepack)
    assert hosting(account_a).max_size == 1024  # Starter's size, not Business's 10240


def test_sizes_follow_the_new_pack_and_the_job_applies_them(
    write_a, account_a, big_servicepack, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _, job = change_servicepack(
            principal=write_a, account_id=account_a.pk, servicepack=big_servicepack, asset_sizes="follow"
        )
    assert hosting(account_a).max_size == 10240
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    event = AuditEvent.objects.get(action="account.change_servicepack")
    assert event.changes == {
        "servicepack": ["Starter", "Business"],
        "asset_sizes_mb": {"Linux hosting alpha-shop.example": [1024, 10240]},
    }


def test_following_a_smaller_pack_is_refused_when_an_asset_uses_more(write_a, account_a, big_servicepack):
    change_servicepack(principal=write_a, account_id=account_a.pk, servicepack=big_servicepack, asset_sizes="follow")
    ProvisioningJob.objects.update(status=JobStatus.FINISHED)
    Asset.objects.filter(pk=hosting(account_a).pk).update(actual_size=2000)
    with pytest.raises(SizeExceedsServicepack) as caught:
        change_servicepack(
            principal=write_a, account_id=account_a.pk, servicepack=account_a.servicepack, asset_sizes="follow"
        )
    assert "already uses 2000 MB" in caught.value.detail and caught.value.field == "servicepack_id"
    assert hosting(account_a).max_size == 10240


def test_the_same_pack_with_nothing_to_resize_is_a_no_op_and_refused(write_a, account_a):
    before = (ProvisioningJob.objects.count(), AuditEvent.objects.count())
    for asset_sizes in ("keep", "follow"):
        with pytest.raises(InvalidState) as caught:
            change_servicepack(
                principal=write_a, account_id=account_a.pk, servicepack=account_a.servicepack, asset_sizes=asset_sizes
            )
        assert caught.value.detail.startswith("Nothing to change")
    assert (ProvisioningJob.objects.count(), AuditEvent.objects.count()) == before


def test_the_same_pack_with_sizes_to_follow_is_not_a_no_op(write_a, account_a):
    Asset.objects.filter(pk=hosting(account_a).pk).update(max_size=500)
    _, job = change_servicepack(
        principal=write_a, account_id=account_a.pk, servicepack=account_a.servicepack, asset_sizes="follow"
    )
    assert hosting(account_a).max_size == 1024 and job.action == "account.change_servicepack"


def test_an_unknown_size_policy_is_a_field_error(write_a, account_a, big_servicepack):
    with pytest.raises(ValidationFailed) as caught:
        change_servicepack(principal=write_a, account_id=account_a.pk, servicepack=big_servicepack, asset_sizes="max")
    assert caught.value.field == "asset_sizes"


def test_resizing_to_the_same_size_is_a_no_op_and_refused(write_a, account_a):
    asset = hosting(account_a)
    before = ProvisioningJob.objects.count()
    with pytest.raises(InvalidState) as caught:
        resize_asset(principal=write_a, asset_id=asset.pk, max_size=asset.max_size)
    assert caught.value.detail == f"Nothing to change: {asset} is {asset.max_size} MB already."
    assert ProvisioningJob.objects.count() == before


def test_api_takes_asset_sizes_and_documents_it(api_client, tenant_a, account_a, big_servicepack):
    client = api_client(tenant_a, "write")
    response = client.put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": big_servicepack.pk, "asset_sizes": "follow"}
    )
    assert response.status_code == 202
    assert hosting(account_a).max_size == 10240
    response = client.put(f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": 1, "asset_sizes": "grow"})
    assert response.status_code == 400
    assert response.json()["validation_errors"][0]["field"] == "asset_sizes"
    schema = client.get("/v2/openapi.json").json()
    body = schema["components"]["schemas"]["ServicepackChangeInRequest"]["properties"]["asset_sizes"]
    assert "`follow`: each gets the new servicepack's maximum size" in json.dumps(body)
    assert '"enum": ["keep", "follow"]' in json.dumps(schema)


def test_api_refuses_a_no_op_change_with_409(api_client, tenant_a, account_a):
    response = api_client(tenant_a, "write").put(
        f"/v2/accounts/{account_a.pk}/servicepack", {"servicepack_id": account_a.servicepack_id}
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_state"


def test_panel_offers_the_choice_and_follows_by_default(tenant_a, account_a, big_servicepack):
    writer = Client()
    writer.force_login(tenant_a["writer"])
    page = writer.get(f"/accounts/{account_a.pk}/servicepack/").content.decode()
    assert 'value="follow"' in page and 'value="keep"' in page
    response = writer.post(
        f"/accounts/{account_a.pk}/servicepack/", {"servicepack_id": big_servicepack.pk, "asset_sizes": "follow"}
    )
    assert response.status_code == 302
    assert hosting(account_a).max_size == 10240
