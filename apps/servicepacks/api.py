"""GET /v2/servicepacks: the packs the reseller may use (reference `Servicepack` + Paneel's `items`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.servicepacks.models import ServicePack, ServicePackItem


class ServicePackItemOut(serializers.Serializer):
    asset_type = serializers.CharField()
    max_count = serializers.IntegerField()
    max_size = serializers.IntegerField(source="max_size_mb", help_text="MB")
    created_with_account = serializers.BooleanField()


# The item's output names and the columns they are read from.
ITEM_COLUMNS = {name: field.source or name for name, field in ServicePackItemOut().fields.items()}


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
        return ServicePack.objects.for_principal(self.principal).order_by("id")

    @extend_schema(
        operation_id="servicepacks_list",
        summary="Servicepacks the reseller may use",
        responses={200: ServicePackOut(many=True)},
    )
    def get(self, request):
        # Built from `.values()` rows: key for key what ServicePackOut makes (tests/api/test_list_rows.py).
        packs = list(self.get_queryset().values("id", "name"))
        items: dict[int, list[dict]] = {pack["id"]: [] for pack in packs}
        rows = ServicePackItem.objects.filter(servicepack_id__in=items).order_by("servicepack_id", "asset_type")
        for row in rows.values("servicepack_id", *ITEM_COLUMNS.values()):
            items[row["servicepack_id"]].append({name: row[column] for name, column in ITEM_COLUMNS.items()})
        return Response([{**pack, "items": items[pack["id"]]} for pack in packs])
