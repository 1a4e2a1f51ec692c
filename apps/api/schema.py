"""How the OpenAPI document (drf-spectacular) describes API v2: the two authentication schemes, and
`PaneelAutoSchema`, which adds to every operation what `ApiView` really does beyond its serializers: the problem+json
error responses it can give, the response headers (`X-Request-Id`, `X-RateLimit-*`, paging, `ETag`, `Location`,
`Retry-After`) and the request headers it honours (`Idempotency-Key`, `If-Match`, `If-None-Match`, `X-Request-Id`).

The rules follow `apps.api.views.ApiView`, so a view states only what is its own: a 404 or 409 that its service can
raise without a path parameter or an idempotent POST giving it away (`extend_schema(responses={409: ...})`).
"""

from __future__ import annotations

import copy
import inspect

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from apps.api.errors import ERROR_CODES
from apps.api.paging import DEFAULT_TAKE, MAX_TAKE

HMAC_DESCRIPTION = (
    "`Authorization: hmac <apikey>:<signature>:<nonce>:<timestamp>`. The string to sign is the concatenation, "
    "with no separators, of: the API key; the method, lowercased; the path and query (`/v2/...?...`), "
    "percent-decoded (`+` as space), lowercased, then form-encoded as UTF-8 (every byte except `A-Z a-z 0-9 - _ .` "
    "as upper-case `%XX`, space as `+`); the unix timestamp in seconds; the nonce (8-128 characters of "
    "`A-Z a-z 0-9 - _ .`, unique per request); and, only for a non-empty body, Base64(MD5(body)). "
    "signature = Base64(HMAC-SHA256(api secret, string to sign)). Timestamps more than 300 s from the server's "
    "clock and reused nonces are refused. The client IP must be in the reseller's IP whitelist."
)
BEARER_DESCRIPTION = (
    "OAuth2 access token (scopes `read`, `write`, `full`) in `Authorization: Bearer <token>`. A DELETE with a token "
    'must also carry the application\'s `client_secret` (JSON body `{"client_secret": "..."}`, or the query as '
    "a fallback), or it is refused with 403 `client_secret_required`."
)
PROBLEM_JSON = "application/problem+json"
ERRORS_PAGE = "/v2/docs/errors"


class HmacScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.HmacAuthentication"
    name = "hmac"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": HMAC_DESCRIPTION}


class BearerScheme(OpenApiAuthenticationExtension):
    target_class = "apps.api.authentication.BearerAuthentication"
    name = "oauth2"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": BEARER_DESCRIPTION}


# --- Components: the problem body, the response headers, and the error responses that read the same everywhere.

PROBLEM_SCHEMA = {
    "type": "object",
    "description": f"An RFC 9457 problem. `code` is stable; `type` points to its entry on {ERRORS_PAGE}.",
    "properties": {
        "type": {"type": "string", "description": f"`{ERRORS_PAGE}#<code>`", "example": f"{ERRORS_PAGE}#not_found"},
        "title": {"type": "string"},
        "status": {"type": "integer", "description": "The HTTP status, repeated."},
        "detail": {"type": "string", "description": "For people; the text may change."},
        "instance": {"type": "string", "description": "The request path."},
        "code": {"type": "string", "enum": list(ERROR_CODES), "description": "Machine-readable and stable."},
        "request_id": {"type": "string", "description": "As in the `X-Request-Id` response header."},
        "validation_errors": {
            "type": "array",
            "description": "On 400 and 409: one entry per problem (the reference's `BadRequestResponse`).",
            "items": {"$ref": "#/components/schemas/ValidationError"},
        },
    },
    "required": ["type", "title", "status", "detail", "instance", "code", "request_id"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error_code": {"type": "string"},
        "error_text": {"type": "string"},
        "field": {"type": "string", "nullable": True, "description": "The request field, or null for the request."},
    },
    "required": ["error_code", "error_text", "field"],
}
SCHEMAS = {"Problem": PROBLEM_SCHEMA, "ValidationError": VALIDATION_ERROR_SCHEMA}


def header(description: str, *, required: bool, kind: str = "string") -> dict:
    return {"schema": {"type": kind}, "required": required, "description": description}


RATE_LIMIT = {
    "X-RateLimit-Limit": "Requests allowed in the current window.",
    "X-RateLimit-Usage": "Requests made in the current window.",
    "X-RateLimit-Remaining": "Requests left in the current window.",
    "X-RateLimit-Reset": "Seconds until the window resets.",
}
OPTIONAL = "-IfCounted"  # the rate-limit headers of an error: present once the request was authenticated
HEADERS = {
    "X-Request-Id": header("The request's id: your own `X-Request-Id` if it was a sane token.", required=True),
    **{name: header(text, required=True, kind="integer") for name, text in RATE_LIMIT.items()},
    **{
        name + OPTIONAL: header(f"{text} Sent once the request was authenticated.", required=False, kind="integer")
        for name, text in RATE_LIMIT.items()
    },
    "X-Paging-Skipped": header("The number of results that have been skipped.", required=True, kind="integer"),
    "X-Paging-Take": header("The number of items actually returned.", required=True, kind="integer"),
    "X-Paging-TotalResults": header("The total number of results regardless of paging.", required=True, kind="integer"),
    "Link": header('RFC 8288 `rel="next"` / `rel="prev"` links, where those pages exist.', required=False),
    "ETag": header("The representation's strong ETag, for `If-None-Match` and `If-Match`.", required=True),
    "JobLocation": header("The provisioning job doing the work: poll it.", required=True),
    "Idempotent-Replayed": header("`true` when this is the stored answer to an earlier request.", required=False),
    "Retry-After": header("Seconds to wait; equal to `X-RateLimit-Reset`.", required=True, kind="integer"),
    "WWW-Authenticate": header("The schemes accepted: `hmac` and `Bearer`.", required=True),
    "RetryAfterUnavailable": header("Seconds to wait before trying again.", required=True, kind="integer"),
}


def header_refs(*names: str, optional_rate_limit: bool = False) -> dict[str, dict]:
    """`{header name: $ref}`; a component named `X-...-IfCounted` is sent under its plain name."""
    refs = {name.removesuffix(OPTIONAL): {"$ref": f"#/components/headers/{name}"} for name in names}
    if optional_rate_limit:
        refs.update({name: {"$ref": f"#/components/headers/{name}{OPTIONAL}"} for name in RATE_LIMIT})
    return refs


def problem_response(description: str, headers: dict[str, dict]) -> dict:
    return {
        "description": description,
        "headers": headers,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


# The error responses whose meaning is the same on every operation that can give them.
SHARED_ERRORS = {
    401: (
        "Unauthorized",
        problem_response(
            "`not_authenticated`, `invalid_signature`, `stale_timestamp`, `replayed_nonce`, `invalid_token` or "
            "`token_in_query`.",
            header_refs("X-Request-Id", "WWW-Authenticate"),
        ),
    ),
    404: (
        "NotFound",
        problem_response(
            "`not_found`: no such resource (also another reseller's).",
            header_refs("X-Request-Id", optional_rate_limit=True),
        ),
    ),
    412: (
        "PreconditionFailed",
        problem_response(
            "`precondition_failed`: `If-Match` does not match the resource's current ETag.",
            header_refs("X-Request-Id", *RATE_LIMIT),
        ),
    ),
    415: (
        "UnsupportedMediaType",
        problem_response(
            "`unsupported_media_type`: send the body as `application/json`.",
            header_refs("X-Request-Id", *RATE_LIMIT),
        ),
    ),
    429: (
        "RateLimited",
        problem_response(
            "`rate_limited`: retry after `Retry-After` seconds.",
            header_refs("X-Request-Id", "Retry-After", *RATE_LIMIT),
        ),
    ),
    413: (
        "RequestTooLarge",
        problem_response(
            "`request_too_large`: the body is larger than the server accepts (checked before the credentials).",
            header_refs("X-Request-Id"),
        ),
    ),
    503: (
        "ServiceUnavailable",
        problem_response(
            "`service_unavailable`: the shared cache the API needs is unreachable; retry after `Retry-After`.",
            {**header_refs("X-Request-Id"), "Retry-After": {"$ref": "#/components/headers/RetryAfterUnavailable"}},
        ),
    ),
    500: (
        "InternalError",
        problem_response(
            "`internal_error`: an unexpected error; it has been logged.",
            header_refs("X-Request-Id", optional_rate_limit=True),
        ),
    ),
}


def request_header(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {"type": "string", **schema},
        "description": description,
    }


IF_NONE_MATCH = request_header("If-None-Match", "An ETag from an earlier GET: 304 Not Modified while it still holds.")
IF_MATCH = request_header("If-Match", "The ETag of the resource as you last read it: 412 when it has changed since.")
IDEMPOTENCY_KEY = request_header(
    "Idempotency-Key",
    "The same key with the same body within 24 hours answers the first response again (with "
    "`Idempotent-Replayed: true`) instead of doing the work twice.",
    maxLength=255,
)
X_REQUEST_ID = request_header("X-Request-Id", "Your id for the request (8-128 of `A-Z a-z 0-9 . _ : -`), echoed back.")


CLIENT_SECRET_PARAMETER = {
    "name": "client_secret",
    "in": "query",
    "required": False,
    "description": "OAuth bearer tokens only: the application's client secret, when it is not sent in the JSON "
    "body (403 `client_secret_required` without it). API keys never send it.",
    "schema": {"type": "string"},
}


class PaneelAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema plus the behaviour every `ApiView` shares (DESIGN 6)."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not operation.get("security"):
            return operation  # public routes (the document and docs pages) are not described
        self.register_components(registry)
        self.add_request_headers(operation)
        if method == "DELETE":
            operation["parameters"].append(copy.deepcopy(CLIENT_SECRET_PARAMETER))
        self.add_success_headers(operation)
        self.add_error_responses(operation)
        return operation

    def get_description(self) -> str:
        """The view's own docstring (or `extend_schema(description=...)`), never one inherited from a base view:
        those describe the code to its readers, not the route to a client."""
        own = self.view.__class__.__dict__.get("__doc__")
        return inspect.cleandoc(own) if own else ""

    @staticmethod
    def register_components(registry) -> None:
        components = [
            *((name, ResolvedComponent.SCHEMA, schema) for name, schema in SCHEMAS.items()),
            *((name, ResolvedComponent.HEADER, schema) for name, schema in HEADERS.items()),
            *((name, ResolvedComponent.RESPONSE, response) for name, response in SHARED_ERRORS.values()),
        ]
        for name, kind, schema in components:
            # A copy: the post-processing hooks edit components in place (enums become `$ref`s), and the next
            # document must start from the constants as written.
            component = ResolvedComponent(name, kind, schema=copy.deepcopy(schema), object=f"paneel-{kind}-{name}")
            registry.register_on_missing(component)

    # --- What this operation is.

    @property
    def has_etag(self) -> bool:
        return self.method == "GET" and getattr(self.view, "etag_on_get", False)

    @property
    def honours_idempotency_key(self) -> bool:
        return self.method == "POST" and getattr(self.view, "idempotent", False)

    @property
    def honours_if_match(self) -> bool:
        # Every PUT and DELETE of API v2 compares `If-Match` with the resource as it is (`ApiView.check_if_match`).
        return self.method in ("PUT", "DELETE")

    @property
    def is_paged(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    @property
    def required_level(self) -> str:
        level = self.view.read_level if self.method in ("GET", "HEAD", "OPTIONS") else self.view.write_level
        return str(getattr(level, "value", level))

    # --- Request side.

    def add_request_headers(self, operation: dict) -> None:
        wanted = [X_REQUEST_ID]
        if self.has_etag:
            wanted.append(IF_NONE_MATCH)
        if self.honours_if_match:
            wanted.append(IF_MATCH)
        if self.honours_idempotency_key:
            wanted.append(IDEMPOTENCY_KEY)
        parameters = operation.setdefault("parameters", [])
        present = {(parameter["name"], parameter["in"]) for parameter in parameters}
        parameters.extend(copy.deepcopy(p) for p in wanted if (p["name"], p["in"]) not in present)

    # --- Success responses.

    def add_success_headers(self, operation: dict) -> None:
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                continue  # add_error_responses describes these
            names = ["X-Request-Id", *RATE_LIMIT]
            if code == "200" and self.is_paged:
                names += ["X-Paging-Skipped", "X-Paging-Take", "X-Paging-TotalResults", "Link"]
            if code == "200" and self.has_etag:
                names.append("ETag")
            if self.honours_idempotency_key:
                names.append("Idempotent-Replayed")
            headers = response.setdefault("headers", {})
            headers.update(header_refs(*names))
            if code == "202":
                headers["Location"] = {"$ref": "#/components/headers/JobLocation"}
        if self.has_etag:
            operation["responses"]["304"] = {
                "description": "Not Modified: `If-None-Match` names the current ETag.",
                "headers": header_refs("X-Request-Id", "ETag", *RATE_LIMIT),
            }

    # --- Error responses.

    def error_statuses(self, operation: dict) -> set[int]:
        """Each error status this operation can answer with (the declared ones included)."""
        statuses = {400, 401, 403, 429, 500, 503}  # 400: every request may send an `Accept` without JSON
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            statuses.add(404)
        if "requestBody" in operation:
            statuses |= {413, 415}
        if self.honours_if_match:
            statuses.add(412)
        if self.honours_idempotency_key:
            statuses.add(409)  # a request with the same key still in progress
        return statuses | {int(code) for code in operation["responses"] if int(code) >= 400}

    def error_description(self, operation: dict, status: int) -> str:
        """The text of a 400, 403 or 409, or of a 404 the view declared: what it means on this operation."""
        declared = operation["responses"].get(str(status), {}).get("description", "")
        if status == 400:
            causes = [declared] if declared else []  # a view declares a cause of its own as a phrase
            if "requestBody" in operation:
                causes.append("the body is not valid JSON or a field is invalid")
            if any(parameter["in"] == "query" for parameter in operation.get("parameters", [])):
                causes.append("a query parameter is invalid")
            if self.honours_idempotency_key:
                causes.append("`Idempotency-Key` is too long or was used with another body")
            causes.append("`Accept` excludes JSON")
            return "`validation_failed` (see `validation_errors`): " + "; ".join(causes) + "."
        if status == 403:
            level = self.required_level
            return declared or f"`ip_not_whitelisted`, or `insufficient_level`: this needs level `{level}`."
        if status == 409 and self.honours_idempotency_key:
            in_progress = "`invalid_state`: a request with this `Idempotency-Key` is still in progress."
            return f"{declared} {in_progress}" if declared else in_progress
        return declared

    def add_error_responses(self, operation: dict) -> None:
        responses = operation["responses"]
        for status in sorted(self.error_statuses(operation)):
            description = self.error_description(operation, status)
            if status in SHARED_ERRORS and not description:
                responses[str(status)] = {"$ref": f"#/components/responses/{SHARED_ERRORS[status][0]}"}
            else:
                headers = header_refs("X-Request-Id", optional_rate_limit=True)
                responses[str(status)] = problem_response(description, headers)
        operation["responses"] = dict(sorted(responses.items()))


# --- The document as a whole (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]).


def document_description() -> str:
    codes = "\n".join(f"| `{code}` | {text} |" for code, text in ERROR_CODES.items())
    return f"""Hosting reseller API, wire-compatible with the reference reseller API v2 for the routes it offers.

## Authentication

**HMAC (API keys).** {HMAC_DESCRIPTION}

**OAuth2.** {BEARER_DESCRIPTION}

## Paging

Collections take `skip` (default 0) and `take` (default {DEFAULT_TAKE}, at most {MAX_TAKE}: larger values are
clamped). Their headers: `X-Paging-Skipped`, `X-Paging-Take` (items returned), `X-Paging-TotalResults` and an
RFC 8288 `Link` with `next`/`prev`.

## Rate limits

Every authenticated response carries `X-RateLimit-Limit`, `X-RateLimit-Usage`, `X-RateLimit-Remaining` and
`X-RateLimit-Reset` (seconds). Over the limit: 429 with `Retry-After`.

## Conditional and repeated requests

Single resources answer GET with an `ETag`: send it back as `If-None-Match` (304 while unchanged) or as `If-Match`
on PUT and DELETE (412 when it has changed). POSTs that create honour `Idempotency-Key`, except
`POST /v2/apikeys` and `POST /v2/webhooks` (their answers carry a secret).

## Events and webhooks

Every audited change and every provisioning job end is an event: `GET /v2/events` lists the pending ones (filter
`type`, exact or `prefix.*`), `POST /v2/events/{{event_id}}/ack` and `POST /v2/events/ack` mark them complete;
events are kept 30 days. Webhooks (`/v2/webhooks`, level `full`) receive them as POSTs signed as Standard
Webhooks does (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`, keyed with the base64 part of the `whsec_` secret); failures are retried with exponential
backoff for 24 hours, every attempt is listed under `/v2/webhooks/{{webhook_id}}/deliveries` and can be replayed.

## Expanding, signing, bulk

`?with=` on list and detail routes expands related data (e.g. `/v2/accounts?with=assets,servicepack`,
`/v2/mysqldatabases?with=users,account.servicepack`); an unknown hint is a 400. `?jwt=1` on any GET answers
`{{"result": "success", "data": "<JWT>"}}` (status and headers unchanged) instead of the answer described here:
an ES256 token valid 24 h whose claims are `request` (path and query), `response` (the body it replaces, errors
included), `status`, `iat` and `exp`, verified with the key published at `/v2/jwks.json`. (A modifier of every
GET, like a header, it is described here rather than on each operation.)

`POST /v2/accounts/bulk` and `POST /v2/mailboxes/bulk` take up to 100 items and answer 207 with one result
per item. A DELETE with an OAuth token carries the application's `client_secret`.

## Errors

Every error is an RFC 9457 `application/problem+json` body (schema `Problem`) with a stable `code`; 400 and 409
bodies list `validation_errors`. Codes (also at [{ERRORS_PAGE}]({ERRORS_PAGE})):

| code | meaning |
| --- | --- |
{codes}
"""


def postprocess_document(result: dict, generator, request, public) -> dict:
    """Describe the conventions and list every error code (also as `x-error-codes`)."""
    result["info"]["description"] = document_description()
    result["x-error-codes"] = [{"code": code, "description": text} for code, text in ERROR_CODES.items()]
    return result
