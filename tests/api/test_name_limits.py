"""Names as long as the API accepts them are names the drivers can provision (issue 14, item 9): a legal domain of
237 to 253 characters becomes a working account with its site, server block and mailboxes; what the drivers could
never hold (`a..b@`, an address over 254 characters) is refused at once, naming the field."""

from __future__ import annotations

import pytest

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.provisioning.drivers.local import LinuxHostingDriver
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api.conftest import assert_problem


def long_domain(length: int) -> str:
    """A legal domain of exactly `length` characters (labels of at most 63)."""
    labels, rest = [], length - len(".example")
    while rest > 0:
        label = min(63, rest)
        if rest - label == 1:  # a label may not be empty: leave room for one more character and a dot
            label -= 2
        labels.append("a" * label)
        rest -= label + 1
    domain = ".".join(labels) + ".example"
    assert len(domain) == length and all(len(label) <= 63 for label in domain.split("."))
    return domain


@pytest.mark.parametrize("length", [237, 245, 250, 251, 253])
def test_an_account_on_a_domain_of_any_legal_length_is_provisioned(
    length, writer, servicepack, run_jobs, provisioning_root
):
    domain = long_domain(length)

    with run_jobs():
        response = writer.post(
            "/v2/accounts", {"identifier": domain, "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"}
        )

    assert response.status_code == 202, response.content
    account = Account.objects.get(identifier=domain)
    assert account.status == Status.ACTIVE
    assert set(ProvisioningJob.objects.values_list("status", flat=True)) == {JobStatus.FINISHED}  # + the zone
    driver = LinuxHostingDriver(provisioning_root)
    assert driver.site_path(domain).is_dir()
    vhost = driver.vhost_path(domain)
    assert vhost.is_file() and f"server_name {domain}" in vhost.read_text()
    assert vhost.parent == provisioning_root / "vhosts" and len(vhost.name) <= 255


def test_long_domains_sharing_a_start_get_their_own_server_blocks(provisioning_root):
    driver = LinuxHostingDriver(provisioning_root)
    first, second = long_domain(253), long_domain(253)[:-9] + "b.example"
    assert len(second) == 253 and first != second
    assert driver.vhost_path(first) != driver.vhost_path(second)


def test_a_mailbox_on_a_long_domain_is_provisioned(api_client, tenant_a, big_servicepack, run_jobs):
    writer = api_client(tenant_a, "write")
    domain = long_domain(249)  # with "ab.c@": 254 characters, the most an address may have
    with run_jobs():
        writer.post("/v2/accounts", {"identifier": domain, "servicepack_id": big_servicepack.pk})
    account = Account.objects.get(identifier=domain)
    with run_jobs():
        response = writer.post(
            "/v2/mailboxes", {"email_address": f"ab.c@{domain}", "account_id": account.pk, "password": "Secret123abc"}
        )
    assert response.status_code == 201, response.content
    assert Asset.objects.get(name=f"ab.c@{domain}").status == Status.ACTIVE
    assert set(ProvisioningJob.objects.values_list("status", flat=True)) == {JobStatus.FINISHED}


@pytest.mark.parametrize("local", ["a..b", "a.b..c", "x" * 10])
def test_mailbox_addresses_the_drivers_cannot_hold_are_refused(local, api_client, tenant_a, big_servicepack, run_jobs):
    writer = api_client(tenant_a, "write")
    domain = long_domain(245) if local == "x" * 10 else "alpha-mail.example"
    with run_jobs():
        writer.post("/v2/accounts", {"identifier": domain, "servicepack_id": big_servicepack.pk})
    account = Account.objects.get(identifier=domain)

    response = writer.post(
        "/v2/mailboxes", {"email_address": f"{local}@{domain}", "account_id": account.pk, "password": "Secret123abc"}
    )

    assert_problem(response, 400, "validation_failed", field="email_address")
    assert not Asset.objects.filter(asset_type="mailbox").exists()
