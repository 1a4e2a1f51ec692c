"""`/v2/dns/{domain_name}/records` and `/v2/dns/{domain_name}/records/{record_id}`, as the reference has them:
record bodies are the reference's `DnsRecord`, creation answers 201 with `Location`, changes 200 and 204."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.core.errors import NotFound
from apps.dns import services
from apps.dns.filters import DnsRecordFilterSet
from apps.dns.models import DnsRecord, DnsZone, RecordType

DOMAIN_NAME = OpenApiParameter("domain_name", OpenApiTypes.STR, OpenApiParameter.PATH, description="The domain name.")
RECORD_ID = OpenApiParameter("record_id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The id of the record.")
BAD_RECORD = OpenApiResponse(
    description="`validation_failed`: the record is invalid for its type or zone (`field` names what is wrong)."
)
NOT_FOUND = OpenApiResponse(description="`not_found`: no such zone or record (also another reseller's).")


class DnsRecordIn(serializers.Serializer):
    """The reference's `DnsRecord` body; each type's rules are checked by the service (`apps.dns.records`)."""

    id = serializers.CharField(required=False, allow_blank=True, help_text="Ignored.")
    type = serializers.CharField(required=False, help_text="A, AAAA, CAA, CNAME, MX, TXT, SRV, ALIAS, TLSA or NS.")
    record_name = serializers.CharField(required=False, allow_blank=True, max_length=253)
    ttl = serializers.IntegerField(required=False, min_value=60, max_value=86400)
    content = serializers.CharField(required=False, allow_blank=True, max_length=4000, trim_whitespace=False)
    priority = serializers.IntegerField(required=False, min_value=0, max_value=9999)
    service = serializers.CharField(required=False, allow_blank=True, max_length=63)
    weight = serializers.IntegerField(required=False, min_value=0, max_value=65535)
    target = serializers.CharField(required=False, allow_blank=True, max_length=253)
    protocol = serializers.CharField(required=False, allow_blank=True, max_length=16)
    # 0 is what a non-SRV record answers (so a record read can be sent back); an SRV record needs 1-65535.
    port = serializers.IntegerField(required=False, min_value=0, max_value=65535)


class DnsRecordOut(serializers.Serializer):
    """Every field of the reference's `DnsRecord` on every record. What does not apply to the type has the neutral
    value of its JSON type: "" for strings, 0 for integers (priority applies to MX and SRV, the SRV fields to SRV;
    an SRV record's data is in those fields, its `content` is "")."""

    id = serializers.CharField()
    type = serializers.CharField()
    record_name = serializers.CharField()
    ttl = serializers.IntegerField()
    content = serializers.CharField()
    priority = serializers.IntegerField(help_text="MX and SRV; 0 for the other types.")
    service = serializers.CharField(help_text="SRV (e.g. _sip); empty for the other types.")
    weight = serializers.IntegerField(help_text="SRV; 0 for the other types.")
    target = serializers.CharField(help_text="SRV; empty for the other types.")
    protocol = serializers.CharField(help_text="SRV (TCP, UDP, TLS or SCTP); empty for the other types.")
    port = serializers.IntegerField(help_text="SRV; 0 for the other types.")

    def to_representation(self, record: DnsRecord) -> dict:
        srv = record.type == RecordType.SRV
        return {
            "id": record.pk,
            "type": record.type,
            "record_name": record.owner_name if srv else (record.name or "@"),
            "ttl": record.ttl,
            "content": "" if srv else record.content,
            "priority": (record.priority or 0) if record.type in (RecordType.MX, RecordType.SRV) else 0,
            "service": f"_{record.service}" if srv else "",
            "weight": (record.weight or 0) if srv else 0,
            "target": record.target if srv else "",
            "protocol": record.protocol if srv else "",
            "port": (record.port or 0) if srv else 0,
        }


def record_data(request) -> dict:
    serializer = DnsRecordIn(data=request.data)
    serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    data.pop("id", None)
    return data


class ZoneView(ApiView):
    def zone(self) -> DnsZone:
        name = self.kwargs["domain_name"].strip().lower().rstrip(".")
        zone = DnsZone.objects.for_principal(self.principal).filter(name=name).first()
        if zone is None:
            raise NotFound(f"No DNS zone {self.kwargs['domain_name']}.")
        return zone

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DnsRecord.objects.none()
        return DnsRecord.objects.for_principal(self.principal).filter(zone=self.zone()).order_by("created_at", "id")

    def record(self) -> DnsRecord:
        record = self.get_queryset().filter(pk=self.kwargs["record_id"]).first()
        if record is None:
            raise NotFound(f"No record {self.kwargs['record_id']} in {self.kwargs['domain_name']}.")
        return record


class RecordList(ZoneView):
    filterset_class = DnsRecordFilterSet

    def filter_queryset(self, queryset):
        filterset = DnsRecordFilterSet(self.request.query_params, queryset=queryset)
        filterset.zone_name = self.kwargs["domain_name"].strip().lower().rstrip(".")
        if not filterset.is_valid():  # every filter is free text: nothing to refuse
            return queryset.none()
        return filterset.qs

    @extend_schema(
        operation_id="dns_records_list",
        summary="Get records",
        parameters=[DOMAIN_NAME],
        responses={200: DnsRecordOut(many=True), 404: NOT_FOUND},
    )
    def get(self, request, domain_name):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DnsRecordOut(page, many=True).data)

    @extend_schema(
        operation_id="dns_records_create",
        summary="Create a record",
        description="Answers 201 with the record's `Location`; the zone is updated on its DNS server by a "
        "provisioning job right after.",
        parameters=[
            DOMAIN_NAME,
            OpenApiParameter("Location", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201], required=True),
        ],
        request=DnsRecordIn,
        responses={201: OpenApiResponse(description="Created"), 400: BAD_RECORD, 404: NOT_FOUND},
    )
    def post(self, request, domain_name):
        record = services.create_record(principal=self.principal, domain_name=domain_name, data=record_data(request))
        return Response(status=201, headers={"Location": f"/v2/dns/{record.zone.name}/records/{record.pk}"})


class RecordDetail(ZoneView):
    etag_on_get = True

    @extend_schema(
        operation_id="dns_records_retrieve",
        summary="Get specific record",
        parameters=[DOMAIN_NAME, RECORD_ID],
        responses={200: DnsRecordOut, 404: NOT_FOUND},
    )
    def get(self, request, domain_name, record_id):
        return Response(DnsRecordOut(self.record()).data)

    @extend_schema(
        operation_id="dns_records_update",
        summary="Edit a record",
        parameters=[DOMAIN_NAME, RECORD_ID],
        request=DnsRecordIn,
        responses={200: OpenApiResponse(description="OK"), 400: BAD_RECORD, 404: NOT_FOUND},
    )
    def put(self, request, domain_name, record_id):
        self.check_if_match(DnsRecordOut(self.record()).data)
        services.update_record(
            principal=self.principal, domain_name=domain_name, record_id=record_id, data=record_data(request)
        )
        return Response(status=200)

    @extend_schema(
        operation_id="dns_records_destroy",
        summary="Delete a record",
        parameters=[DOMAIN_NAME, RECORD_ID],
        responses={204: OpenApiResponse(description="No Content"), 404: NOT_FOUND},
    )
    def delete(self, request, domain_name, record_id):
        self.check_if_match(DnsRecordOut(self.record()).data)
        services.delete_record(principal=self.principal, domain_name=domain_name, record_id=record_id)
        return Response(status=204)
