"""`GET /v2/auditevents`: the reseller's audit trail, newest first, filtered with the panel's FilterSet."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from apps.api.views import ApiView
from apps.core.filters import AuditEventFilterSet
from apps.core.models import AuditEvent
from apps.core.principal import ActorKind, Via


class AuditEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    via = serializers.ChoiceField(choices=Via.choices)
    actor_kind = serializers.ChoiceField(choices=ActorKind.choices)
    actor_repr = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object_repr = serializers.CharField()
    changes = serializers.JSONField()
    ip = serializers.IPAddressField(allow_null=True)
    request_id = serializers.CharField()


AUDIT_EVENT_COLUMNS = tuple(AuditEventOut().fields)  # the list reads these as `.values()` rows


class AuditEventList(ApiView):
    """Who changed what, through which door (panel, API, admin, worker), newest first."""

    compiled_lists, compiled_filters = True, frozenset(AuditEventFilterSet.base_filters)
    queryset = AuditEvent.objects.none()  # schema introspection only; get_queryset scopes to the principal
    filterset_class = AuditEventFilterSet
    ordering_fields = ["at", "id"]  # an audit event has `at`, not `created_at`

    def get_queryset(self):
        return AuditEvent.objects.for_principal(self.principal).order_by("-at", "-id")

    @extend_schema(
        operation_id="auditevents_list",
        summary="The reseller's audit trail, newest first",
        responses={200: AuditEventOut(many=True)},
    )
    def get(self, request):
        return self.list_response(self.get_queryset, AUDIT_EVENT_COLUMNS)
