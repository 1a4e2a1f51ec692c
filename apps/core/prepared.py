"""Queries compiled once and run many times: for the reads on every API request, where building and compiling the
ORM query costs more than running it (the API key lookup compiled a four-table `.values()` query per request, a
list page its own).

- `PreparedValues(build, placeholder)` calls `build(placeholder)` once per thread and database connection,
  compiles it, and finds where the placeholder landed among the SQL parameters; `rows(value)` then runs that SQL
  with the value in its place.
- `CompiledQueries` keeps the compiled SQL of `.values()` querysets by a key the caller vouches for: a key that
  names everything the queryset's SQL and parameters depend on (e.g. the view, its reseller, skip and take).

Either way the rows are converted as `.values()` converts them (each field's `from_db_value`, the backend's
converters), and the data is read fresh every time: only the SQL text is kept.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class Compiled:
    """The SQL of one `.values()` queryset on one connection, and what turns its rows into `.values()` dicts."""

    connection: Any
    compiler: SQLCompiler
    sql: str
    params: tuple
    names: list[str]
    converters: dict

    @classmethod
    def of(cls, queryset: QuerySet, connection) -> Compiled:
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return cls(
            connection=connection,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            names=[*query.extra_select, *query.values_select, *query.annotation_select],
            converters=compiler.get_converters(fields),
        )

    def rows(self, params: tuple | list | None = None) -> list[dict[str, Any]]:
        with self.connection.cursor() as cursor:
            cursor.execute(self.sql, self.params if params is None else params)
            fetched = cursor.fetchall()
        rows = self.compiler.apply_converters(fetched, self.converters) if self.converters else fetched
        return [dict(zip(self.names, row, strict=True)) for row in rows]


class PreparedValues:
    def __init__(self, build: Callable[[Any], QuerySet], placeholder: Any):
        self.build = build
        self.placeholder = placeholder
        self.local = threading.local()

    def _compile(self, connection) -> tuple[Compiled, int]:
        compiled = Compiled.of(self.build(self.placeholder), connection)
        positions = [index for index, param in enumerate(compiled.params) if param == self.placeholder]
        if len(positions) != 1:
            raise ValueError(f"The placeholder must be exactly one parameter of the query, not {len(positions)}.")
        return compiled, positions[0]

    def rows(self, value: Any) -> list[dict[str, Any]]:
        connection = connections[DEFAULT_DB_ALIAS]
        prepared = getattr(self.local, "prepared", None)
        if prepared is None or prepared[0].connection is not connection:
            prepared = self.local.prepared = self._compile(connection)
        compiled, position = prepared
        params = list(compiled.params)
        params[position] = value
        return compiled.rows(params)


class CompiledQueries:
    """The compiled SQL of the last `size` keys, per thread (a compiler belongs to its thread's connection)."""

    def __init__(self, size: int = 512):
        self.size = size
        self.local = threading.local()

    def rows(self, key: Hashable | None, build: Callable[[], QuerySet]) -> list[dict[str, Any]]:
        """The rows of `build()` (a `.values()` queryset), built and compiled only when `key` is new here; with no
        key (nothing vouches for the SQL), built and run as any queryset."""
        if key is None:
            return list(build())
        connection = connections[DEFAULT_DB_ALIAS]
        entries: OrderedDict | None = getattr(self.local, "entries", None)
        if entries is None:
            entries = self.local.entries = OrderedDict()
        compiled = entries.get(key)
        if compiled is None or compiled.connection is not connection:
            queryset = build()
            try:
                compiled = Compiled.of(queryset, connection)
            except EmptyResultSet:  # a query the ORM knows is empty (`pk__in=[]`): nothing to run or keep
                return list(queryset)
            entries[key] = compiled
            if len(entries) > self.size:
                entries.popitem(last=False)
        else:
            entries.move_to_end(key)
        return compiled.rows()
