"""The one audit-event FilterSet, shared by the panel's audit log and `GET /v2/auditevents`, and the filters other
FilterSets share."""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from apps.core.models import AuditEvent
from apps.core.principal import Via
from apps.core.timestamps import UtcDateTimeField

BIGGEST_ID = 2**63 - 1  # a signed 64-bit integer, the widest column SQLite and PostgreSQL have


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1})
class IdFilter(django_filters.NumberFilter):
    """An object's id: a whole number from 1 up to what a database column holds (beyond it, a 400, not an
    overflow inside the database driver)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGGEST_ID)
        super().__init__(*args, **kwargs)


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 timestamp, compared in UTC; one UTC cannot hold is a 400, not a database error."""

    field_class = UtcDateTimeField


class AuditEventFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(field_name="action", label="Action")
    via = django_filters.ChoiceFilter(choices=Via.choices, label="Via")
    object_type = django_filters.CharFilter(field_name="object_type", label="Object type")
    object_id = django_filters.CharFilter(field_name="object_id", label="Object id")
    actor = django_filters.CharFilter(
        field_name="actor_repr", lookup_expr="icontains", label="Who (part of the actor's name)"
    )
    since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", label="Since (UTC)")
    until = UtcDateTimeFilter(field_name="at", lookup_expr="lt", label="Until (UTC)")

    class Meta:
        model = AuditEvent
        fields = ["action", "via", "object_type", "object_id"]
