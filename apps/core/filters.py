"""The one audit-event FilterSet, shared by the panel's audit log and `GET /v2/auditevents`."""

import django_filters

from apps.core.models import AuditEvent
from apps.core.principal import Via


class AuditEventFilterSet(django_filters.FilterSet):
    action = django_filters.CharFilter(field_name="action")
    via = django_filters.ChoiceFilter(choices=Via.choices)
    object_type = django_filters.CharFilter(field_name="object_type")
    object_id = django_filters.CharFilter(field_name="object_id")
    actor = django_filters.CharFilter(field_name="actor_repr", lookup_expr="icontains")
    since = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields = ["action", "via", "object_type", "object_id"]
