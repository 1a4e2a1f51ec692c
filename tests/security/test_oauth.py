"""OAuth2 bearer tokens (DESIGN 5 and 6.1), through the toolkit's real /o/authorize/ and /o/token/ endpoints.

A token reaches the reseller its application is linked to (`ResellerApplication`), as its user's membership
level capped by the token's scopes; the IP whitelist applies as for API keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application, Grant, RefreshToken

from apps.accounts.models import Account
from apps.apikeys.models import ApiKey, ResellerApplication
from apps.ipwhitelist.models import IpWhitelistEntry

IP = "192.0.2.10"
REDIRECT_URI = "https://client.example/callback"
CLEAR_SECRET = "ClearClientSecret0123456789abcdefghijklmnop"
PROBLEM_JSON = "application/problem+json"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def make_app(
    tenant: dict,
    user,
    *,
    grant: str = Application.GRANT_AUTHORIZATION_CODE,
    linked: bool = True,
    name: str = "integration",
    level: str = "full",
) -> Application:
    app = Application.objects.create(
        name=name,
        user=user,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=grant,
        redirect_uris=REDIRECT_URI if grant == Application.GRANT_AUTHORIZATION_CODE else "",
        client_secret=CLEAR_SECRET,
    )
    if linked:
        ResellerApplication.objects.create(application=app, reseller=tenant["reseller"], level=level)
    return app


def orm_token(app: Application, user, scope: str, *, expires_in: int = 3600) -> str:
    """A token as the toolkit would have issued it, for the tests about what a token may do."""
    value = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        user=user, application=app, token=value, scope=scope, expires=timezone.now() + timedelta(seconds=expires_in)
    )
    return value


def bearer(method: str, target: str, token: str, *, ip: str = IP, data=None, **extra):
    path, _, query = target.partition("?")
    body = json.dumps(data).encode() if data is not None else b""
    return Client().generic(
        method,
        path,
        data=body,
        content_type="application/json" if body else None,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR=ip,
        QUERY_STRING=query,
        **extra,
    )


def refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["code"] == code, body
    if status == 401:
        assert "bearer" in response["WWW-Authenticate"].lower()
    return body


@pytest.fixture
def whitelisted(tenant_a):
    return IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr=IP)


@pytest.fixture
def code_app(tenant_a, whitelisted) -> Application:
    return make_app(tenant_a, tenant_a["owner"])


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return verifier, challenge


def authorize(app: Application, user, *, scope: str | None = "read", pkce: bool = True) -> tuple[str | None, str, str]:
    """Log `user` in, show the consent page and approve it. Returns (code or None, verifier, redirect Location)."""
    verifier, challenge = pkce_pair()
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "state": "st4te-xyz",
    }
    if scope is not None:
        params["scope"] = scope
    if pkce:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    browser = Client()
    browser.force_login(user)
    page = browser.get("/o/authorize/", params)
    if pkce:
        # The consent page; approve it as a browser would, with the form's own (hidden) fields.
        assert page.status_code == 200, page.content
        assert app.name.encode() in page.content
        params = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    approved = browser.post("/o/authorize/", {**params, "allow": "Authorize"})
    assert approved.status_code == 302, approved.content
    location = approved["Location"]
    query = parse_qs(urlsplit(location).query)
    return (query["code"][0] if "code" in query else None), verifier, location


def exchange_code(app: Application, code: str, verifier: str | None):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    if verifier is not None:
        data["code_verifier"] = verifier
    return Client().post("/o/token/", data, HTTP_AUTHORIZATION=basic(app.client_id, CLEAR_SECRET))


def code_flow_tokens(app: Application, user, scope: str | None = "read") -> dict:
    code, verifier, _ = authorize(app, user, scope=scope)
    assert code
    response = exchange_code(app, code, verifier)
    assert response.status_code == 200, response.content
    return response.json()


# ---------------------------------------------------------------------------------------------------------------
# Getting a token


def test_client_secret_is_stored_hashed(code_app):
    stored = Application.objects.get(pk=code_app.pk).client_secret
    assert stored != CLEAR_SECRET
    assert CLEAR_SECRET not in stored
    assert check_password(CLEAR_SECRET, stored)


def test_client_credentials_token_reads_servicepacks(tenant_a, whitelisted, servicepack):
    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS)
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "read"},
        HTTP_AUTHORIZATION=basic(app.client_id, CLEAR_SECRET),
    )
    assert response.status_code == 200, response.content
    issued = response.json()
    assert issued["scope"] == "read" and issued["token_type"] == "Bearer"
    assert issued["expires_in"] == 3600
    answer = bearer("GET", "/v2/servicepacks", issued["access_token"])
    assert answer.status_code == 200, answer.content
    assert [pack["name"] for pack in answer.json()] == ["Starter"]


def test_client_credentials_with_a_wrong_secret_get_no_token(tenant_a, whitelisted):
    app = make_app(tenant_a, tenant_a["owner"], grant=Application.GRANT_CLIENT_CREDENTIALS)
    response = Client().post(
        "/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=basic(app.client_id, CLEAR_SECRET + "x")
    )
    assert response.status_code == 401
    assert not AccessToken.objects.filter(application=app).exists()


def test_tokens_are_not_stored_in_clear(tenant_a, code_app):
    tokens = code_flow_tokens(code_app, tenant_a["owner"])
    stored_access = AccessToken.objects.get(application=code_app)
    stored_refresh = RefreshToken.objects.get(application=code_app)
    assert tokens["access_token"] not in (stored_access.token, stored_access.token_checksum)
    assert tokens["refresh_token"] != stored_refresh.token
    assert bearer("GET", "/v2/servicepacks", tokens["access_token"]).status_code == 200


def test_default_scope_is_read(tenant_a, code_app):
    tokens = code_flow_tokens(code_app, tenant_a["owner"], scope=None)
    assert tokens["scope"] == "read"


def test_authorization_code_with_pkce_gives_a_working_token(tenant_a, code_app, servicepack):
    code, verifier, location = authorize(code_app, tenant_a["owner"], scope="read write")
    assert location.startswith(REDIRECT_URI) and "state=st4te-xyz" in location
    response = exchange_code(code_app, code, verifier)
    assert response.status_code == 200, response.content
    tokens = response.json()
    assert set(tokens["scope"].split()) == {"read", "write"}
    assert tokens["refresh_token"]
    answer = bearer("GET", "/v2/servicepacks", tokens["access_token"])
    assert answer.status_code == 200, answer.content
    assert answer.json()[0]["name"] == "Starter"
    # The code is single-use.
    assert exchange_code(code_app, code, verifier).status_code == 400


def test_authorization_request_without_pkce_is_refused(tenant_a, code_app):
    code, _, location = authorize(code_app, tenant_a["owner"], pkce=False)
    assert code is None
    assert parse_qs(urlsplit(location).query)["error"] == ["invalid_request"]
    assert not AccessToken.objects.filter(application=code_app).exists()


def test_authorization_request_with_plain_pkce_is_refused(tenant_a, code_app):
    """Only S256: a `plain` challenge is the verifier itself, readable by whoever sees the authorization request."""
    verifier = secrets.token_urlsafe(64)
    browser = Client()
    browser.force_login(tenant_a["owner"])
    params = {
        "response_type": "code",
        "client_id": code_app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "read",
        "code_challenge": verifier,
        "code_challenge_method": "plain",
    }
    # The toolkit may still show the consent page; approving it must not give a code.
    approved = browser.post("/o/authorize/", {**params, "allow": "Authorize"})
    assert approved.status_code == 302, approved.content
    query = parse_qs(urlsplit(approved["Location"]).query)
    assert "code" not in query
    assert query["error"] == ["invalid_request"]
    assert not Grant.objects.filter(application=code_app).exists()


@pytest.mark.parametrize("verifier", [None, "wrong-verifier-" + "x" * 40], ids=["missing", "wrong"])
def test_code_exchange_without_the_right_verifier_is_refused(tenant_a, code_app, verifier):
    code, _, _ = authorize(code_app, tenant_a["owner"])
    response = exchange_code(code_app, code, verifier)
    assert response.status_code == 400, response.content
    assert response.json()["error"] in {"invalid_request", "invalid_grant"}
    assert not AccessToken.objects.filter(application=code_app).exists()


def test_refresh_tokens_rotate_and_a_reused_one_is_refused(tenant_a, code_app, servicepack):
    first = code_flow_tokens(code_app, tenant_a["owner"])
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    auth = basic(code_app.client_id, CLEAR_SECRET)
    rotated = Client().post("/o/token/", refresh, HTTP_AUTHORIZATION=auth)
    assert rotated.status_code == 200, rotated.content
    second = rotated.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert bearer("GET", "/v2/servicepacks", second["access_token"]).status_code == 200
    refused(bearer("GET", "/v2/servicepacks", first["access_token"]), 401, "invalid_token")

    reused = Client().post("/o/token/", refresh, HTTP_AUTHORIZATION=auth)
    assert reused.status_code == 400, reused.content
    assert reused.json()["error"] == "invalid_grant"
    # Reuse protection: a replayed refresh token revokes the family it belongs to.
    assert RefreshToken.objects.filter(application=code_app, revoked__isnull=True).count() == 0
    refused(bearer("GET", "/v2/servicepacks", second["access_token"]), 401, "invalid_token")


# ---------------------------------------------------------------------------------------------------------------
# What a token may do: scopes cap the member's level


def create_account_body(servicepack, identifier: str) -> dict:
    return {"identifier": identifier, "servicepack_id": servicepack.pk, "ftp_password": "Ftpsecret1"}


def test_read_scope_caps_a_full_member_at_read(tenant_a, code_app, servicepack):
    token = orm_token(code_app, tenant_a["owner"], "read")
    assert bearer("GET", "/v2/accounts", token).status_code == 200
    response = bearer("POST", "/v2/accounts", token, data=create_account_body(servicepack, "capped.example"))
    refused(response, 403, "insufficient_level")
    assert not Account.objects.filter(identifier="capped.example").exists()


def test_read_scope_from_the_real_flow_caps_a_full_member(tenant_a, code_app, servicepack):
    token = code_flow_tokens(code_app, tenant_a["owner"], scope="read")["access_token"]
    response = bearer("POST", "/v2/accounts", token, data=create_account_body(servicepack, "capped.example"))
    refused(response, 403, "insufficient_level")
    assert not Account.objects.filter(identifier="capped.example").exists()


def test_write_scope_of_a_read_member_is_capped_at_read(tenant_a, code_app, servicepack):
    token = orm_token(code_app, tenant_a["reader"], "read write full")
    response = bearer("POST", "/v2/accounts", token, data=create_account_body(servicepack, "reader.example"))
    refused(response, 403, "insufficient_level")
    assert not Account.objects.filter(identifier="reader.example").exists()


def test_write_scope_of_a_write_member_may_create(tenant_a, code_app, servicepack):
    token = orm_token(code_app, tenant_a["writer"], "write")
    response = bearer("POST", "/v2/accounts", token, data=create_account_body(servicepack, "writer.example"))
    assert response.status_code == 202, response.content
    assert Account.objects.get(identifier="writer.example").reseller == tenant_a["reseller"]


def test_write_scope_cannot_manage_api_keys_but_full_can(tenant_a, code_app):
    write = orm_token(code_app, tenant_a["owner"], "write")
    refused(bearer("POST", "/v2/apikeys", write, data={"level": "read", "name": "x"}), 403, "insufficient_level")
    assert not ApiKey.objects.exists()
    full = orm_token(code_app, tenant_a["owner"], "full")
    created = bearer("POST", "/v2/apikeys", full, data={"level": "read", "name": "x"})
    assert created.status_code == 201, created.content
    assert ApiKey.objects.filter(reseller=tenant_a["reseller"]).count() == 1


# ---------------------------------------------------------------------------------------------------------------
# Tokens that reach no reseller, or no longer work


def test_token_of_an_application_without_a_reseller_link_is_invalid(tenant_a, whitelisted):
    app = make_app(tenant_a, tenant_a["owner"], linked=False, name="unlinked")
    refused(bearer("GET", "/v2/servicepacks", orm_token(app, tenant_a["owner"], "read")), 401, "invalid_token")


def test_token_of_a_user_who_is_not_a_member_is_invalid(tenant_a, code_app, outsider):
    refused(bearer("GET", "/v2/servicepacks", orm_token(code_app, outsider, "full")), 401, "invalid_token")


def test_token_of_a_member_of_another_reseller_is_invalid(tenant_a, tenant_b, code_app):
    refused(bearer("GET", "/v2/servicepacks", orm_token(code_app, tenant_b["owner"], "full")), 401, "invalid_token")


def test_expired_token_is_invalid(tenant_a, code_app):
    token = orm_token(code_app, tenant_a["owner"], "read", expires_in=-1)
    refused(bearer("GET", "/v2/servicepacks", token), 401, "invalid_token")


def test_revoked_token_is_invalid(tenant_a, code_app):
    tokens = code_flow_tokens(code_app, tenant_a["owner"])
    assert bearer("GET", "/v2/servicepacks", tokens["access_token"]).status_code == 200
    revoked = Client().post(
        "/o/revoke_token/",
        {"token": tokens["access_token"], "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=basic(code_app.client_id, CLEAR_SECRET),
    )
    assert revoked.status_code == 200, revoked.content
    refused(bearer("GET", "/v2/servicepacks", tokens["access_token"]), 401, "invalid_token")


def test_unknown_token_is_invalid(db):
    refused(bearer("GET", "/v2/servicepacks", "not-a-token"), 401, "invalid_token")


def test_token_of_a_deactivated_reseller_is_invalid(tenant_a, code_app):
    token = orm_token(code_app, tenant_a["owner"], "read")
    type(tenant_a["reseller"]).objects.filter(pk=tenant_a["reseller"].pk).update(is_active=False)
    refused(bearer("GET", "/v2/servicepacks", token), 401, "invalid_token")


@pytest.mark.parametrize("with_header", [True, False], ids=["with-valid-header", "query-only"])
def test_token_in_the_query_string_is_refused(tenant_a, code_app, with_header):
    token = orm_token(code_app, tenant_a["owner"], "read")
    client = Client()
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if with_header else {}
    response = client.get("/v2/servicepacks", QUERY_STRING=f"access_token={token}", REMOTE_ADDR=IP, **extra)
    refused(response, 401, "token_in_query")


def test_token_in_the_query_string_is_refused_with_a_valid_hmac_header(api_client, tenant_a, code_app):
    signed = api_client(tenant_a, "read")
    token = orm_token(code_app, tenant_a["owner"], "read")
    assert signed.get("/v2/servicepacks").status_code == 200
    refused(signed.get(f"/v2/servicepacks?access_token={token}"), 401, "token_in_query")


def test_the_ip_whitelist_applies_to_bearer_tokens(tenant_a, tenant_b, servicepack):
    app = make_app(tenant_a, tenant_a["owner"])
    token = orm_token(app, tenant_a["owner"], "read")
    refused(bearer("GET", "/v2/servicepacks", token), 403, "ip_not_whitelisted")  # no entries: default deny
    IpWhitelistEntry.objects.create(reseller=tenant_b["reseller"], cidr=IP)
    refused(bearer("GET", "/v2/servicepacks", token), 403, "ip_not_whitelisted")  # another reseller's entry
    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="192.0.2.0/28")
    assert bearer("GET", "/v2/servicepacks", token).status_code == 200
    refused(bearer("GET", "/v2/servicepacks", token, ip="192.0.2.200"), 403, "ip_not_whitelisted")
