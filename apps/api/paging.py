"""`skip`/`take` paging with the reference's `X-Paging-*` headers and an RFC 8288 `Link` header."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from urllib.parse import urlencode

from django.db.models import Count, QuerySet, Window
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from apps.core.errors import FieldProblem, ValidationFailed
from apps.core.prepared import CompiledQueries

DEFAULT_TAKE = 25
# The compiled SQL of the hot list pages, by view, URL arguments, reseller, filters, skip and take
# (ApiView.compiled_key).
COMPILED_PAGES = CompiledQueries(size=1024)
MAX_TAKE = 100


# Beyond any collection's size: a longer number of digits is read as this (a take is clamped to MAX_TAKE anyway).
HUGE = 10**18


def non_negative(request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    # ASCII digits only: str.isdigit() also accepts "²" and other digits int() refuses.
    if not (value.isascii() and value.isdigit()):
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", f"'{name}' must be a whole number, 0 or more.", name)]
        )
    return int(value) if len(value) <= 18 else HUGE


class SkipTakePagination(BasePagination):
    """Default take 25; a take above 100 is clamped, not refused; negative or non-numeric values are 400."""

    def paginate_queryset(self, queryset, request, view=None):
        return self.paginate_rows(queryset, request, rows=list)

    def paginate_rows(self, queryset, request, *, rows: Callable[[QuerySet], list], total: int | None = None) -> list:
        """The page of `queryset` as `rows(sliced queryset)` makes it (model instances, or dicts from `.values()`).
        `total` is the exact size of `queryset` when the caller knows it without counting (apps.api.counts)."""
        self.request = request
        self.skip = non_negative(request, "skip", 0)
        self.take = min(non_negative(request, "take", DEFAULT_TAKE), MAX_TAKE)
        self.total = queryset.count() if total is None else total
        # Past the end there is nothing to fetch (and the database need not see an offset beyond its integers).
        in_range = self.take and self.skip < self.total
        self.items = rows(queryset[self.skip : self.skip + self.take]) if in_range else []
        return self.items

    def paginate_values(
        self,
        queryset,
        request,
        *,
        columns: tuple,
        expressions: dict,
        transform: Callable[[dict], dict] | None,
        total_expression=None,
        total: Callable[[], int] | None = None,
        compiled_key: Hashable | None = None,
    ) -> list:
        """The page of `queryset` (or of what the callable `queryset` builds, only when it must be built) as
        `.values(*columns, **expressions)` rows (each through `transform`, if given), and the exact
        total, in one query: the total is a `COUNT(*) OVER ()` column of the page (only a page past the end needs
        a `COUNT(*)` of its own). `total_expression` (with `total`, for a page past the end) replaces the count by
        one the database keeps (apps.listcounts)."""
        self.request = request
        self.skip = non_negative(request, "skip", 0)
        self.take = min(non_negative(request, "take", DEFAULT_TAKE), MAX_TAKE)
        built: list[QuerySet] = []

        def filtered() -> QuerySet:
            if not built:
                built.append(queryset() if callable(queryset) else queryset)
            return built[0]

        rows = []
        if self.take and self.skip < HUGE:
            counted = total_expression if total_expression is not None else Window(Count("*"))

            def page():
                values = filtered().values(*columns, **expressions, paging_total=counted)
                return values[self.skip : self.skip + self.take]

            key = None if compiled_key is None else (compiled_key, self.skip, self.take)
            rows = COMPILED_PAGES.rows(key, page)
        if rows:
            self.total = rows[0]["paging_total"]
        elif self.skip or not self.take:
            self.total = total() if total is not None else filtered().count()
        else:
            self.total = 0
        for row in rows:
            del row["paging_total"]
        self.items = [transform(row) for row in rows] if transform else rows
        return self.items

    def link(self, skip: int, rel: str) -> str:
        params = {k: v for k, v in self.request.query_params.items() if k not in ("skip", "take")}
        params.update(skip=skip, take=self.take)
        return f'<{self.request.path}?{urlencode(params)}>; rel="{rel}"'

    def get_paginated_response(self, data):
        headers = {
            "X-Paging-Skipped": str(self.skip),
            "X-Paging-Take": str(len(self.items)),
            "X-Paging-TotalResults": str(self.total),
        }
        links = []
        if self.take and self.skip + len(self.items) < self.total:
            links.append(self.link(self.skip + self.take, "next"))
        if self.skip > 0 and self.take:
            links.append(self.link(max(0, self.skip - self.take), "prev"))
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "skip",
                "in": "query",
                "required": False,
                "description": "How many results to skip (default 0).",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            {
                "name": "take",
                "in": "query",
                "required": False,
                "description": f"How many results to return (default {DEFAULT_TAKE}; above {MAX_TAKE} is clamped).",
                "schema": {"type": "integer", "minimum": 0, "default": DEFAULT_TAKE},
            },
        ]
