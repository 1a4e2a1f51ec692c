"""CSV downloads of panel lists: streamed row by row, cells that a spreadsheet would run as a formula defused."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    filename: str, header: list[str], queryset: QuerySet, row: Callable[[Any], Iterable[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV of `queryset` (read in chunks), one `row(obj)` per object under `header`."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a byte-order mark, so spreadsheets read UTF-8 domain and contact names right
        yield writer.writerow(header)
        for obj in queryset.iterator(chunk_size=2000):
            yield writer.writerow([safe_cell(value) for value in row(obj)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
    return response
