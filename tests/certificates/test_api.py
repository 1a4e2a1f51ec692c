"""Certificate requests through the reference's routes: the vendor is the CA the order goes to, and each name's
validation answers every field of the reference's validation, filled from the ACME challenge the job received."""

from __future__ import annotations

import pytest

from apps.certificates import acme_driver
from apps.certificates.models import CertificateRequest
from apps.provisioning.drivers.base import DriverError
from tests.world import csr_for, run_jobs

EMPTY = {
    "email_addresses": [],
    "cname_validation_name": "",
    "cname_validation_content": "",
    "file_validation_url_http": "",
    "file_validation_url_https": "",
    "file_validation_content": [],
}


@pytest.fixture
def client(api_client, tenant_a):
    return api_client(tenant_a, "write")


def request_for(client, account, *names: str, **extra) -> str:
    response = client.post(
        "/v2/sslcertificaterequests", {"csr": csr_for(*names), "certificate_type": "standard", **extra}
    )
    assert response.status_code == 201, response.content
    return response["Location"]


@pytest.mark.parametrize(
    ("directory", "vendor"),
    [
        ("https://acme-v02.api.letsencrypt.org/directory", "letsencrypt"),
        ("https://acme.sectigo.com/v2/DV", "sectigo"),
        ("https://pebble.internal:14000/dir", "pebble.internal"),
    ],
)
def test_the_vendor_is_the_ca_of_the_acme_directory(client, account_a, settings, directory, vendor):
    settings.PANEEL_ACME_DIRECTORY = directory
    location = request_for(client, account_a, account_a.identifier)
    assert client.get("/v2/sslcertificaterequests").json()[0]["vendor"] == vendor
    assert client.get(location).json()["vendor"] == vendor


def test_before_the_ca_is_asked_the_validations_hold_neutral_values(client, account_a):
    location = request_for(client, account_a, account_a.identifier, f"www.{account_a.identifier}")
    validations = client.get(location).json()["validations"]
    assert validations == [
        {"dns_name": name, "type": "file", "auto_validated": True, **EMPTY}
        for name in (account_a.identifier, f"www.{account_a.identifier}")
    ]


def challenges_then_failure(validations):
    """An `acme_driver.issue` that receives `validations` from the CA, shows them, then loses the connection."""

    def issue(*, on_validations, **_):
        on_validations(validations)
        raise DriverError("The CA went away.", code="acme_error")

    return issue


def test_http01_is_a_file_validation_with_the_challenge_url_and_content(client, account_a, monkeypatch, settings):
    settings.PANEEL_ACME_DIRECTORY = "https://acme.sectigo.com/v2/DV"
    name = account_a.identifier
    challenge = acme_driver.Validation(name, "http-01", token="tok-EN_1", key_authorization="tok-EN_1.thumb")
    monkeypatch.setattr(acme_driver, "issue", challenges_then_failure([challenge]))
    with run_jobs():
        location = request_for(client, account_a, name)
    settings.PANEEL_ACME_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory"
    body = client.get(location).json()
    assert body["validations"] == [
        {
            "dns_name": name,
            "type": "file",
            "auto_validated": True,
            **EMPTY,
            "file_validation_url_http": f"http://{name}/.well-known/acme-challenge/tok-EN_1",
            "file_validation_url_https": f"https://{name}/.well-known/acme-challenge/tok-EN_1",
            "file_validation_content": ["tok-EN_1.thumb"],
        }
    ]
    assert body["vendor"] == "sectigo"  # where the job sent the order, not the directory configured since


def test_dns01_is_a_dns_validation_with_the_txt_name_and_value(client, account_a, monkeypatch):
    name = account_a.identifier
    challenge = acme_driver.Validation(name, "dns-01", txt_name=f"_acme-challenge.{name}", txt_value="c2lnbmVk")
    monkeypatch.setattr(acme_driver, "issue", challenges_then_failure([challenge]))
    with run_jobs():
        location = request_for(client, account_a, name, challenge="dns-01")
    assert CertificateRequest.objects.get().challenge == "dns-01"
    assert client.get(location).json()["validations"] == [
        {
            "dns_name": name,
            "type": "dns",
            "auto_validated": True,
            **EMPTY,
            "cname_validation_name": f"_acme-challenge.{name}",
            "cname_validation_content": "c2lnbmVk",
        }
    ]


def test_another_resellers_request_is_not_found(client, api_client, tenant_b, account_a):
    location = request_for(client, account_a, account_a.identifier)
    other = api_client(tenant_b, "full")
    response = other.get(location)
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert other.get("/v2/sslcertificaterequests").json() == []
