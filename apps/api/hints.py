"""`?with=` hints: expand related data on list and detail routes, at a constant number of queries.

A route names the hints it offers (`with_hints`, a tree of `Hint`s) and its resource name (`with_resource`, e.g.
`account`). `?with=assets,servicepack` or `?with=Account.Assets` (a leading resource name may be given, names are
case-insensitive) adds `assets` and `servicepack` to each account; `?with=account.servicepack` on a MySQL
database nests. Every expansion is fetched with `select_related`/`prefetch_related` for the whole page, so the
query count does not grow with the page. An unknown hint is a 400 naming it. Without `with`, answers are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter

from apps.core.errors import FieldProblem, ValidationFailed

MAX_LENGTH = 500
MAX_DEPTH = 4


@dataclass(frozen=True)
class Hint:
    """One expansion. `target(obj)` is what it expands (an iterable when `many`), `render(target)` its JSON;
    `relation` is the ORM path from the object to it (None: nothing to fetch), `prefetch` further paths below it."""

    target: Callable[[Any], Any]
    render: Callable[[Any], dict]
    relation: str | None = None
    many: bool = False
    prefetch: tuple[str, ...] = ()
    children: dict[str, Hint] = field(default_factory=dict)
    description: str = ""


def invalid(message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, "with")])


def offered(hints: dict[str, Hint], prefix: str = "") -> list[str]:
    names = []
    for name, hint in hints.items():
        names.append(prefix + name)
        names.extend(offered(hint.children, f"{prefix}{name}."))
    return names


def parse(raw: str | None, hints: dict[str, Hint], resource: str) -> dict[str, dict]:
    """The selected tree `{name: {child: {...}}}` of a `with` value, or `ValidationFailed` naming an unknown hint."""
    if not raw:
        return {}
    if len(raw) > MAX_LENGTH:
        raise invalid(f"At most {MAX_LENGTH} characters.")
    selected: dict[str, dict] = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        names = [name.strip().lower() for name in part.split(".")]
        if len(names) > 1 and names[0] == resource and names[0] not in hints:
            names = names[1:]
        if len(names) > MAX_DEPTH:
            raise invalid(f"Hint '{part[:60]}' nests deeper than {MAX_DEPTH} levels.")
        node, level = selected, hints
        for name in names:
            if name not in level:
                choices = ", ".join(offered(hints)) or "none"
                raise invalid(f"Unknown hint '{part[:60]}' (this route offers: {choices}).")
            node = node.setdefault(name, {})
            level = level[name].children
    return selected


def apply(queryset: QuerySet, selected: dict[str, dict], hints: dict[str, Hint], prefix: str = "", many=False):
    """`queryset` with what the selected hints need fetched along with it."""
    for name, sub in selected.items():
        hint = hints[name]
        child_prefix, child_many = prefix, many
        if hint.relation:
            path = prefix + hint.relation
            queryset = queryset.prefetch_related(path) if (hint.many or many) else queryset.select_related(path)
            child_prefix, child_many = path + "__", many or hint.many
        for extra in hint.prefetch:
            queryset = queryset.prefetch_related(child_prefix + extra)
        queryset = apply(queryset, sub, hint.children, child_prefix, child_many)
    return queryset


def expand(item: dict, obj: Any, selected: dict[str, dict], hints: dict[str, Hint]) -> dict:
    """Add each selected hint's JSON to `item` (the representation of `obj`)."""
    for name, sub in selected.items():
        hint = hints[name]
        target = hint.target(obj)
        if hint.many:
            item[name] = [expand(hint.render(one), one, sub, hint.children) for one in target]
        else:
            item[name] = None if target is None else expand(hint.render(target), target, sub, hint.children)
    return item


def with_parameter(hints: dict[str, Hint]) -> OpenApiParameter:
    """The OpenAPI description of a route's `with` parameter."""
    listed = "; ".join(f"`{name}`" for name in offered(hints))
    return OpenApiParameter(
        "with",
        str,
        OpenApiParameter.QUERY,
        required=False,
        description=f"Comma-separated hints that expand related data, nested with `.`: {listed}. A leading "
        "resource name is allowed (e.g. `Account.Assets`); names are case-insensitive; an unknown hint is a 400.",
    )


class HintedView:
    """Mixin of an ApiView that offers `?with=` hints."""

    with_hints: dict[str, Hint] = {}
    with_resource: str = ""

    def with_selection(self) -> dict[str, dict]:
        if not hasattr(self, "_with_selection"):
            request = getattr(self, "request", None)
            raw = request.query_params.get("with") if request is not None and request.method == "GET" else None
            self._with_selection = parse(raw, self.with_hints, self.with_resource)
        return self._with_selection

    def hinted(self, queryset: QuerySet) -> QuerySet:
        return apply(queryset, self.with_selection(), self.with_hints)

    def expanded(self, data, objects):
        """The serialized `data` (one item or a list) with the selected hints of `objects` added."""
        selected = self.with_selection()
        if not selected:
            return data
        if isinstance(data, list):
            for item, obj in zip(data, objects, strict=True):
                expand(item, obj, selected, self.with_hints)
            return data
        return expand(data, objects, selected, self.with_hints)
