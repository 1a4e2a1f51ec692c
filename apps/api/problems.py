"""RFC 9457 problem+json for every error under /v2/: DRF's exception handler, Django's 404/500, and /v1/."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from redis.exceptions import RedisError
from rest_framework import exceptions as drf
from rest_framework.response import Response

from apps.api import errors
from apps.core.errors import DomainError, FieldProblem, NotFound, ValidationFailed

logger = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
WWW_AUTHENTICATE = 'hmac realm="paneel", Bearer realm="paneel"'


def problem_body(error: DomainError, request: HttpRequest) -> dict:
    body = {
        "type": f"/v2/docs/errors#{error.code}",
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
        "code": error.code,
        "instance": request.path,
        "request_id": getattr(request, "request_id", ""),
    }
    if error.status in (400, 409):
        body["validation_errors"] = [
            {"error_code": p.code, "error_text": p.message, "field": p.field} for p in error.problems
        ]
    return body


def problem_headers(error: DomainError) -> dict[str, str]:
    headers = {}
    if error.status == 401:
        headers["WWW-Authenticate"] = WWW_AUTHENTICATE
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    return headers


def serializer_problems(detail, prefix: str = "") -> list[FieldProblem]:
    """Flatten DRF's nested validation errors into one problem per message."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            field = None if key in ("non_field_errors", "__all__") else f"{prefix}{key}"
            found += serializer_problems(value, f"{field}." if field else prefix)
        return found
    if isinstance(detail, list):
        found = []
        for index, item in enumerate(detail):
            nested = isinstance(item, dict | list)
            found += serializer_problems(item, f"{prefix}{index}." if nested else prefix)
        return found
    field = prefix.rstrip(".") or None
    return [FieldProblem("validation_failed", str(detail), field)]


def as_domain_error(exc: Exception) -> DomainError | None:
    """The DomainError for `exc`, or None for exceptions that are not the client's to know about."""
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, RequestDataTooBig):  # read while checking the signature, before any credential is known
        return errors.RequestTooLarge(f"The request body is larger than the server accepts: {exc}")
    if isinstance(exc, SuspiciousOperation):
        return ValidationFailed(f"Malformed request: {exc}")
    if isinstance(exc, RedisError):
        logger.error("The shared cache is unreachable: %s", exc)
        return errors.ServiceUnavailable("The API's shared cache is unreachable; retry shortly.")
    if isinstance(exc, drf.ValidationError):
        return ValidationFailed.from_problems(serializer_problems(exc.detail))
    if isinstance(exc, drf.ParseError):
        return ValidationFailed(f"Malformed request body: {exc.detail}")
    if isinstance(exc, drf.NotAuthenticated):
        return errors.NotAuthenticated("Send an `Authorization: hmac ...` or `Authorization: Bearer ...` header.")
    if isinstance(exc, drf.AuthenticationFailed):
        return errors.InvalidToken(str(exc.detail))
    if isinstance(exc, drf.PermissionDenied):
        from apps.core.errors import InsufficientLevel

        return InsufficientLevel(str(exc.detail))
    if isinstance(exc, drf.NotFound | Http404):
        return NotFound("Not found.")
    if isinstance(exc, drf.MethodNotAllowed):
        return errors.MethodNotAllowed(str(exc.detail))
    if isinstance(exc, drf.UnsupportedMediaType):
        return errors.UnsupportedMediaType(str(exc.detail))
    if isinstance(exc, drf.NotAcceptable):
        return ValidationFailed("Only application/json responses are offered.")
    if isinstance(exc, drf.Throttled):
        error = errors.RateLimited("Too many requests, retry later.")
        error.retry_after = int(exc.wait or 1)
        return error
    return None


def problem_response(error: DomainError, request: HttpRequest) -> Response:
    return Response(
        problem_body(error, request), status=error.status, headers=problem_headers(error), content_type=PROBLEM_JSON
    )


def exception_handler(exc: Exception, context: dict) -> Response:
    """DRF's EXCEPTION_HANDLER: every exception becomes a problem; unexpected ones are logged as 500s."""
    request = context["request"]
    error = as_domain_error(exc)
    if error is None:
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        error = errors.InternalError("An unexpected error occurred; it has been logged.")
    return problem_response(error, request)


def json_problem(error: DomainError, request: HttpRequest) -> JsonResponse:
    """A problem outside DRF's views (routing 404, middleware 500, /v1/)."""
    response = JsonResponse(problem_body(error, request), status=error.status, content_type=PROBLEM_JSON)
    for name, value in problem_headers(error).items():
        response[name] = value
    return response


# Plain views answering every method: without csrf_exempt, Django's CSRF check would answer a POST, PUT or DELETE
# with its own 403 HTML page instead of the problem (API clients send no CSRF token; nothing here acts on a session).
@csrf_exempt
def not_found(request: HttpRequest, *args, **kwargs):
    """The 404 problem of a path no route of /v2/ matches (see `apps.api.views.unknown_route`)."""
    return json_problem(NotFound(f"No route {request.path} in API v2."), request)


def bad_request(request: HttpRequest, exception: Exception | None = None, **kwargs):
    """`handler400`: what Django refuses before any view (a disallowed Host, a body over its limit read by a
    middleware) is the API's problem under /v2/, and Django's own page elsewhere."""
    if not request.path.startswith("/v2/"):
        return defaults.bad_request(request, exception, **kwargs)
    error = as_domain_error(exception) if exception is not None else None
    return json_problem(error or ValidationFailed("Bad request."), request)


@csrf_exempt
def v1_retired(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    return json_problem(errors.ApiVersionRetired("API v1 is retired; use /v2/ (see /v2/docs/)."), request)


class ApiProblemMiddleware:
    """Turns an exception that escaped a view under /v2/ into its problem+json (a 500 for the unexpected, also
    with DEBUG on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not request.path.startswith("/v2/"):
            return None
        error = as_domain_error(exception)
        if error is None:
            logger.exception("Unhandled error in %s %s", request.method, request.path, exc_info=exception)
            error = errors.InternalError("An unexpected error occurred; it has been logged.")
        return json_problem(error, request)
