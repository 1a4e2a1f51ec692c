"""An HMAC-signing test client: real `Authorization` headers through Django's test Client, so authentication,
the whitelist, levels and rate limits are all exercised (never a request factory)."""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from django.test import Client

from apps.apikeys import signing


class SignedClient:
    def __init__(self, key: str, secret: str, *, ip: str = "192.0.2.10"):
        self.key, self.secret, self.ip = key, secret, ip
        self.client = Client()

    def request(
        self,
        method: str,
        target: str,
        data: Any = None,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        timestamp: int | None = None,
        nonce: str | None = None,
        sign_target: str | None = None,
        sign_method: str | None = None,
        sign_body: bytes | None = None,
        authorization: str | None = None,
        content_type: str = "application/json",
    ):
        """Sign and send. The `sign_*` overrides sign something other than what is sent (for tamper tests)."""
        if body is None:
            body = json.dumps(data).encode() if data is not None else b""
        if authorization is None:
            authorization = signing.authorization_header(
                key=self.key,
                secret=self.secret,
                method=sign_method or method,
                target=sign_target or target,
                body=body if sign_body is None else sign_body,
                timestamp=int(time.time()) if timestamp is None else timestamp,
                nonce=nonce or secrets.token_urlsafe(16),
            )
        path, _, query = target.partition("?")
        extra = {"HTTP_AUTHORIZATION": authorization, "REMOTE_ADDR": self.ip, "QUERY_STRING": query}
        for name, value in (headers or {}).items():
            extra["HTTP_" + name.upper().replace("-", "_")] = value
        return self.client.generic(
            method.upper(), path, data=body, content_type=content_type if body else None, **extra
        )

    def get(self, target: str, **kwargs):
        return self.request("GET", target, **kwargs)

    def post(self, target: str, data: Any = None, **kwargs):
        return self.request("POST", target, data, **kwargs)

    def put(self, target: str, data: Any = None, **kwargs):
        return self.request("PUT", target, data, **kwargs)

    def delete(self, target: str, **kwargs):
        return self.request("DELETE", target, **kwargs)
