"""Errors only the API door raises; the domain's own are in apps.core.errors. Codes as in DESIGN 6."""

from apps.core.errors import DomainError


class NotAuthenticated(DomainError):
    code, status, title = "not_authenticated", 401, "Not authenticated"


class InvalidSignature(DomainError):
    code, status, title = "invalid_signature", 401, "Invalid signature"


class StaleTimestamp(DomainError):
    code, status, title = "stale_timestamp", 401, "Stale timestamp"


class ReplayedNonce(DomainError):
    code, status, title = "replayed_nonce", 401, "Replayed nonce"


class InvalidToken(DomainError):
    code, status, title = "invalid_token", 401, "Invalid token"


class TokenInQuery(DomainError):
    code, status, title = "token_in_query", 401, "Token in query string"


class IpNotWhitelisted(DomainError):
    code, status, title = "ip_not_whitelisted", 403, "IP address not whitelisted"


class MethodNotAllowed(DomainError):
    code, status, title = "method_not_allowed", 405, "Method not allowed"


class UnsupportedMediaType(DomainError):
    code, status, title = "unsupported_media_type", 415, "Unsupported media type"


class RateLimited(DomainError):
    code, status, title = "rate_limited", 429, "Too many requests, retry later"


class ApiVersionRetired(DomainError):
    code, status, title = "api_version_retired", 410, "API version retired"


class RequestTooLarge(DomainError):
    code, status, title = "request_too_large", 413, "Request too large"


class ServiceUnavailable(DomainError):
    code, status, title = "service_unavailable", 503, "Service unavailable"
    retry_after = 30  # seconds: a shared cache that went away is usually back soon


class ClientSecretRequired(DomainError):
    code, status, title = "client_secret_required", 403, "Client secret required"


class InternalError(DomainError):
    code, status, title = "internal_error", 500, "Internal error"


# Every code the API can answer with, for the error reference page and the OpenAPI document.
ERROR_CODES = {
    "not_authenticated": "No credentials were sent (an `Authorization` header with `hmac` or `Bearer`).",
    "invalid_signature": "The HMAC header is malformed, the key unknown, revoked or expired, or the signature wrong.",
    "stale_timestamp": "The HMAC timestamp is more than 300 seconds away from the server's clock.",
    "replayed_nonce": "The HMAC nonce was already used with this key within the time window.",
    "invalid_token": "The bearer token is unknown, expired, revoked, or not tied to a reseller.",
    "token_in_query": "An `access_token` was sent in the query string; send it in the `Authorization` header.",
    "ip_not_whitelisted": "The client IP is not in the reseller's IP whitelist.",
    "insufficient_level": "The key, token or member level does not allow this (read < write < full).",
    "not_found": "No such resource (also for resources of another reseller).",
    "method_not_allowed": "The route does not support this HTTP method.",
    "validation_failed": "The request is malformed or a field is invalid; see `validation_errors`.",
    "quota_exceeded": "The account's servicepack does not allow another asset of this type.",
    "size_exceeds_servicepack": "The requested size is above the servicepack's limit for this asset type.",
    "duplicate": "A resource with this name already exists.",
    "invalid_state": "The resource is not in a state that allows this (e.g. a job is in progress).",
    "precondition_failed": "`If-Match` does not match the resource's current `ETag`.",
    "rate_limited": "Too many requests in this window; retry after `Retry-After` seconds.",
    "api_version_retired": "API v1 is retired; use /v2/.",
    "gone": "The resource existed but is no longer available (e.g. a certificate request whose validation failed).",
    "unsupported_media_type": "Send JSON (`Content-Type: application/json`).",
    "request_too_large": "The request body is larger than the server accepts.",
    "service_unavailable": "A service the API needs (the shared cache) is unreachable; retry after `Retry-After`.",
    "client_secret_required": "A DELETE with an OAuth token must carry the application's `client_secret` (JSON body, "
    "or the query as a fallback).",
    "internal_error": "An unexpected error; it has been logged.",
}
