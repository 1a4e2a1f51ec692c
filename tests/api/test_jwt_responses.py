"""`?jwt=1`: any GET answer (errors included) as an ES256 JWT, verified here by an independent library (PyJWT)
with the key published at /v2/jwks.json."""

from __future__ import annotations

import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from apps.api import signed_responses


def published_key(client: Client | None = None):
    response = (client or Client()).get("/v2/jwks.json")
    assert response.status_code == 200
    [jwk] = response.json()["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in jwk  # never the private part
    return jwt.PyJWK(jwk), jwk["kid"]


def verified(response) -> dict:
    body = response.json()
    assert set(body) == {"result", "data"} and body["result"] == "success"
    key, kid = published_key()
    assert jwt.get_unverified_header(body["data"])["kid"] == kid
    return jwt.decode(body["data"], key, algorithms=["ES256"])


def test_a_get_answer_is_signed_with_the_published_key(api_client, tenant_a, account_a):
    client = api_client(tenant_a, "read")
    plain = client.get(f"/v2/accounts/{account_a.pk}")
    signed = client.get(f"/v2/accounts/{account_a.pk}?jwt=1")

    assert signed.status_code == 200 and signed["Content-Type"] == "application/json"
    claims = verified(signed)
    assert claims["request"] == f"/v2/accounts/{account_a.pk}?jwt=1"
    assert claims["response"] == plain.json()
    assert claims["status"] == 200
    assert 24 * 3600 - 5 <= claims["exp"] - time.time() <= 24 * 3600
    assert signed["X-Request-Id"] and signed["X-RateLimit-Limit"]
    assert not signed.has_header("ETag")


def test_a_list_keeps_its_paging_headers_and_query(api_client, tenant_a, account_a):
    signed = api_client(tenant_a, "read").get("/v2/accounts?take=1&jwt=1&identifier=alpha-shop.example")
    claims = verified(signed)
    assert claims["request"] == "/v2/accounts?take=1&jwt=1&identifier=alpha-shop.example"
    assert [a["id"] for a in claims["response"]] == [account_a.pk]
    assert signed["X-Paging-TotalResults"] == "1"


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [("/v2/accounts/999999?jwt=1", 404, "not_found"), ("/v2/nowhere?jwt=1", 404, "not_found")],
)
def test_errors_are_signed_too(api_client, tenant_a, target, status, code):
    signed = api_client(tenant_a, "read").get(target)
    assert signed.status_code == status
    claims = verified(signed)
    assert claims["status"] == status and claims["response"]["code"] == code


def test_an_unauthenticated_answer_is_signed(db):
    signed = Client().get("/v2/accounts?jwt=1")
    assert signed.status_code == 401
    assert verified(signed)["response"]["code"] == "not_authenticated"


def test_a_tampered_token_does_not_verify(api_client, tenant_a, account_a):
    token = api_client(tenant_a, "read").get("/v2/servicepacks?jwt=1").json()["data"]
    header, payload, signature = token.split(".")
    forged = json.loads(jwt.utils.base64url_decode(payload))
    forged["response"] = []
    forged_token = ".".join([header, jwt.utils.base64url_encode(json.dumps(forged).encode()).decode(), signature])
    key, _ = published_key()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged_token, key, algorithms=["ES256"])


def test_without_jwt_nothing_changes(api_client, tenant_a, account_a):
    response = api_client(tenant_a, "read").get("/v2/servicepacks?jwt=0")
    assert isinstance(response.json(), list)


def test_the_configured_private_key_is_used(api_client, tenant_a, settings):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.PANEEL_JWT_PRIVATE_KEY = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    token = api_client(tenant_a, "read").get("/v2/servicepacks?jwt=1").json()["data"]
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert jwt.decode(token, public_pem, algorithms=["ES256"])["status"] == 200
    assert published_key()[0].key.public_numbers() == key.public_key().public_numbers()


def test_a_key_that_is_not_p256_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    other = ec.generate_private_key(ec.SECP384R1())
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(ImproperlyConfigured):
        signed_responses.load_private_key(pem.decode(), "", "x")


def test_the_derived_key_is_the_same_in_every_process_of_an_installation(settings):
    first = signed_responses.load_private_key("", "", "a" * 50).private_numbers().private_value
    again = signed_responses.load_private_key("", "", "a" * 50).private_numbers().private_value
    other = signed_responses.load_private_key("", "", "b" * 50).private_numbers().private_value
    assert first == again != other
