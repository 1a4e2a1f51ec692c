"""Timestamps from outside (API parameters, panel forms, cursors) turned into aware UTC datetimes before they reach
a query: a database cannot take every offset Python can (PostgreSQL refuses offsets beyond ±15:59), and one near the
ends of the calendar can fall outside the years 1-9999 once moved to UTC."""

from datetime import UTC, datetime

from django import forms
from django.utils import timezone

OUT_OF_RANGE = "Out of range: in UTC it must fall between the years 1 and 9999."


def as_utc(value: datetime) -> datetime:
    """`value` in UTC (a naive one is taken to be in UTC). ValueError when UTC cannot hold it."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None


class UtcDateTimeField(forms.DateTimeField):
    """A form field whose clean value is in UTC, with a form error (not a server error) when it cannot be."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return as_utc(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None
