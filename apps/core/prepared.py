"""Queries compiled once and run many times: for the reads on every API request, where building and compiling the
ORM query costs more than running it (the API key lookup compiled a four-table `.values()` query per request).

`PreparedValues(build, placeholder)` calls `build(placeholder)` once per thread and database connection, compiles
it, and finds where the placeholder landed among the SQL parameters; `rows(value)` then runs that SQL with the
value in its place and converts the rows as `.values()` does (each field's `from_db_value`, the backend's
converters). The data is read fresh every time: only the SQL text is kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Compiled:
    connection: Any
    compiler: SQLCompiler
    sql: str
    params: tuple
    position: int
    names: list[str]
    converters: dict


class PreparedValues:
    def __init__(self, build: Callable[[Any], QuerySet], placeholder: Any):
        self.build = build
        self.placeholder = placeholder
        self.local = threading.local()

    def _compile(self, connection) -> _Compiled:
        queryset = self.build(self.placeholder)
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = [index for index, param in enumerate(params) if param == self.placeholder]
        if len(positions) != 1:
            raise ValueError(f"The placeholder must be exactly one parameter of the query, not {len(positions)}.")
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        return _Compiled(
            connection=connection,
            compiler=compiler,
            sql=sql,
            params=tuple(params),
            position=positions[0],
            names=[*query.extra_select, *query.values_select, *query.annotation_select],
            converters=compiler.get_converters(fields),
        )

    def rows(self, value: Any) -> list[dict[str, Any]]:
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = getattr(self.local, "compiled", None)
        if compiled is None or compiled.connection is not connection:
            compiled = self.local.compiled = self._compile(connection)
        params = list(compiled.params)
        params[compiled.position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        rows = compiled.compiler.apply_converters(fetched, compiled.converters) if compiled.converters else fetched
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]
