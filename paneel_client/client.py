"""A small client for Paneel's API v2 (standard library only).

client = Client("https://paneel.example", key="...", secret="...")
job = client.post("/v2/accounts", {"identifier": "example.com", "servicepack_id": 1})
links = client.wait(job)                 # follows the job's Location until it has ended
for account in client.paginate("/v2/accounts", take=100):
    ...
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from paneel_client.signing import authorization_header


class PaneelError(Exception):
    """An error answer (problem+json). `code` is stable; `detail` is for people."""

    def __init__(self, status: int, problem: dict[str, Any]):
        self.status = status
        self.problem = problem
        self.code: str = problem.get("code", "unknown")
        self.detail: str = problem.get("detail", "")
        self.request_id: str = problem.get("request_id", "")
        self.validation_errors: list[dict[str, Any]] = problem.get("validation_errors", [])
        super().__init__(f"{status} {self.code}: {self.detail}")


class AuthenticationFailed(PaneelError):
    """401: no, or wrong, credentials (invalid_signature, stale_timestamp, replayed_nonce, invalid_token, ...)."""


class PermissionDenied(PaneelError):
    """403: insufficient_level or ip_not_whitelisted."""


class NotFound(PaneelError):
    """404: no such resource (also another reseller's)."""


class ValidationFailed(PaneelError):
    """400: malformed or invalid request; see `validation_errors`."""


class Conflict(PaneelError):
    """409: quota_exceeded, size_exceeds_servicepack, duplicate, invalid_state."""


class PreconditionFailed(PaneelError):
    """412: If-Match did not match."""


class RateLimited(PaneelError):
    """429: wait `retry_after` seconds."""

    def __init__(self, status: int, problem: dict[str, Any], retry_after: int):
        super().__init__(status, problem)
        self.retry_after = retry_after


class ServerError(PaneelError):
    """5xx."""


class JobFailed(PaneelError):
    """A provisioning job ended `failed` or `cancelled`; `problem` is the job's error object."""


ERRORS_BY_STATUS: dict[int, type[PaneelError]] = {
    400: ValidationFailed,
    401: AuthenticationFailed,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: PreconditionFailed,
}


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    data: Any = field(default=None)

    @property
    def location(self) -> str | None:
        return self.headers.get("location")


class Client:
    """Signs every request with the API key (HMAC, DESIGN 6.1) and turns problem bodies into typed errors."""

    def __init__(self, base_url: str, *, key: str, secret: str, timeout: float = 30.0, retry_rate_limited: int = 2):
        if urlsplit(base_url).scheme not in ("http", "https"):
            raise ValueError("base_url must be an http:// or https:// URL.")
        self.base_url = base_url.rstrip("/")
        self.key, self.secret = key, secret
        self.timeout = timeout
        self.retry_rate_limited = retry_rate_limited

    # --- requests

    def request(self, method: str, target: str, data: Any = None, *, headers: dict[str, str] | None = None) -> Response:
        """Send one signed request to `target` (`/v2/...?query`); 429s are retried after `Retry-After`."""
        for attempt in range(self.retry_rate_limited + 1):
            try:
                return self._send(method, target, data, headers or {})
            except RateLimited as error:
                if attempt == self.retry_rate_limited:
                    raise
                time.sleep(error.retry_after)
        raise AssertionError("unreachable")

    def _send(self, method: str, target: str, data: Any, headers: dict[str, str]) -> Response:
        body = json.dumps(data).encode() if data is not None else b""
        request = urllib.request.Request(self.base_url + target, data=body or None, method=method.upper())  # noqa: S310
        request.add_header("Accept", "application/json")
        if body:
            request.add_header("Content-Type", "application/json")
        for name, value in headers.items():
            request.add_header(name, value)
        request.add_header(
            "Authorization",
            authorization_header(
                key=self.key, secret=self.secret, method=method, target=target, body=body, timestamp=int(time.time())
            ),
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (http(s) only)
                return self._response(answer.status, answer.headers, answer.read())
        except urllib.error.HTTPError as answer:
            response = self._response(answer.code, answer.headers, answer.read())
            if answer.code == 304:
                return response
            raise self._error(response) from None

    @staticmethod
    def _response(status: int, headers, raw: bytes) -> Response:
        lowered = {name.lower(): value for name, value in headers.items()}
        data = json.loads(raw) if raw else None
        return Response(status=status, headers=lowered, data=data)

    @staticmethod
    def _error(response: Response) -> PaneelError:
        problem = response.data if isinstance(response.data, dict) else {"detail": str(response.data)}
        if response.status == 429:
            return RateLimited(response.status, problem, int(response.headers.get("retry-after", "1")))
        if response.status >= 500:
            return ServerError(response.status, problem)
        return ERRORS_BY_STATUS.get(response.status, PaneelError)(response.status, problem)

    def get(self, target: str, **params: Any) -> Any:
        return self.request("GET", self._with_query(target, params)).data

    def post(self, target: str, data: Any = None, *, idempotency_key: str | None = None) -> Response:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        return self.request("POST", target, data, headers=headers)

    def put(self, target: str, data: Any = None) -> Response:
        return self.request("PUT", target, data)

    def delete(self, target: str) -> Response:
        return self.request("DELETE", target)

    @staticmethod
    def _with_query(target: str, params: dict[str, Any]) -> str:
        params = {k: v for k, v in params.items() if v is not None}
        if not params:
            return target
        return f"{target}{'&' if '?' in target else '?'}{urlencode(params)}"

    # --- collections and jobs

    def paginate(self, target: str, *, take: int = 100, **params: Any) -> Iterator[Any]:
        """Every item of a collection, page by page (`skip`/`take`, `X-Paging-TotalResults`)."""
        skip = 0
        while True:
            response = self.request("GET", self._with_query(target, {**params, "skip": skip, "take": take}))
            items = response.data or []
            yield from items
            skip += len(items)
            total = int(response.headers.get("x-paging-totalresults", skip))
            if not items or skip >= total:
                return

    def wait(self, accepted: Response | str, *, interval: float = 1.0, timeout: float = 600.0) -> list[str]:
        """Follow a 202's job `Location` until the job has ended; its resource links, or `JobFailed`."""
        location = accepted if isinstance(accepted, str) else accepted.location
        if not location:
            raise ValueError("The response has no Location header to follow.")
        target = urlsplit(location).path if "://" in location else location
        deadline = time.monotonic() + timeout
        while True:
            response = self.request("GET", target)
            if response.status == 201:
                return list(response.data.get("resource_links", []))
            status = (response.data or {}).get("status")
            if status in ("failed", "cancelled"):
                raise JobFailed(response.status, response.data.get("error") or {"code": status})
            if time.monotonic() > deadline:
                raise TimeoutError(f"Job {target} still {status} after {timeout} s.")
            time.sleep(interval)
