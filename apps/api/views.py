"""The base of every API v2 view: authentication to a Principal, level check, rate limits, the response
headers of DESIGN 6 (`X-RateLimit-*`, `ETag`), conditional requests and `Idempotency-Key` replays."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpResponseNotModified
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from redis.exceptions import RedisError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from apps.api.authentication import mark_used, whitelist_error
from apps.api.confirm_secret import require_client_secret
from apps.api.errors import (
    InvalidSignature,
    InvalidToken,
    NotAuthenticated,
    RateLimited,
    ReplayedNonce,
    StaleTimestamp,
    TokenInQuery,
)
from apps.api.paging import SkipTakePagination
from apps.api.ratelimit import StaleVersion, Usage, count_failed_authentication, count_request, rate_limited
from apps.core.errors import FieldProblem, InvalidState, NotFound, PreconditionFailed, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.listcounts import selectors as listcounts

logger = logging.getLogger(__name__)
IDEMPOTENCY_SECONDS = 24 * 3600
IDEMPOTENCY_KEY_MAX = 255
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Credentials that were sent and refused: counted per client IP (apps.api.ratelimit), 429 past the limit.
FAILED_AUTHENTICATION = (InvalidSignature, StaleTimestamp, ReplayedNonce, InvalidToken)


def etag_of(data: Any) -> str:
    """A strong ETag over a resource's JSON representation."""
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


def etag_listed(header: str, etag: str) -> bool:
    candidates = {part.strip().removeprefix("W/") for part in header.split(",")}
    return "*" in candidates or etag in candidates


# The query parameters that leave a list's SQL as it is besides skip and take (`jwt` only signs the answer).
PLAIN_LIST_PARAMS = {"skip", "take", "jwt"}


def mark_key_used(request) -> None:
    """The API key's `last_used_at`, once the request is counted (authentication leaves it to the count)."""
    api_key = getattr(request._request, "used_api_key", None)
    if api_key is not None:
        mark_used(api_key)


class Replay(Exception):
    """Carries the stored response of an earlier request with the same Idempotency-Key."""

    def __init__(self, stored: dict):
        self.stored = stored


class ApiView(GenericAPIView):
    """Subclass per route. `write_level` is what non-GET methods need (reads need `read`)."""

    pagination_class = SkipTakePagination
    # `?ordering=` accepts these (prefix `-` for descending); a view's queryset gives the default order.
    ordering_fields = ["created_at", "id"]
    read_level = Level.READ
    write_level = Level.WRITE
    # POSTs honour Idempotency-Key unless a route must not keep its response (e.g. one carrying a secret).
    idempotent = True
    etag_on_get = False  # single-resource GETs set it
    # A list whose queryset depends on nothing but the principal's reseller and the URL's arguments (no clock, no
    # other attribute of the principal): its pages keep their compiled SQL (apps.core.prepared, `compiled_key`).
    compiled_lists = False
    # The filters (of `filterset_class`) whose SQL depends on nothing but their values, never on the data (a filter
    # that reads rows to build its query must not be here): a list filtered by them keeps its compiled SQL too.
    compiled_filters: frozenset[str] = frozenset()

    @property
    def principal(self) -> Principal:
        return self.request.auth

    def initial(self, request, *args, **kwargs):
        if "access_token" in request.query_params:
            raise TokenInQuery("Send the token in the Authorization header, never in the URL.")
        # The HMAC nonce is claimed in the same Redis round trip as the rate-limit count below (count_request).
        request._request.nonce_counted_with_rate_limit = True
        try:
            super().initial(request, *args, **kwargs)
        except FAILED_AUTHENTICATION as exc:
            self.count_failed_authentication(request, exc)
            raise
        if not isinstance(request.auth, Principal):
            raise NotAuthenticated("Send an `Authorization: hmac ...` or `Authorization: Bearer ...` header.")
        try:
            request.rate_usage = self.count_on_current_rows(request)
        except FAILED_AUTHENTICATION as exc:  # a replayed nonce, or a key refused once read again
            self.count_failed_authentication(request, exc)
            raise
        except Exception as exc:
            request.rate_usage = getattr(exc, "usage", None)
            if isinstance(exc, RateLimited):  # counted, over the limit: the key was still used
                mark_key_used(request)
            raise
        mark_key_used(request)
        if not request.user.whitelisted:  # after counting: the 403 carries the rate-limit headers
            raise whitelist_error(request.auth)
        require_level(request.auth, self.read_level if request.method in SAFE_METHODS else self.write_level)
        require_client_secret(request, request.auth)  # DELETEs by OAuth tokens confirm the application's secret
        if any("\x00" in str(value) for value in kwargs.values()):
            # No name holds a NUL character, and PostgreSQL refuses to even look one up.
            raise NotFound("Not found.")
        if self.idempotent and request.method == "POST" and request.META.get("HTTP_IDEMPOTENCY_KEY"):
            self.start_idempotent(request)

    @staticmethod
    def count_on_current_rows(request) -> Usage:
        """Count the request. When the key rows it was authenticated by were kept by this process and have changed
        since (apps.api.keyrows), nothing was counted: authenticate it again from the database, and count that."""
        try:
            return count_request(request, request.auth)
        except StaleVersion:
            request._request.key_rows_fresh = True
            request._authenticate()
            return count_request(request, request.auth)

    @staticmethod
    def count_failed_authentication(request, exc: Exception) -> None:
        """Count a refused credential of the client IP; 429 instead once the IP is over its limit."""
        usage = count_failed_authentication(request._request)
        request.rate_usage = usage
        if usage is not None and usage.over:
            raise rate_limited(usage, "failed authentication attempts") from exc

    def options(self, request, *args, **kwargs):
        """204 with the route's methods in `Allow` (set on every answer by DRF), after the same authentication as a
        read: the API has no metadata document (DRF's is not described by the OpenAPI documents)."""
        return Response(status=204)

    def filter_queryset(self, queryset):
        """A filter sent empty (`?status=`) is refused as any other bad value, not taken as absent (the panel's
        forms send empty fields, the API's clients mean something by a parameter they send)."""
        filterset_class = getattr(self, "filterset_class", None)
        names = [*(filterset_class.base_filters if filterset_class else ()), "ordering"]
        empty = [name for name in names if name in self.request.query_params and not self.request.query_params[name]]
        if empty:
            raise ValidationFailed.from_problems(
                [
                    FieldProblem("validation_failed", f"'{name}' must not be empty; leave it out instead.", name)
                    for name in empty
                ]
            )
        return self.filtered(queryset)

    def list_response(
        self,
        queryset: Callable[[], QuerySet],
        columns: tuple[str, ...],
        expressions: dict | None = None,
        transform: Callable[[dict], dict] | None = None,
        count_kind: str = "",
    ) -> Response:
        """A paged list of `.values(*columns, **expressions)` rows of the filtered, ordered queryset (built by
        `queryset()`, the view's `get_queryset`, only when the page's SQL is not kept compiled), each through
        `transform` if given: the list endpoints' hot path (one query for page and total, no model instances, no
        serializer; the output serializers stay the schema, and tests/api/test_list_rows.py holds them equal).
        With `count_kind`, an unfiltered list reads its total from the trigger-kept count (apps.listcounts)."""
        reseller_id = self.principal.reseller_id
        counted = bool(count_kind) and not self.filters_requested()
        page = self.paginator.paginate_values(
            lambda: self.filter_queryset(queryset()),
            self.request,
            columns=columns,
            expressions=expressions or {},
            transform=transform,
            total_expression=listcounts.total_expression(reseller_id, count_kind) if counted else None,
            total=(lambda: listcounts.total(reseller_id, count_kind)) if counted else None,
            compiled_key=self.compiled_key(counted),
        )
        return self.paginator.get_paginated_response(page)

    def compiled_key(self, *extra) -> tuple | None:
        """What the SQL of this request's list depends on, when the view vouches for it (`compiled_lists`, and no
        query parameter but skip, take, `ordering` and `compiled_filters`): the view, its URL's arguments, the
        reseller and the parameters' values. A request whose parameters are refused never gets that far, so a kept
        query was valid; a hit builds no FilterSet."""
        if not self.compiled_lists:
            return None
        params = self.request.query_params
        names = set(params) - PLAIN_LIST_PARAMS
        if not names <= self.compiled_filters | {"ordering"}:
            return None
        values = tuple(sorted((name, tuple(params.getlist(name))) for name in names))
        return (type(self), tuple(sorted(self.kwargs.items())), self.principal.reseller_id, values, *extra)

    def filters_requested(self) -> bool:
        filterset_class = getattr(self, "filterset_class", None)
        params = self.request.query_params
        return filterset_class is not None and any(name in params for name in filterset_class.base_filters)

    def filtered(self, queryset):
        """The view's filter backends; the FilterSet only when the query string names one of its filters (an
        absent filter changes nothing, and building a FilterSet costs more than the rest of a short list)."""
        requested = self.filters_requested()
        for backend in self.filter_backends:
            if backend is DjangoFilterBackend and not requested:
                continue
            queryset = backend().filter_queryset(self.request, queryset, self)
        return queryset

    # --- Idempotency-Key (POST): same key and body within 24 h → the first response, not a second creation.

    def idempotency_cache_key(self, request) -> str:
        principal = request.auth
        key = request.META["HTTP_IDEMPOTENCY_KEY"]
        # The path is the client's text (any characters, any length): hashed with the key, the cache key stays short
        # and plain for every cache backend.
        digest = hashlib.sha256(f"{request.path}\n{key}".encode()).hexdigest()
        return f"idempotency:{principal.actor_kind}:{principal.actor_id}:{digest}"

    def start_idempotent(self, request) -> None:
        if len(request.META["HTTP_IDEMPOTENCY_KEY"]) > IDEMPOTENCY_KEY_MAX:
            raise ValidationFailed.from_problems(
                [FieldProblem("validation_failed", "At most 255 characters.", "Idempotency-Key")]
            )
        cache_key = self.idempotency_cache_key(request)
        body_hash = hashlib.sha256(request._request.body).hexdigest()
        stored = cache.get(cache_key)
        if stored is not None:
            if stored["body_hash"] != body_hash:
                raise ValidationFailed.from_problems(
                    [
                        FieldProblem(
                            "validation_failed",
                            "This Idempotency-Key was used with another body; use a new key for a new request.",
                            "Idempotency-Key",
                        )
                    ]
                )
            raise Replay(stored)
        if not cache.add(cache_key + ":lock", 1, timeout=60):
            raise InvalidState("A request with this Idempotency-Key is still in progress.")
        self.idempotency = (cache_key, body_hash)

    def finish_idempotent(self, response) -> None:
        cache_key, body_hash = self.idempotency
        stored = None
        if response.status_code < 500:
            headers = {name: response[name] for name in ("Location",) if response.has_header(name)}
            stored = {
                "body_hash": body_hash,
                "status": response.status_code,
                "data": response.data,
                "headers": headers,
                "content_type": response.content_type,  # a replayed problem stays application/problem+json
            }
        try:
            if stored is not None:
                cache.set(cache_key, stored, timeout=IDEMPOTENCY_SECONDS)
            cache.delete(cache_key + ":lock")
        except RedisError:  # the work is done: its answer stands, even if it cannot be kept for a replay
            logger.error("Could not keep the Idempotency-Key response: the shared cache is unreachable.")

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            stored = exc.stored
            response = Response(
                stored["data"],
                status=stored["status"],
                headers=stored["headers"],
                content_type=stored.get("content_type"),  # records kept before it was stored have none
            )
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    # --- Conditional requests.

    def check_if_match(self, current_representation: Any) -> None:
        """412 when `If-Match` is sent and does not match the resource as it is now (PUT/DELETE)."""
        header = self.request.META.get("HTTP_IF_MATCH")
        if header and not etag_listed(header, etag_of(current_representation)):
            raise PreconditionFailed("The resource has changed since you read it (If-Match does not match its ETag).")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "idempotency", None) and not response.has_header("Idempotent-Replayed"):
            self.finish_idempotent(response)
        if self.etag_on_get and request.method == "GET" and response.status_code == 200 and hasattr(response, "data"):
            etag = etag_of(response.data)
            response["ETag"] = etag
            if etag_listed(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
                not_modified = HttpResponseNotModified()
                not_modified["ETag"] = etag
                response = not_modified
        usage = getattr(request, "rate_usage", None)
        if usage is not None:
            for name, value in usage.headers().items():
                response[name] = value
        return response


class FullLevelView(ApiView):
    """Managing API access (keys, whitelist) needs level `full`, for reads as well as writes."""

    read_level = Level.FULL
    write_level = Level.FULL


class UnknownRoute(ApiView):
    """A `/v2/...` path no route matches, sent with credentials: authenticated and counted like any request (so
    the 404 carries the rate-limit headers, and bad credentials are a 401), then `not_found`. Without an
    `Authorization` header the path is a plain 404 problem (`apps.api.problems.not_found`)."""

    read_level = write_level = Level.READ  # a 404, not a 403, whatever the method
    pagination_class = None
    filter_backends = []
    schema = None  # not a route of the OpenAPI document

    def not_found(self, request, *args, **kwargs):
        raise NotFound(f"No route {request.path} in API v2.")

    get = post = put = patch = delete = head = options = not_found


@csrf_exempt  # as every API view: clients send no CSRF token, and nothing here acts on a session
def unknown_route(request, *args, **kwargs):
    """The catch-all of `/v2/`. A path with one trailing slash (`/v2/mailboxes/`) is the same resource as without
    it: answered by that route's view, as the request was sent (its signature covers the slash). Otherwise
    `UnknownRoute` for a request with credentials, the plain 404 problem without."""
    from apps.api import problems

    path = request.path_info
    if path.endswith("/") and not path.endswith("//"):
        try:
            match = resolve(path[:-1])
        except Resolver404:
            match = None
        if match is not None and match.func is not unknown_route:
            return match.func(request, *match.args, **match.kwargs)
    if request.META.get("HTTP_AUTHORIZATION"):
        return UNKNOWN_ROUTE(request, *args, **kwargs)
    return problems.not_found(request, *args, **kwargs)


UNKNOWN_ROUTE = UnknownRoute.as_view()
