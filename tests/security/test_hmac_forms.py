"""The canonical forms of the signed target that clients of the reference API use (issue 14): percent-decoded
first or signed as sent, lowercased or not, form-encoded (PHP `urlencode`) or RFC 3986-encoded (PHP `rawurlencode`:
a space as %20, `~` kept, `'()*` encoded). Each form is built here from the standard library alone, independently
of apps.apikeys.signing, and each is accepted over the whole request; nothing else is."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import time
from urllib.parse import quote, quote_plus, unquote_plus

import pytest

from apps.ipwhitelist.models import IpWhitelistEntry
from tests.signed_client import SignedClient

# Upper case, an encoded space, `~`, `'()*`, an encoded slash and a `+`: every choice of the forms changes it.
TARGET = "/v2/servicepacks?Name=Big%20Plan~%28x%29*%27&path=a%2Fb+c"
POST_TARGET = "/v2/ipwhitelist?Note=A%20B~%27"


def decoded(target: str) -> bytes:
    return unquote_plus(target, encoding="latin-1").encode("latin-1")


def as_sent(target: str) -> bytes:
    return target.encode("ascii")


def lowered(data: bytes) -> bytes:
    return data.decode("utf-8").lower().encode("utf-8")


def unchanged(data: bytes) -> bytes:
    return data


def form_encoded(data: bytes) -> str:
    return quote_plus(data, safe="").replace("~", "%7E")


def rfc3986_encoded(data: bytes) -> str:
    return quote(data, safe="")  # Python keeps letters, digits and _.-~, and encodes all else as upper-case %XX


FORMS = {
    f"{source.__name__}-{case.__name__}-{encoding.__name__}": (source, case, encoding)
    for source, case, encoding in itertools.product(
        (decoded, as_sent), (lowered, unchanged), (form_encoded, rfc3986_encoded)
    )
}


def encoded(form: str, target: str) -> str:
    source, case, encoding = FORMS[form]
    return encoding(case(source(target)))


def header(client, method: str, encoded_target: str, body: bytes = b"", *, nonce: str | None = None) -> str:
    timestamp, nonce = str(int(time.time())), nonce or secrets.token_hex(12)
    message = client.key + method.lower() + encoded_target + timestamp + nonce
    if body:
        message += base64.b64encode(hashlib.md5(body).digest()).decode()
    signature = base64.b64encode(hmac.new(client.secret.encode(), message.encode(), hashlib.sha256).digest()).decode()
    return f"hmac {client.key}:{signature}:{nonce}:{timestamp}"


def send(client, method: str, target: str, authorization: str, body: bytes = b""):
    """The request as a WSGI server with the raw target (gunicorn's RAW_URI) hands it over."""
    path, _, query = target.partition("?")
    return client.client.generic(
        method,
        unquote_plus(path),
        data=body,
        content_type="application/json" if body else None,
        HTTP_AUTHORIZATION=authorization,
        REMOTE_ADDR=client.ip,
        QUERY_STRING=query,
        RAW_URI=target,
    )


@pytest.fixture
def key(api_client, tenant_a) -> SignedClient:
    return api_client(tenant_a, "full")


def test_the_forms_of_the_test_target_all_differ():
    assert len({encoded(form, TARGET) for form in FORMS}) == len(FORMS) == 8


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_get_signed_in_each_form_is_accepted(form, key):
    response = send(key, "GET", TARGET, header(key, "GET", encoded(form, TARGET)))
    assert response.status_code == 200, response.content
    assert response["X-RateLimit-Remaining"]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_a_post_signed_in_each_form_covers_its_body(form, key, tenant_a):
    body = json.dumps({"cidr": "203.0.113.0/24", "description": form}).encode()
    signed = header(key, "POST", encoded(form, POST_TARGET), body)
    tampered = json.dumps({"cidr": "0.0.0.0/0", "description": form}).encode()

    refused = send(key, "POST", POST_TARGET, signed, tampered)
    accepted = send(key, "POST", POST_TARGET, signed, body)

    assert refused.status_code == 401 and refused.json()["code"] == "invalid_signature"
    assert accepted.status_code == 201, accepted.content
    assert list(IpWhitelistEntry.objects.filter(reseller=tenant_a["reseller"]).values_list("cidr", flat=True)) == [
        "192.0.2.10",
        "203.0.113.0/24",
    ]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_each_form_covers_the_method_and_the_target(form, key):
    signed_get = header(key, "GET", encoded(form, TARGET))
    assert send(key, "DELETE", TARGET, signed_get).status_code == 401
    other_target = TARGET.replace("Big", "Bog")
    assert send(key, "GET", other_target, header(key, "GET", encoded(form, TARGET))).status_code == 401


@pytest.mark.parametrize(
    "made_over",
    [
        TARGET,  # not encoded at all
        quote(TARGET, safe="").lower(),  # lower-case hex digits
        rfc3986_encoded(decoded(decoded(TARGET).decode()).upper()),  # decoded twice, upper-cased
        form_encoded(decoded(TARGET)).replace("%7E", "~"),  # a mix of the two encodings: space as +, ~ kept
        form_encoded(decoded(TARGET))[:-1],  # a character short
    ],
)
def test_signatures_over_any_other_form_are_refused(made_over, key):
    response = send(key, "GET", TARGET, header(key, "GET", made_over))
    assert response.status_code == 401 and response.json()["code"] == "invalid_signature"


def test_a_nonce_is_spent_whatever_form_used_it(key):
    nonce = secrets.token_hex(12)
    first = send(
        key, "GET", TARGET, header(key, "GET", encoded("as_sent-unchanged-rfc3986_encoded", TARGET), nonce=nonce)
    )
    again = send(key, "GET", TARGET, header(key, "GET", encoded("decoded-lowered-form_encoded", TARGET), nonce=nonce))
    assert first.status_code == 200
    assert again.status_code == 401 and again.json()["code"] == "replayed_nonce"
