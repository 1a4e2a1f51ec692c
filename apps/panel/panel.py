"""The panel's door into the permission layer: who is acting, at which level, and how service errors are shown.

Every panel view is wrapped in `panel_view(level=...)`. It resolves `request.principal` from the signed-in user
and the reseller selected in the session (falling back to the user's first membership), refuses a level that is
too low with the 403 page, and turns `NotFound` into the 404 page, so views only call selectors and services.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property

from apps.core.errors import DomainError, InsufficientLevel, NotFound
from apps.core.ip import client_ip
from apps.core.principal import Level, Principal, Via
from apps.core.timestamps import as_utc
from apps.resellers.models import Membership
from apps.resellers.selectors import principal_for_user
from apps.twofactor.services import has_two_factor
from apps.twofactor.session import SESSION_TWO_FACTOR_VERIFIED

SESSION_RESELLER_KEY = "paneel_reseller_id"


@dataclass(frozen=True)
class PanelContext:
    """What templates need about the acting principal (`request.panel`): its level as booleans and the switcher."""

    principal: Principal
    memberships: list[Membership]

    @property
    def reseller(self):
        return self.principal.reseller

    @property
    def can_write(self) -> bool:
        return self.principal.can(Level.WRITE)

    @property
    def can_full(self) -> bool:
        return self.principal.can(Level.FULL)

    @cached_property
    def can_switch(self) -> bool:
        return len(self.memberships) > 1


def memberships_of(user) -> list[Membership]:
    """The user's memberships of active resellers, in the switcher's order."""
    if not user.is_active:
        return []
    return list(
        Membership.objects.filter(user=user, reseller__is_active=True)
        .select_related("reseller")
        .order_by("reseller__name", "reseller_id")
    )


def resolve_principal(request: HttpRequest) -> PanelContext | None:
    """The principal for this request: the session's reseller if the user is (still) a member, else their first.

    None when the user has no membership of an active reseller.
    """
    memberships = memberships_of(request.user)
    if not memberships:
        return None
    selected = request.session.get(SESSION_RESELLER_KEY)
    reseller_ids = [membership.reseller_id for membership in memberships]
    reseller_id = selected if selected in reseller_ids else reseller_ids[0]
    principal = principal_for_user(
        request.user,
        reseller_id,
        via=Via.PANEL,
        ip=client_ip(request) or None,
        request_id=getattr(request, "request_id", ""),
    )
    if selected != reseller_id:
        request.session[SESSION_RESELLER_KEY] = reseller_id
    return PanelContext(principal=principal, memberships=memberships)


def select_reseller(request: HttpRequest, reseller_id: Any) -> Principal:
    """Remember `reseller_id` as the session's reseller once the user's membership of it is confirmed."""
    try:
        reseller_id = int(reseller_id)
    except (TypeError, ValueError):
        raise NotFound("Reseller not found.") from None
    principal = principal_for_user(request.user, reseller_id, via=Via.PANEL, ip=client_ip(request) or None)
    request.session[SESSION_RESELLER_KEY] = reseller_id
    return principal


def render_refusal(request: HttpRequest, error: DomainError) -> HttpResponse:
    """The 403 page for a level that is too low, the 404 page for what is not (or not the principal's) there."""
    if isinstance(error, InsufficientLevel):
        return render(request, "errors/403.html", {"detail": error.detail}, status=403)
    return render(request, "errors/404.html", {"detail": error.detail}, status=404)


def two_factor_required(user, memberships: list[Membership]) -> bool:
    """Must this user sign in with a second factor: staff when the platform says so, members of a reseller that
    requires it."""
    if user.is_staff and settings.PANEEL_STAFF_REQUIRE_TWO_FACTOR:
        return True
    return any(membership.reseller.require_two_factor for membership in memberships)


def second_factor_refusal(request: HttpRequest, memberships: list[Membership]) -> HttpResponse | None:
    """Where a user who must use a second factor, and whose sign-in did not, is sent instead; None otherwise."""
    if request.session.get(SESSION_TWO_FACTOR_VERIFIED) or not two_factor_required(request.user, memberships):
        return None
    if has_two_factor(request.user):  # turned on in another session: this one signs in again, with the code
        auth_logout(request)
        messages.info(request, "Sign in again with your authenticator code.")
        return redirect_to_login(request.get_full_path())
    messages.info(request, "Your reseller requires two-factor sign-in: set it up to continue.")
    return redirect("twofactor:setup")


def panel_view(level: str = Level.READ) -> Callable:
    """Decorate a panel view: sign-in required, `request.principal` resolved, `level` enforced before the view runs."""
    required = Level(level)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                panel = resolve_principal(request)
            except NotFound:  # the membership went away between the two reads
                panel = None
            if panel is None:
                response = render(request, "panel/no_access.html", status=403)
            elif (refusal := second_factor_refusal(request, panel.memberships)) is not None:
                return refusal
            else:
                request.principal = panel.principal
                request.panel = panel
                try:
                    if not panel.principal.can(required):
                        raise InsufficientLevel(
                            f"This needs level '{required.value}'; you have '{panel.principal.level.value}'."
                        )
                    response = view(request, *args, **kwargs)
                except (InsufficientLevel, NotFound) as error:
                    response = render_refusal(request, error)
            add_never_cache_headers(response)
            return response

        wrapper.panel_level = required
        return wrapper

    return decorator


def posted(request: HttpRequest):
    """The form data of a POST (even an empty one, so its fields are reported missing), None otherwise."""
    return request.POST if request.method == "POST" else None


def _is_lookup_miss(error: DomainError) -> bool:
    """A `NotFound` about the object in the URL (no field named): the caller answers 404, not a form error."""
    return isinstance(error, NotFound) and not any(problem.field for problem in error.problems)


def run_service(request: HttpRequest, service: Callable[..., Any], /, *, form: Form | None = None, **kwargs: Any):
    """Call a service; turn its `DomainError` into form errors (or a flash message when there is no form).

    A problem naming one of the form's fields becomes that field's error, any other a non-field error (a form
    may map the services' field names to its own in `field_aliases`).
    `InsufficientLevel` and a plain `NotFound` propagate to `panel_view` (403 / 404 pages).
    Returns the service's result (True for a service that returns nothing), or None when the service refused.
    """
    try:
        result = service(**kwargs)
        return True if result is None else result
    except InsufficientLevel:
        raise
    except DomainError as error:
        if _is_lookup_miss(error):
            raise
        aliases = getattr(form, "field_aliases", {})
        for problem in error.problems:
            field = aliases.get(problem.field, problem.field)
            if form is None:
                messages.error(request, problem.message)
            else:
                form.add_error(field if field in form.fields else None, problem.message)
        return None


# ---------------------------------------------------------------------------------------------------------------
# Keyset paging: pages are found through the ordering index (e.g. reseller, created_at, id), never by OFFSET,
# so page 4,000 of 100,000 accounts costs what page 1 costs.


# Counting stops here: past it the heading says "1,000+", so a reseller with 100,000 accounts costs what one with
# 1,001 does (a count is work over every matching row; the page itself reads 26 rows through the index).
COUNT_LIMIT = 1000


@dataclass
class KeysetPage:
    items: list
    total: int | None  # None when not counted; COUNT_LIMIT + 1 means "more than COUNT_LIMIT"
    per_page: int
    next_query: str | None
    previous_query: str | None
    first_query: str | None

    @property
    def total_is_capped(self) -> bool:
        return self.total is not None and self.total > COUNT_LIMIT

    @property
    def count_limit(self) -> int:
        return COUNT_LIMIT

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_query or self.previous_query)


def _encode_cursor(values: list[Any]) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else str(value) for value in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode_cursor(token: str, count: int) -> list[str] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != count or not all(isinstance(v, str) for v in values):
        return None
    return values


def _after(queryset: QuerySet, keys: tuple[str, str], values: list[str], descending: bool) -> QuerySet:
    """Rows strictly after `values` in the ordering `keys` (two keys: a timestamp and the primary key); all of them
    when the cursor is not one this module made."""
    first, second = keys
    try:
        stamp, pk = as_utc(datetime.fromisoformat(values[0])), int(values[1])
    except ValueError:
        return queryset
    if descending:
        return queryset.filter(**{f"{first}__lte": stamp}).exclude(**{first: stamp, f"{second}__gte": pk})
    return queryset.filter(**{f"{first}__gte": stamp}).exclude(**{first: stamp, f"{second}__lte": pk})


def keyset_page(
    request: HttpRequest,
    queryset: QuerySet,
    *,
    keys: tuple[str, str] = ("created_at", "id"),
    descending: bool = True,
    per_page: int = 25,
    count: bool = True,
) -> KeysetPage:
    """One page of `queryset` ordered by `keys`, from the `after` / `before` cursor in the query string."""
    order = [f"-{key}" if descending else key for key in keys]
    reverse_order = [key if descending else f"-{key}" for key in keys]
    after = _decode_cursor(request.GET.get("after", ""), len(keys))
    before = None if after else _decode_cursor(request.GET.get("before", ""), len(keys))

    if before is not None:
        rows = list(_after(queryset, keys, before, not descending).order_by(*reverse_order)[: per_page + 1])
        has_previous = len(rows) > per_page
        items = list(reversed(rows[:per_page]))
        has_next = True
    else:
        page_qs = _after(queryset, keys, after, descending) if after is not None else queryset
        rows = list(page_qs.order_by(*order)[: per_page + 1])
        items = rows[:per_page]
        has_next = len(rows) > per_page
        has_previous = after is not None

    def query(name: str, item: Any) -> str:
        params = request.GET.copy()
        params.pop("after", None)
        params.pop("before", None)
        params[name] = _encode_cursor([getattr(item, key) for key in keys])
        return params.urlencode()

    base = request.GET.copy()
    base.pop("after", None)
    base.pop("before", None)
    return KeysetPage(
        items=items,
        total=queryset.order_by()[: COUNT_LIMIT + 1].count() if count else None,
        per_page=per_page,
        next_query=query("after", items[-1]) if has_next and items else None,
        previous_query=query("before", items[0]) if has_previous and items else None,
        first_query=base.urlencode() if has_previous else None,
    )
