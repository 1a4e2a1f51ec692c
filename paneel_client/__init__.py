"""Python client for Paneel's API v2: HMAC signing, paging, job polling and typed errors."""

from paneel_client.client import (
    AuthenticationFailed,
    Client,
    Conflict,
    JobFailed,
    NotFound,
    PaneelError,
    PermissionDenied,
    PreconditionFailed,
    RateLimited,
    Response,
    ServerError,
    ValidationFailed,
)

__all__ = [
    "AuthenticationFailed",
    "Client",
    "Conflict",
    "JobFailed",
    "NotFound",
    "PaneelError",
    "PermissionDenied",
    "PreconditionFailed",
    "RateLimited",
    "Response",
    "ServerError",
    "ValidationFailed",
]
