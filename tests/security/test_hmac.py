"""HMAC authentication of API keys (DESIGN 6.1), proven through real signed requests.

The string to sign is rebuilt here by hand (`hand_header`, from hmac/hashlib/base64 and urllib only), so these
tests check the server against the documented algorithm, not against its own implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from datetime import timedelta
from urllib.parse import quote_plus, unquote_plus

import pytest
from django.db import connections
from django.utils import timezone

from apps.apikeys import signing
from apps.apikeys.models import ApiKey
from apps.ipwhitelist.models import IpWhitelistEntry
from tests.signed_client import SignedClient

PROBLEM_JSON = "application/problem+json"
SERVICEPACKS = "/v2/servicepacks"
WHITELIST = "/v2/ipwhitelist"
NEW_CIDR = "203.0.113.0/24"
NEW_ENTRY = json.dumps({"cidr": NEW_CIDR, "description": "office"}).encode()


# ---------------------------------------------------------------------------------------------------------------
# The documented algorithm, written out independently of apps.apikeys.signing


def php_urldecode(target: str) -> bytes:
    """PHP's `urldecode` of an ASCII target: '+' is a space, %XX a byte."""
    assert target.isascii(), "sign percent-encoded targets"
    return unquote_plus(target, encoding="latin-1").encode("latin-1")


def php_urlencode(data: bytes) -> str:
    """PHP's `urlencode`: all but A-Z a-z 0-9 - _ . as upper-case %XX, a space as '+' (Python keeps '~')."""
    return quote_plus(data, safe="").replace("~", "%7E")


def canonical(target: str, *, lower: bool = True) -> str:
    text = php_urldecode(target).decode("utf-8")
    return php_urlencode((text.lower() if lower else text).encode("utf-8"))


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hand_header(
    key: str,
    secret: str,
    method: str,
    target: str,
    *,
    body: bytes = b"",
    timestamp: int | str | None = None,
    nonce: str | None = None,
    lower: bool = True,
    scheme: str = "hmac",
) -> str:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    nonce = secrets.token_hex(12) if nonce is None else nonce
    message = key + method.lower() + canonical(target, lower=lower) + timestamp + nonce
    if body:
        message += b64(hashlib.md5(body).digest())
    signature = b64(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest())
    return f"{scheme} {key}:{signature}:{nonce}:{timestamp}"


def send(client: SignedClient, method: str, target: str, authorization: str | None, body: bytes = b"", **environ):
    """Send exactly this request (raw target, body, header) from the client's IP."""
    path, _, query = target.partition("?")
    if authorization is not None:
        environ["HTTP_AUTHORIZATION"] = authorization
    return client.client.generic(
        method,
        path,
        data=body,
        content_type="application/json" if body else None,
        REMOTE_ADDR=client.ip,
        QUERY_STRING=query,
        **environ,
    )


def refused(response, code: str, status: int = 401) -> dict:
    """A problem+json refusal with `code`; every 401 also names the schemes in `WWW-Authenticate`."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert (body["code"], body["status"]) == (code, status), body
    if status == 401:
        challenge = response.get("WWW-Authenticate", "")
        assert "hmac" in challenge.lower() and "bearer" in challenge.lower()
    return body


@pytest.fixture
def client_a(api_client, tenant_a, servicepack) -> SignedClient:
    return api_client(tenant_a, "full")


def whitelist_cidrs(tenant) -> set[str]:
    return set(IpWhitelistEntry.objects.filter(reseller=tenant["reseller"]).values_list("cidr", flat=True))


# ---------------------------------------------------------------------------------------------------------------
# Accepted


def test_signed_get_is_accepted(client_a):
    response = client_a.get(SERVICEPACKS)
    assert response.status_code == 200, response.content
    assert [pack["name"] for pack in response.json()] == ["Starter"]


def test_hand_signed_get_is_accepted(client_a):
    response = send(client_a, "GET", SERVICEPACKS, hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS))
    assert response.status_code == 200, response.content


def test_signed_post_with_body_is_accepted(client_a, tenant_a):
    header = hand_header(client_a.key, client_a.secret, "POST", WHITELIST, body=NEW_ENTRY)
    response = send(client_a, "POST", WHITELIST, header, NEW_ENTRY)
    assert response.status_code == 201, response.content
    assert NEW_CIDR in whitelist_cidrs(tenant_a)


def test_scheme_name_is_case_insensitive(client_a):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, scheme="HMAC")
    assert send(client_a, "GET", SERVICEPACKS, header).status_code == 200


def test_signing_records_last_use(client_a):
    assert client_a.api_key.last_used_at is None
    assert client_a.get(SERVICEPACKS).status_code == 200
    client_a.api_key.refresh_from_db()
    assert client_a.api_key.last_used_at is not None


# ---------------------------------------------------------------------------------------------------------------
# Wrong credentials and tampering


def test_wrong_secret_is_invalid_signature(client_a):
    header = hand_header(client_a.key, client_a.secret + "x", "GET", SERVICEPACKS)
    refused(send(client_a, "GET", SERVICEPACKS, header), "invalid_signature")


def test_unknown_key_is_invalid_signature(client_a):
    header = hand_header("f" * 40, client_a.secret, "GET", SERVICEPACKS)
    refused(send(client_a, "GET", SERVICEPACKS, header), "invalid_signature")


@pytest.mark.parametrize(
    ("signed_method", "signed_target", "sent_method", "sent_target"),
    [
        pytest.param("POST", SERVICEPACKS, "GET", SERVICEPACKS, id="method"),
        pytest.param("GET", SERVICEPACKS, "DELETE", SERVICEPACKS, id="method-get-sent-as-delete"),
        pytest.param("GET", "/v2/provisioningjobs", "GET", SERVICEPACKS, id="path"),
        pytest.param("GET", SERVICEPACKS + "?take=10", "GET", SERVICEPACKS + "?take=11", id="query-value"),
        pytest.param("GET", SERVICEPACKS + "?take=10", "GET", SERVICEPACKS + "?skip=10", id="query-name"),
        pytest.param("GET", SERVICEPACKS, "GET", SERVICEPACKS + "?take=1", id="query-added"),
        pytest.param("GET", SERVICEPACKS + "?take=1", "GET", SERVICEPACKS, id="query-removed"),
    ],
)
def test_altered_request_line_is_invalid_signature(client_a, signed_method, signed_target, sent_method, sent_target):
    header = hand_header(client_a.key, client_a.secret, signed_method, signed_target)
    refused(send(client_a, sent_method, sent_target, header), "invalid_signature")


@pytest.mark.parametrize(
    ("signed_body", "sent_body"),
    [
        pytest.param(NEW_ENTRY, NEW_ENTRY.replace(b"office", b"hacker"), id="altered"),
        pytest.param(NEW_ENTRY, NEW_ENTRY + b" ", id="appended-space"),
        pytest.param(b"", NEW_ENTRY, id="added"),
        pytest.param(NEW_ENTRY, b"", id="removed"),
    ],
)
def test_altered_body_is_invalid_signature(client_a, tenant_a, signed_body, sent_body):
    header = hand_header(client_a.key, client_a.secret, "POST", WHITELIST, body=signed_body)
    refused(send(client_a, "POST", WHITELIST, header, sent_body), "invalid_signature")
    assert NEW_CIDR not in whitelist_cidrs(tenant_a)


# ---------------------------------------------------------------------------------------------------------------
# Time window and nonces


@pytest.mark.parametrize("offset", [-301, 301, -3600, 10**6], ids=["301s-old", "301s-ahead", "1h-old", "far-ahead"])
def test_timestamp_outside_the_window_is_stale(client_a, offset):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, timestamp=int(time.time()) + offset)
    refused(send(client_a, "GET", SERVICEPACKS, header), "stale_timestamp")


@pytest.mark.parametrize("offset", [-299, 299, 0], ids=["299s-old", "299s-ahead", "now"])
def test_timestamp_inside_the_window_is_accepted(client_a, offset):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, timestamp=int(time.time()) + offset)
    assert send(client_a, "GET", SERVICEPACKS, header).status_code == 200


def test_stale_timestamp_does_not_spend_the_nonce_of_a_fresh_request(client_a):
    stale = hand_header(
        client_a.key, client_a.secret, "GET", SERVICEPACKS, timestamp=int(time.time()) - 400, nonce="n" * 16
    )
    refused(send(client_a, "GET", SERVICEPACKS, stale), "stale_timestamp")
    fresh = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, nonce="n" * 16)
    assert send(client_a, "GET", SERVICEPACKS, fresh).status_code == 200


def test_reused_nonce_is_replayed(client_a):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS)
    assert send(client_a, "GET", SERVICEPACKS, header).status_code == 200
    refused(send(client_a, "GET", SERVICEPACKS, header), "replayed_nonce")


def test_reused_nonce_with_another_signed_request_is_replayed(client_a):
    nonce = secrets.token_hex(10)
    first = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, nonce=nonce)
    second = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS + "?take=5", nonce=nonce)
    assert send(client_a, "GET", SERVICEPACKS, first).status_code == 200
    refused(send(client_a, "GET", SERVICEPACKS + "?take=5", second), "replayed_nonce")


def test_the_same_nonce_under_another_key_is_not_a_replay(api_client, tenant_a, client_a):
    other = api_client(tenant_a, "read")
    nonce = secrets.token_hex(10)
    assert (
        send(
            client_a, "GET", SERVICEPACKS, hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, nonce=nonce)
        ).status_code
        == 200
    )
    assert (
        send(
            other, "GET", SERVICEPACKS, hand_header(other.key, other.secret, "GET", SERVICEPACKS, nonce=nonce)
        ).status_code
        == 200
    )


def test_concurrent_replay_lets_exactly_one_through(transactional_db, api_client, tenant_a, monkeypatch):
    """Two threads send the same signed request at once: the atomic cache `add` lets exactly one in."""
    client = api_client(tenant_a, "read")
    header = hand_header(client.key, client.secret, "GET", SERVICEPACKS)
    both_verified = threading.Barrier(2, timeout=10)
    verify = signing.signature_matches
    verified = []

    def verify_then_wait(**kwargs):
        matched = verify(**kwargs)
        verified.append(matched)
        both_verified.wait()  # both requests have passed the signature check; now they race for the nonce
        return matched

    monkeypatch.setattr(signing, "signature_matches", verify_then_wait)
    responses = []

    def call():
        try:
            own = SignedClient(client.key, client.secret, ip=client.ip)  # a Django test Client per thread
            responses.append(send(own, "GET", SERVICEPACKS, header))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(responses) == 2, "a request thread did not finish"
    assert verified == [True, True]
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200, 401], [r.content for r in responses]
    refused(next(r for r in responses if r.status_code == 401), "replayed_nonce")


# ---------------------------------------------------------------------------------------------------------------
# Key state


def test_revoked_key_is_invalid_signature(client_a):
    ApiKey.objects.filter(pk=client_a.api_key.pk).update(revoked_at=timezone.now())
    refused(client_a.get(SERVICEPACKS), "invalid_signature")


def test_expired_key_is_invalid_signature(client_a):
    ApiKey.objects.filter(pk=client_a.api_key.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(client_a.get(SERVICEPACKS), "invalid_signature")


def test_key_expiring_later_is_accepted(client_a):
    ApiKey.objects.filter(pk=client_a.api_key.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    assert client_a.get(SERVICEPACKS).status_code == 200


def test_key_of_a_deactivated_reseller_is_invalid_signature(client_a, tenant_a):
    type(tenant_a["reseller"]).objects.filter(pk=tenant_a["reseller"].pk).update(is_active=False)
    refused(client_a.get(SERVICEPACKS), "invalid_signature")


# ---------------------------------------------------------------------------------------------------------------
# Malformed headers and wrong schemes


def valid_parts(client: SignedClient, **overrides) -> tuple[str, str, str, str]:
    header = hand_header(client.key, client.secret, "GET", SERVICEPACKS, **overrides)
    key, signature, nonce, timestamp = header.partition(" ")[2].split(":")
    return key, signature, nonce, timestamp


MALFORMED = {
    "missing-timestamp": lambda c: "hmac {}:{}:{}".format(*valid_parts(c)),
    "missing-nonce-and-timestamp": lambda c: "hmac {}:{}".format(*valid_parts(c)),
    "missing-key": lambda c: "hmac {1}:{2}:{3}".format(*valid_parts(c)),
    "extra-part": lambda c: "hmac {}:{}:{}:{}:extra".format(*valid_parts(c)),
    "empty-signature": lambda c: "hmac {0}::{2}:{3}".format(*valid_parts(c)),
    "empty-credentials": lambda c: "hmac ",
    "non-numeric-timestamp": lambda c: "hmac {}:{}:{}:{}".format(*valid_parts(c, timestamp=f"{int(time.time())}x")),
    "negative-timestamp": lambda c: "hmac {}:{}:{}:{}".format(*valid_parts(c, timestamp="-5")),
    "too-short-nonce": lambda c: "hmac {}:{}:{}:{}".format(*valid_parts(c, nonce="abcd567")),
    "too-long-nonce": lambda c: "hmac {}:{}:{}:{}".format(*valid_parts(c, nonce="n" * 129)),
}
# With no separators in the string to sign, any of these could swallow (part of) the body hash.
BAD_NONCES = ["abcdefgh=", "abcd+efgh", "abcd/efgh", "abcd efgh", "abcd%3Defgh", "abcdéfgh"]


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_header_is_invalid_signature(client_a, name):
    refused(send(client_a, "GET", SERVICEPACKS, MALFORMED[name](client_a)), "invalid_signature")


@pytest.mark.parametrize("nonce", BAD_NONCES)
def test_nonce_outside_the_allowed_characters_is_invalid_signature(client_a, nonce):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, nonce=nonce)
    refused(send(client_a, "GET", SERVICEPACKS, header), "invalid_signature")


def test_nonce_of_8_and_128_allowed_characters_is_accepted(client_a):
    for nonce in ("Ab3-_.xZ", "a" * 128):
        header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, nonce=nonce)
        assert send(client_a, "GET", SERVICEPACKS, header).status_code == 200, nonce


def test_body_hash_moved_into_the_nonce_does_not_verify(client_a, tenant_a):
    """Take a signed POST with a body, drop the body and append the body's hash to the nonce: the string to sign
    is the same, so only the nonce's character set stands between this and a forged body-less request."""
    nonce = "short-nonce1"
    header = hand_header(client_a.key, client_a.secret, "POST", WHITELIST, body=NEW_ENTRY, nonce=nonce)
    key, signature, _, timestamp = header.partition(" ")[2].split(":")
    forged = f"hmac {key}:{signature}:{nonce}{b64(hashlib.md5(NEW_ENTRY).digest())}:{timestamp}"
    body = refused(send(client_a, "POST", WHITELIST, forged, b""), "invalid_signature")
    assert NEW_CIDR not in whitelist_cidrs(tenant_a)
    assert "nonce" not in body["detail"].lower()
    # The original, as signed, still goes through: the refusal above is the nonce's doing.
    assert send(client_a, "POST", WHITELIST, header, NEW_ENTRY).status_code == 201


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Hmacx {key}:{signature}:{nonce}:{timestamp}", id="Hmacx"),
        pytest.param("hmac-sha256 {key}:{signature}:{nonce}:{timestamp}", id="hmac-sha256"),
        pytest.param("Basic " + b64(b"user:password"), id="Basic"),
        pytest.param("Digest username=x", id="Digest"),
        pytest.param("", id="empty-header"),
    ],
)
def test_wrong_scheme_is_not_authenticated(client_a, authorization):
    key, signature, nonce, timestamp = valid_parts(client_a)
    header = authorization.format(key=key, signature=signature, nonce=nonce, timestamp=timestamp)
    refused(send(client_a, "GET", SERVICEPACKS, header), "not_authenticated")


def test_missing_authorization_header_is_not_authenticated(client_a):
    refused(send(client_a, "GET", SERVICEPACKS, None), "not_authenticated")


def test_invalid_signature_does_not_say_which_part_failed(client_a, api_client, tenant_a):
    """Wrong key, wrong secret, tampered request, malformed header, revoked and expired keys look the same."""
    revoked, expired = api_client(tenant_a, "read"), api_client(tenant_a, "read")
    ApiKey.objects.filter(pk=revoked.api_key.pk).update(revoked_at=timezone.now())
    ApiKey.objects.filter(pk=expired.api_key.pk).update(expires_at=timezone.now() - timedelta(days=1))
    headers = {
        "unknown key": hand_header("e" * 40, client_a.secret, "GET", SERVICEPACKS),
        "wrong secret": hand_header(client_a.key, "not the secret", "GET", SERVICEPACKS),
        "tampered path": hand_header(client_a.key, client_a.secret, "GET", "/v2/provisioningjobs"),
        "malformed": MALFORMED["missing-timestamp"](client_a),
        "empty signature": MALFORMED["empty-signature"](client_a),
        "bad nonce": hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS, nonce="abcdefgh=="),
        "revoked": hand_header(revoked.key, revoked.secret, "GET", SERVICEPACKS),
        "expired": hand_header(expired.key, expired.secret, "GET", SERVICEPACKS),
    }
    answers = {}
    for name, header in headers.items():
        response = send(client_a, "GET", SERVICEPACKS, header)
        body = refused(response, "invalid_signature")
        answers[name] = (body["title"], body["detail"], body["type"], response["WWW-Authenticate"])
    assert len(set(answers.values())) == 1, answers


# ---------------------------------------------------------------------------------------------------------------
# Encoding of the path and query


ENCODED_TARGETS = [
    pytest.param(SERVICEPACKS + "?name=a+b", 200, id="space-as-plus"),
    pytest.param(SERVICEPACKS + "?name=a%20b", 200, id="space-as-%20"),
    pytest.param(SERVICEPACKS + "?name=%C3%A9%C3%BC%F0%9F%98%80", 200, id="unicode-query"),
    pytest.param(SERVICEPACKS + "?name=%C3%89T%C3%89+%C3%9C", 200, id="upper-case-unicode-query"),
    pytest.param(SERVICEPACKS + "?name=%26%3D%3F%2F%3A%40&x=1", 200, id="reserved-in-query"),
    pytest.param(SERVICEPACKS + "?name=%7E%21%2A%27%28%29", 200, id="tilde-and-sub-delims"),
    pytest.param(SERVICEPACKS + "?Name=MiXeD&TAKE=5&skip=0", 200, id="mixed-case-query"),
    pytest.param(SERVICEPACKS + "?name=%c3%a9", 200, id="lower-case-hex-from-client"),
    pytest.param("/v2/mailboxes/J%C3%A9r%C3%B4me@Example.COM", 404, id="unicode-mixed-case-path"),
    pytest.param("/v2/mailboxes/%F0%9F%98%80%C3%BC@example.com", 404, id="emoji-path"),
    pytest.param("/v2/mailboxes/a%20b@example.com", 404, id="space-in-path"),
    pytest.param("/v2/mailboxes/a+b@example.com", 404, id="plus-in-path"),
    # Regression (schemathesis): behind a server that passes no raw target (runserver, the test servers), a plus
    # sent as %2B reached the check as "+" and was read as a space, so its signature never matched.
    pytest.param("/v2/mailboxes/a%2Bb@example.com", 404, id="encoded-plus-in-path"),
    pytest.param("/v2/linuxhostings/WWW.Example.COM?x=%3A%40", 404, id="mixed-case-path-and-query"),
]


def accepted(response, status: int) -> None:
    assert response.status_code == status, response.content
    if status == 404:
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(("target", "status"), ENCODED_TARGETS)
def test_encoded_target_signed_as_documented_is_accepted(client_a, target, status):
    accepted(send(client_a, "GET", target, hand_header(client_a.key, client_a.secret, "GET", target)), status)


@pytest.mark.parametrize(("target", "status"), ENCODED_TARGETS)
def test_encoded_target_signed_without_lowercasing_is_accepted(client_a, target, status):
    header = hand_header(client_a.key, client_a.secret, "GET", target, lower=False)
    accepted(send(client_a, "GET", target, header), status)


@pytest.mark.parametrize(("target", "status"), ENCODED_TARGETS)
def test_encoded_target_signed_by_the_client_library_is_accepted(client_a, target, status):
    accepted(client_a.get(target), status)


@pytest.mark.parametrize(("target", "status"), ENCODED_TARGETS)
def test_encoded_target_with_a_signature_over_another_target_is_refused(client_a, target, status):
    """The control for the three tests above: the same route does check the signature."""
    header = hand_header(client_a.key, client_a.secret, "GET", target + ("&" if "?" in target else "?") + "z=1")
    refused(send(client_a, "GET", target, header), "invalid_signature")


def test_space_signed_as_plus_and_sent_as_percent_20_is_accepted(client_a):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS + "?name=a+b")
    assert send(client_a, "GET", SERVICEPACKS + "?name=a%20b", header).status_code == 200


def test_case_changed_otherwise_than_lowercasing_is_refused(client_a):
    """Two forms are accepted (lowercased, or as sent) and nothing else."""
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS + "?name=MIXED", lower=False)
    refused(send(client_a, "GET", SERVICEPACKS + "?Name=MiXeD", header), "invalid_signature")


def test_raw_utf8_in_the_query_is_read_as_utf8(client_a):
    """A client that sends UTF-8 bytes unencoded: a WSGI server hands them over latin-1-decoded, and they must be
    signed as the UTF-8 text they are (DESIGN: percent-decoded ... as UTF-8)."""
    raw_query = "name=" + "é€😀".encode().decode("latin-1")
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS + "?name=%C3%A9%E2%82%AC%F0%9F%98%80")
    assert send(client_a, "GET", SERVICEPACKS + "?" + raw_query, header).status_code == 200


def test_design_example_encodes_as_documented():
    expected = "%2Fv2%2Faccounts%3Fskip%3D0%26take%3D10"
    assert canonical("/v2/accounts?skip=0&take=10") == expected
    assert signing.canonical_targets("/v2/accounts?skip=0&take=10") == (expected, expected)
    assert signing.canonical_targets("/v2/Accounts?Q=%C3%89+x") == (
        "%2Fv2%2Faccounts%3Fq%3D%C3%A9+x",
        "%2Fv2%2FAccounts%3FQ%3D%C3%89+x",
    )


def test_known_answer_vector_matches_the_signing_module():
    key, secret = "0123456789abcdef0123456789abcdef", "s3cr3t-s3cr3t-s3cr3t-s3cr3t-0000"
    body = b'{"identifier": "Example.com", "servicepack_id": 1}'
    timestamp, nonce = 1700000000, "Nonce-0001_x.y"
    body_md5 = b64(hashlib.md5(body).digest())
    assert body_md5 == "VmBGDqsjYYbYmEXgePXkjg=="
    message = f"{key}post%2Fv2%2Faccounts%3Fskip%3D0%26take%3D10{timestamp}{nonce}{body_md5}"
    signature = b64(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest())
    assert signature == "ux0UN4vauWC728QU026RaiMhTOClcW+GEHgM1BJ9XpQ="
    expected = f"hmac {key}:{signature}:{nonce}:{timestamp}"
    made = signing.authorization_header(
        key=key,
        secret=secret,
        method="POST",
        target="/v2/accounts?skip=0&take=10",
        body=body,
        timestamp=timestamp,
        nonce=nonce,
    )
    assert made == expected
    assert (
        hand_header(key, secret, "POST", "/v2/accounts?skip=0&take=10", body=body, timestamp=timestamp, nonce=nonce)
        == expected
    )


def test_body_less_request_signs_no_body_hash():
    made = signing.authorization_header(
        key="k" * 16, secret="s", method="GET", target="/v2/servicepacks", timestamp=1, nonce="n" * 8
    )
    message = "k" * 16 + "get%2Fv2%2Fservicepacks1" + "n" * 8
    assert made == f"hmac {'k' * 16}:{b64(hmac.new(b's', message.encode(), hashlib.sha256).digest())}:{'n' * 8}:1"


# ---------------------------------------------------------------------------------------------------------------
# The raw request target (RAW_URI from gunicorn, REQUEST_URI from others)


def test_raw_uri_is_what_is_verified(client_a):
    """With RAW_URI set, the signature covers it and not Django's view of the path and query."""
    raw = SERVICEPACKS + "?via=raw"
    header = hand_header(client_a.key, client_a.secret, "GET", raw)
    assert send(client_a, "GET", SERVICEPACKS + "?via=wsgi", header, RAW_URI=raw).status_code == 200
    over_wsgi = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS + "?via=wsgi")
    refused(send(client_a, "GET", SERVICEPACKS + "?via=wsgi", over_wsgi, RAW_URI=raw), "invalid_signature")


def test_request_uri_is_used_when_raw_uri_is_absent(client_a):
    raw = SERVICEPACKS + "?via=request-uri"
    header = hand_header(client_a.key, client_a.secret, "GET", raw)
    assert send(client_a, "GET", SERVICEPACKS, header, REQUEST_URI=raw).status_code == 200


def test_absolute_form_raw_uri_keeps_path_and_query(client_a):
    header = hand_header(client_a.key, client_a.secret, "GET", SERVICEPACKS + "?take=3")
    raw = "http://testserver" + SERVICEPACKS + "?take=3"
    assert send(client_a, "GET", SERVICEPACKS + "?take=3", header, RAW_URI=raw).status_code == 200


def test_raw_uri_keeps_an_encoded_plus_apart_from_a_space(client_a):
    """`%2B` (a plus) and `+` (a space) differ only in the raw target: PATH_INFO has already decoded both."""
    target = "/v2/mailboxes/a%2Btag@example.com"
    header = hand_header(client_a.key, client_a.secret, "GET", target)
    accepted(send(client_a, "GET", target, header, RAW_URI=target), 404)
    as_space = hand_header(client_a.key, client_a.secret, "GET", "/v2/mailboxes/a+tag@example.com")
    refused(send(client_a, "GET", target, as_space, RAW_URI=target), "invalid_signature")


def test_raw_utf8_in_raw_uri_is_read_as_utf8(client_a):
    """gunicorn hands the request line over latin-1-decoded in RAW_URI; UTF-8 sent unencoded must verify as UTF-8."""
    target = SERVICEPACKS + "?name=%C3%A9%F0%9F%98%80"
    raw = SERVICEPACKS + "?name=" + "é😀".encode().decode("latin-1")
    header = hand_header(client_a.key, client_a.secret, "GET", target)
    assert send(client_a, "GET", target, header, RAW_URI=raw).status_code == 200
