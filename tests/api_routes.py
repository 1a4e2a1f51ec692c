"""The routes Paneel serves under /v2/, read from the URL configuration (not from the OpenAPI document), so tests
can hold the document, the reference and the tenancy and level matrices against what really answers."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

from apps.api import problems, views

# The catch-alls that answer 404 for a path no route matches (with credentials, after authenticating).
CATCH_ALLS = (problems.not_found, views.unknown_route)

# Public pages about the API: not operations of it, and no tenant's data.
DOCUMENTATION_ROUTES = {"/v2/openapi.json", "/v2/docs/", "/v2/docs/errors", "/v2/jwks.json"}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def path_template(route: str) -> str:
    """`v2/accounts/<int:account_id>` becomes `/v2/accounts/{account_id}`; so does a regex route,
    `^v2/accounts/(?P<account_id>[0-9]+)$`."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    return "/" + re.sub(r"\^|\$|\\Z", "", route).lstrip("/")


def view_methods(callback) -> set[str]:
    """The HTTP methods a view implements (HEAD and OPTIONS, which every view answers, left out); for a viewset,
    those its route maps to actions."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {method.upper() for method in actions}
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return {"GET"}
    return {method.upper() for method in HTTP_METHODS if hasattr(view, method)}


def api_routes() -> dict[str, set[str]]:
    """Every route under /v2/ (through includes) with the methods its view implements, documentation excepted."""
    found: dict[str, set[str]] = {}

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and pattern.callback not in CATCH_ALLS:
                route = path_template(prefix + str(pattern.pattern))
                found.setdefault(route, set()).update(view_methods(pattern.callback))

    walk(get_resolver().url_patterns, "")
    return {
        route: methods
        for route, methods in found.items()
        if route.startswith("/v2/") and route not in DOCUMENTATION_ROUTES
    }


def shape(template: str) -> str:
    """A path template with its parameter names left out: `/v2/accounts/{accountId}` -> `/v2/accounts/{}`."""
    return re.sub(r"\{[^}]+\}", "{}", template)


def api_operations() -> set[tuple[str, str]]:
    """(route shape, method) of every operation `api_routes` finds."""
    return {(shape(route), method) for route, methods in api_routes().items() for method in methods}
