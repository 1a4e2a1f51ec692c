"""The IP whitelist in API v2 (Paneel's own routes, level `full` for reading too): the addresses and networks
from which the reseller's API credentials may be used."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import FullLevelView
from apps.core.principal import Principal
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.services import add_whitelist_entry, remove_whitelist_entry


class WhitelistEntryIn(serializers.Serializer):
    cidr = serializers.CharField(help_text="An IPv4/IPv6 address or network, e.g. 203.0.113.0/24.")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class WhitelistEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    cidr = serializers.CharField()
    description = serializers.CharField()
    created_at = serializers.DateTimeField()


def whitelist_entry_of(principal: Principal, entry_id: int) -> IpWhitelistEntry:
    return IpWhitelistEntry.objects.get_for_principal(principal, pk=entry_id)


ENTRY_ID = OpenApiParameter("entry_id", int, OpenApiParameter.PATH, description="The id of the whitelist entry.")


WHITELIST_COLUMNS = tuple(WhitelistEntryOut().fields)  # the list reads these as `.values()` rows


class WhitelistEntryList(FullLevelView):
    compiled_lists = True
    queryset = IpWhitelistEntry.objects.none()  # schema introspection only; get_queryset scopes to the principal

    def get_queryset(self):
        return IpWhitelistEntry.objects.for_principal(self.principal).order_by("created_at", "id")

    @extend_schema(
        operation_id="ipwhitelist_list",
        summary="The addresses and networks allowed to use the reseller's API credentials",
        responses={200: WhitelistEntryOut(many=True)},
    )
    def get(self, request):
        return self.list_response(self.get_queryset, WHITELIST_COLUMNS)

    @extend_schema(
        operation_id="ipwhitelist_create",
        summary="Allow API access from an address or network",
        description="409 `duplicate` when the (normalised) address or network is already listed.",
        request=WhitelistEntryIn,
        parameters=[
            OpenApiParameter(
                "Location", str, OpenApiParameter.HEADER, response=[201], required=True, description="The new entry."
            )
        ],
        responses={
            201: WhitelistEntryOut,
            409: OpenApiResponse(description="`duplicate`: the address or network is already listed."),
        },
    )
    def post(self, request):
        serializer = WhitelistEntryIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = add_whitelist_entry(principal=self.principal, **serializer.validated_data)
        return Response(
            WhitelistEntryOut(entry).data,
            status=201,
            headers={"Location": reverse("api:ipwhitelist-entry", kwargs={"entry_id": entry.pk})},
        )


class WhitelistEntryDetail(FullLevelView):
    etag_on_get = True

    @extend_schema(
        operation_id="ipwhitelist_retrieve",
        summary="Show a whitelist entry",
        parameters=[ENTRY_ID],
        responses={200: WhitelistEntryOut},
    )
    def get(self, request, entry_id):
        return Response(WhitelistEntryOut(whitelist_entry_of(self.principal, entry_id)).data)

    @extend_schema(
        operation_id="ipwhitelist_destroy",
        summary="Stop allowing API access from an entry's addresses",
        parameters=[ENTRY_ID],
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, entry_id):
        entry = whitelist_entry_of(self.principal, entry_id)
        self.check_if_match(WhitelistEntryOut(entry).data)
        remove_whitelist_entry(principal=self.principal, entry_id=entry.pk)
        return Response(status=204)
