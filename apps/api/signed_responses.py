"""`?jwt=1` on any GET under /v2/: the answer, as it would have been (errors included), signed as an ES256 JWT.

The body becomes `{"result": "success", "data": "<JWT>"}` (status and headers stay); the token's claims are
`request` (the path and query as received), `response` (the JSON body it replaces), `status`, `iat` and `exp`
(24 hours). The public key is served at `/v2/jwks.json` (kid: its RFC 7638 thumbprint). The private key is
`PANEEL_JWT_PRIVATE_KEY` (PEM) or the file `PANEEL_JWT_PRIVATE_KEY_FILE`; without either it is derived from
`SECRET_KEY` (HKDF), so every process of one installation signs with the same key.

Signing uses `cryptography` directly: ECDSA P-256 with SHA-256, the signature as JOSE's raw `r || s`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

VALID_SECONDS = 24 * 3600
TRUTHY = {"1", "true", "yes"}
JSON_TYPES = ("application/json", "application/problem+json")
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def load_private_key(pem: str, path: str, secret_key: str) -> ec.EllipticCurvePrivateKey:
    if path:
        with open(path, "rb") as handle:
            pem = handle.read().decode()
    if pem:
        key = serialization.load_pem_private_key(pem.replace("\\n", "\n").encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ImproperlyConfigured("PANEEL_JWT_PRIVATE_KEY must be an EC P-256 private key (ES256).")
        return key
    derived = HKDF(algorithm=hashes.SHA256(), length=48, salt=b"paneel-jwt-es256", info=b"response signing key")
    scalar = int.from_bytes(derived.derive(secret_key.encode()), "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(scalar, ec.SECP256R1())


@cache
def _signing_key(pem: str, path: str, secret_key: str) -> tuple[ec.EllipticCurvePrivateKey, dict]:
    key = load_private_key(pem, path, secret_key)
    numbers = key.public_key().public_numbers()
    public = {
        "crv": "P-256",
        "kty": "EC",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }
    thumbprint = b64url(hashlib.sha256(json.dumps(public, separators=(",", ":"), sort_keys=True).encode()).digest())
    return key, {**public, "kid": thumbprint, "use": "sig", "alg": "ES256"}


def signing_key() -> tuple[ec.EllipticCurvePrivateKey, dict]:
    """The private key and its public JWK."""
    return _signing_key(settings.PANEEL_JWT_PRIVATE_KEY, settings.PANEEL_JWT_PRIVATE_KEY_FILE, settings.SECRET_KEY)


def sign(claims: dict[str, Any]) -> str:
    """A compact ES256 JWS of `claims`."""
    key, jwk = signing_key()
    header = {"alg": "ES256", "typ": "JWT", "kid": jwk["kid"]}
    signing_input = (
        b64url(json.dumps(header, separators=(",", ":")).encode())
        + "."
        + b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    )
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return signing_input + "." + b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def wants_jwt(request: HttpRequest) -> bool:
    return request.method == "GET" and request.path.startswith("/v2/") and request.GET.get("jwt", "") in TRUTHY


def request_target(request: HttpRequest) -> str:
    query = request.META.get("QUERY_STRING", "")
    return request.path + (f"?{query}" if query else "")


class JwtResponseMiddleware:
    """Wraps the JSON answer of a GET under /v2/ asked with `?jwt=1` in a signed token (see the module doc)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not wants_jwt(request) or response.streaming:
            return response
        if response.get("Content-Type", "").split(";")[0].strip() not in JSON_TYPES or not response.content:
            return response  # the OpenAPI document, the docs pages, a 304: nothing JSON to sign
        try:
            body = json.loads(response.content)
        except ValueError:
            return response
        now = int(time.time())
        token = sign(
            {
                "request": request_target(request),
                "response": body,
                "status": response.status_code,
                "iat": now,
                "exp": now + VALID_SECONDS,
            }
        )
        signed = JsonResponse({"result": "success", "data": token}, status=response.status_code)
        for name, value in response.items():
            if name.lower() not in ("content-type", "content-length", "etag"):
                signed[name] = value
        return signed


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """`GET /v2/jwks.json`: the public key that verifies `?jwt=1` answers."""
    _, jwk = signing_key()
    return JsonResponse({"keys": [jwk]}, headers={"Cache-Control": "public, max-age=3600"})
