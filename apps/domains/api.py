"""The reference's domain routes: `/v2/domains` (+ `/{domain_name}`, `/nameservers`, `/renew`) and
`/v2/domains/registrations`, `/v2/domains/transfers` (202: the job waits for the registrar)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.core.errors import NotFound
from apps.domains import selectors, services
from apps.domains.models import Domain, DomainStatus

DOMAIN = OpenApiParameter("domain_name", OpenApiTypes.STR, OpenApiParameter.PATH, description="The domain name.")
ACCEPTED = OpenApiResponse(description="Accepted; the job finishes when the registrar has carried the order out.")
NOT_FOUND = OpenApiResponse(description="`not_found`: no such domain (also another reseller's).")
CONFLICT = OpenApiResponse(description="`duplicate`: the domain is registered here already.")
STATE = OpenApiResponse(description="`invalid_state`: the domain is not active or an order is still pending.")


def stamp(value) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


class DomainOut(serializers.Serializer):
    domain_name = serializers.CharField()
    expiration_date = serializers.DateTimeField(
        required=False,
        help_text="Set by the registrar when a registration, transfer or renewal completes; absent while the "
        "registry has not told it (a registration or transfer still pending, or refused).",
    )
    will_renew = serializers.BooleanField()
    status = serializers.CharField(help_text="Paneel: registering, transferring, active or refused.")

    def to_representation(self, domain: Domain) -> dict:
        body = {"domain_name": domain.domain_name, "will_renew": domain.will_renew, "status": domain.status}
        if domain.expiration_date:
            body["expiration_date"] = stamp(domain.expiration_date)
        return body


class NameServerOut(serializers.Serializer):
    name = serializers.CharField()
    ip = serializers.CharField(
        allow_blank=True,
        help_text="The address of one of the platform's DNS servers of that host name; empty for another name "
        "server (Paneel does not resolve names it does not run).",
    )


class RegistrantOut(serializers.Serializer):
    """The reference's `Registrant`: every field, "" where the registration or transfer gave none."""

    first_name = serializers.CharField()
    last_name = serializers.CharField()
    address = serializers.CharField()
    postal_code = serializers.CharField()
    city = serializers.CharField()
    country_code = serializers.CharField()
    email = serializers.CharField()
    fax = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    language_code = serializers.CharField(allow_blank=True)
    company_name = serializers.CharField(allow_blank=True)
    enterprise_number = serializers.CharField(allow_blank=True)

    def to_representation(self, registrant: dict) -> dict:
        return {key: str(registrant.get(key, "")) for key in services.REGISTRANT_FIELDS}


class DomainDetailOut(DomainOut):
    name_servers = NameServerOut(many=True)
    registrant = RegistrantOut()
    can_toggle_renew = serializers.BooleanField()

    def to_representation(self, domain: Domain) -> dict:
        addresses = selectors.name_server_addresses(domain.name_servers)
        return {
            **super().to_representation(domain),
            "name_servers": [{"name": name, "ip": addresses.get(name, "")} for name in domain.name_servers],
            "registrant": RegistrantOut(domain.registrant).data,
            "can_toggle_renew": domain.status == DomainStatus.ACTIVE,
        }


class RegisterIn(serializers.Serializer):
    domain_name = serializers.CharField(max_length=253)
    name_servers = serializers.ListField(child=serializers.CharField(max_length=253), required=False, max_length=13)
    registrant = serializers.DictField(
        help_text="The reference's RegistrantInput: first_name, last_name, address, postal_code, city, country_code "
        "(BE) and email are required; fax and phone as +32.123456789, language_code (nl), company_name, "
        "enterprise_number (BE0123456789) and extra_fields [{name, value}] (CompanyNumber, PassportNumber or "
        "CodiceFiscal, where the domain's registry asks for them) are optional."
    )


class TransferIn(RegisterIn):
    auth_code = serializers.CharField(max_length=255)


class NameServersIn(serializers.Serializer):
    domain_name = serializers.CharField(required=False, max_length=253)
    name_servers = serializers.ListField(child=serializers.CharField(max_length=253), max_length=13)


class RenewIn(serializers.Serializer):
    will_renew = serializers.BooleanField()


def parsed(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def accepted(job) -> Response:
    return Response(status=202, headers={"Location": f"/v2/provisioningjobs/{job.pk}"})


class DomainView(ApiView):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Domain.objects.none()
        return Domain.objects.for_principal(self.principal).order_by("created_at", "id")

    def domain(self) -> Domain:
        name = self.kwargs["domain_name"].strip().lower().rstrip(".")
        found = self.get_queryset().filter(domain_name=name).first()
        if found is None:
            raise NotFound(f"Domain {self.kwargs['domain_name']} not found.")
        return found


class DomainList(DomainView):
    @extend_schema(operation_id="domains_list", summary="Get domains", responses={200: DomainOut(many=True)})
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(DomainOut(page, many=True).data)


class DomainDetail(DomainView):
    etag_on_get = True

    @extend_schema(
        operation_id="domains_retrieve",
        summary="Get a specific domain",
        parameters=[DOMAIN],
        responses={200: DomainDetailOut, 404: NOT_FOUND},
    )
    def get(self, request, domain_name):
        return Response(DomainDetailOut(self.domain()).data)


class Registrations(DomainView):
    @extend_schema(
        operation_id="domains_register",
        summary="Register a domain",
        description="The registrar driver carries it out; with the operator-fulfilled registrar the job waits "
        "until the platform operator has registered (or refused) the domain.",
        request=RegisterIn,
        responses={202: ACCEPTED, 409: CONFLICT},
    )
    def post(self, request):
        data = parsed(RegisterIn, request)
        _, job = services.register_domain(
            principal=self.principal,
            domain_name=data["domain_name"],
            name_servers=data.get("name_servers"),
            registrant=dict(data["registrant"]),
        )
        return accepted(job)


class Transfers(DomainView):
    @extend_schema(
        operation_id="domains_transfer",
        summary="Transfer a domain",
        request=TransferIn,
        responses={202: ACCEPTED, 409: CONFLICT},
    )
    def post(self, request):
        data = parsed(TransferIn, request)
        _, job = services.transfer_domain(
            principal=self.principal,
            domain_name=data["domain_name"],
            auth_code=data["auth_code"],
            name_servers=data.get("name_servers"),
            registrant=dict(data["registrant"]),
        )
        return accepted(job)


class NameServers(DomainView):
    @extend_schema(
        operation_id="domains_nameservers",
        summary="Edit name servers",
        parameters=[DOMAIN],
        request=NameServersIn,
        responses={204: OpenApiResponse(description="No Content"), 404: NOT_FOUND, 409: STATE},
    )
    def put(self, request, domain_name):
        self.check_if_match(DomainDetailOut(self.domain()).data)
        data = parsed(NameServersIn, request)
        services.set_domain_name_servers(
            principal=self.principal, domain_name=domain_name, name_servers=data["name_servers"]
        )
        return Response(status=204)


class Renewal(DomainView):
    @extend_schema(
        operation_id="domains_renew",
        summary="Configure domain renewal",
        parameters=[DOMAIN],
        request=RenewIn,
        responses={204: OpenApiResponse(description="No Content"), 404: NOT_FOUND, 409: STATE},
    )
    def put(self, request, domain_name):
        self.check_if_match(DomainDetailOut(self.domain()).data)
        data = parsed(RenewIn, request)
        services.set_domain_renewal(principal=self.principal, domain_name=domain_name, will_renew=data["will_renew"])
        return Response(status=204)
