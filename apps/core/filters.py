"""The one audit-event FilterSet, shared by the panel's audit log and `GET /v2/auditevents`."""

import django_filters

from apps.core.models import AuditEvent
from apps.core.principal import Via
from apps.core.timestamps import UtcDateTimeField


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
