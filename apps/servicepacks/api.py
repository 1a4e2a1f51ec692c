"""GET /v2/servicepacks: the packs the reseller may use (reference `Servicepack` + Paneel's `items`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.servicepacks.models import ServicePack


class ServicePackItemOut(serializers.Serializer):
    asset_type = serializers.CharField()
    max_count = serializers.IntegerField()
    max_size = serializers.IntegerField(source="max_size_mb", help_text="MB")
    created_with_account = serializers.BooleanField()


class ServicePackOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    items = ServicePackItemOut(many=True)


class ServicePackList(ApiView):
    """The servicepacks the reseller may sell, with what each holds (not paged, as in the reference)."""

    queryset = ServicePack.objects.none()  # schema introspection only; get_queryset scopes to the principal
    serializer_class = ServicePackOut
    pagination_class = None  # the reference does not page this collection
    filter_backends = []  # nor filters or orders it

    def get_queryset(self):
        return ServicePack.objects.for_principal(self.principal).prefetch_related("items").order_by("id")

    @extend_schema(
        operation_id="servicepacks_list",
        summary="Servicepacks the reseller may use",
        responses={200: ServicePackOut(many=True)},
    )
    def get(self, request):
        return Response(ServicePackOut(self.get_queryset(), many=True).data)
