"""The reference's SSL routes: `/v2/sslcertificaterequests` (+ `/{id}`), `/v2/sslcertificates` (+ `/{sha1_fingerprint}`,
`/download`) and `/v2/linuxhostings/{domain_name}/sslsettings/{hostname}/letsencrypt|autoredirect`.

A request answers 200 with its validations while the ACME order is pending, 303 to its certificate once issued
and 410 once its validation failed (the seed's flow); `PUT` tries the validations again (202).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.assets.api.hosting import EnabledIn, LinuxHostingView
from apps.certificates import services
from apps.certificates.models import Certificate, CertificateRequest, RequestStatus
from apps.core.errors import FieldProblem, Gone, NotFound, ValidationFailed

LOCATION = "Location"
SEE_OTHER = OpenApiResponse(description="See Other: issued; `Location` is the certificate.")
GONE = OpenApiResponse(description="`gone`: the validation failed; make a new request.")
NOT_FOUND = OpenApiResponse(description="`not_found`: no such request (also another reseller's).")
ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The id of the certificate request.")
SHA1 = OpenApiParameter("sha1_fingerprint", OpenApiTypes.STR, OpenApiParameter.PATH, description="SHA-1 fingerprint.")
DOMAIN = OpenApiParameter("domain_name", OpenApiTypes.STR, OpenApiParameter.PATH, description="The Linux hosting.")
HOST = OpenApiParameter("hostname", OpenApiTypes.STR, OpenApiParameter.PATH, description="The site's host name.")


def see_other(location: str) -> Response:
    return Response(status=303, headers={LOCATION: location})


class CreateRequestIn(serializers.Serializer):
    csr = serializers.CharField(max_length=20000, help_text="PEM certificate signing request.")
    # Plain strings (as the reference types them); the service checks the values.
    certificate_type = serializers.CharField(default="standard", help_text="standard, multi_domain or wildcard.")
    validation_level = serializers.CharField(
        default="domain_validated", help_text="domain_validated (ACME issues nothing else)."
    )
    additional_validation_attributes = serializers.ListField(child=serializers.DictField(), required=False)
    challenge = serializers.CharField(required=False, help_text="Paneel: http-01 (default) or dns-01.")


class RequestOut(serializers.Serializer):
    id = serializers.IntegerField()
    certificate_type = serializers.CharField()
    validation_level = serializers.CharField()
    vendor = serializers.CharField(
        help_text="The CA: `sectigo` for Sectigo's ACME, `letsencrypt` for Let's Encrypt's, else the host name of "
        "the ACME directory (PANEEL_ACME_DIRECTORY)."
    )
    common_name = serializers.CharField()
    order_code = serializers.CharField()

    def to_representation(self, request: CertificateRequest) -> dict:
        return {
            "id": request.pk,
            "certificate_type": request.certificate_type,
            "validation_level": "domain_validated",
            "vendor": request.vendor,
            "common_name": request.common_name,
            "order_code": f"PN{request.pk}",
        }


class ValidationOut(serializers.Serializer):
    """One name's ACME challenge as the reference's validation. HTTP-01 is `file` (the URL of the challenge file
    and its content, the key authorization), DNS-01 is `dns` (the TXT record's name and value in the `cname_*`
    fields: ACME asks for a TXT record, which Paneel puts in the account's zone itself). Both are placed by Paneel,
    so `auto_validated` is true; ACME has no e-mail validation (`email_addresses` is empty). Until the job has
    asked the CA, the challenge's fields are empty."""

    dns_name = serializers.CharField()
    type = serializers.ChoiceField(choices=["dns", "file", "email"])
    auto_validated = serializers.BooleanField()
    email_addresses = serializers.ListField(child=serializers.CharField())
    cname_validation_name = serializers.CharField(allow_blank=True)
    cname_validation_content = serializers.CharField(allow_blank=True)
    file_validation_url_http = serializers.CharField(allow_blank=True)
    file_validation_url_https = serializers.CharField(allow_blank=True)
    file_validation_content = serializers.ListField(child=serializers.CharField())


def validation_out(item: dict) -> dict:
    """A stored validation (acme_driver.Validation's fields, or only dns_name and challenge before the job ran)."""
    name = item["dns_name"]
    body = {
        "dns_name": name,
        "type": "dns" if item.get("challenge") == "dns-01" else "file",
        "auto_validated": True,
        "email_addresses": [],
        "cname_validation_name": "",
        "cname_validation_content": "",
        "file_validation_url_http": "",
        "file_validation_url_https": "",
        "file_validation_content": [],
    }
    if body["type"] == "dns" and item.get("txt_name"):
        body.update(cname_validation_name=item["txt_name"], cname_validation_content=item.get("txt_value", ""))
    elif body["type"] == "file" and item.get("token"):
        path = f"{name}/.well-known/acme-challenge/{item['token']}"
        body.update(
            file_validation_url_http=f"http://{path}",
            file_validation_url_https=f"https://{path}",
            file_validation_content=[item.get("key_authorization", "")],
        )
    return body


class AltNameOut(serializers.Serializer):
    type = serializers.CharField()
    value = serializers.CharField()


class RequestDetailOut(RequestOut):
    subject_alt_names = AltNameOut(many=True)
    validations = ValidationOut(many=True)
    provider_portal_url = serializers.CharField(
        allow_blank=True, help_text="Empty: an ACME CA has no portal; Paneel places and answers the challenges."
    )

    def to_representation(self, request: CertificateRequest) -> dict:
        stored = request.validations or [
            {"dns_name": name, "challenge": request.challenge} for name in request.subject_alt_names
        ]
        return {
            **super().to_representation(request),
            "subject_alt_names": [{"type": "dns", "value": name} for name in request.subject_alt_names],
            "validations": [validation_out(item) for item in stored],
            "provider_portal_url": "",
        }


class CertificateOut(serializers.Serializer):
    sha1_fingerprint = serializers.CharField()
    common_name = serializers.CharField()
    expires_after = serializers.DateTimeField()
    validation_level = serializers.CharField()
    type = serializers.CharField()

    def to_representation(self, certificate: Certificate) -> dict:
        return {
            "sha1_fingerprint": certificate.sha1_fingerprint,
            "common_name": certificate.common_name,
            "expires_after": certificate.expires_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "validation_level": "domain_validated",
            "type": certificate.certificate_type,
        }


class CertificateDetailOut(CertificateOut):
    subject_alt_names = AltNameOut(many=True)

    def to_representation(self, certificate: Certificate) -> dict:
        return {
            **super().to_representation(certificate),
            "subject_alt_names": [{"type": "dns", "value": name} for name in certificate.subject_alt_names],
        }


class RequestView(ApiView):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CertificateRequest.objects.none()
        return CertificateRequest.objects.for_principal(self.principal).order_by("created_at", "id")


class RequestList(RequestView):
    @extend_schema(
        operation_id="sslcertificaterequests_list",
        summary="Get SSL certificate requests",
        responses={200: RequestOut(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RequestOut(page, many=True).data)

    @extend_schema(
        operation_id="sslcertificaterequests_create",
        summary="Add an SSL certificate request",
        description="Orders a domain-validated certificate over ACME for the CSR's names; poll the request.",
        request=CreateRequestIn,
        parameters=[
            OpenApiParameter(LOCATION, OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201], required=True)
        ],
        responses={201: OpenApiResponse(description="Created")},
    )
    def post(self, request):
        serializer = CreateRequestIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        created = services.create_certificate_request(
            principal=self.principal,
            csr=data["csr"],
            certificate_type=data["certificate_type"],
            validation_level=data["validation_level"],
            challenge=data.get("challenge"),
        )
        return Response(status=201, headers={LOCATION: f"/v2/sslcertificaterequests/{created.pk}"})


def request_id(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound("No such certificate request.") from None
    if not 0 < number < 2**31:
        raise NotFound("No such certificate request.")
    return number


class RequestDetail(RequestView):
    @extend_schema(
        operation_id="sslcertificaterequests_retrieve",
        summary="Get an SSL certificate request",
        parameters=[ID],
        responses={200: RequestDetailOut, 303: SEE_OTHER, 404: NOT_FOUND, 410: GONE},
    )
    def get(self, request, id):
        found = self.get_queryset().select_related("certificate").filter(pk=request_id(id)).first()
        if found is None:
            raise NotFound(f"No certificate request {id}.")
        return self.answer(found) or Response(RequestDetailOut(found).data)

    def answer(self, found: CertificateRequest) -> Response | None:
        if found.status == RequestStatus.ISSUED and found.certificate_id:
            return see_other(f"/v2/sslcertificates/{found.certificate.sha1_fingerprint}")
        if found.status != RequestStatus.PENDING:
            raise Gone(f"Certificate request {found.pk} failed: {found.error or 'validation failed'}.")
        return None

    @extend_schema(
        operation_id="sslcertificaterequests_verify",
        summary="Verify the domain validations of an SSL certificate request",
        parameters=[ID],
        request=None,
        responses={202: OpenApiResponse(description="Accepted"), 303: SEE_OTHER, 404: NOT_FOUND, 410: GONE},
    )
    def put(self, request, id):
        current = self.get_queryset().filter(pk=request_id(id)).first()
        if current is not None:
            self.check_if_match(RequestDetailOut(current).data)
        found, job = services.verify_certificate_request(principal=self.principal, request_id=request_id(id))
        found = CertificateRequest.objects.select_related("certificate").get(pk=found.pk)
        answered = self.answer(found)
        if answered is not None:
            return answered
        return Response(status=202, headers={LOCATION: f"/v2/provisioningjobs/{job.pk}"})


class CertificateView(ApiView):
    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return Certificate.objects.for_principal(self.principal).order_by("created_at", "id")

    def certificate(self) -> Certificate:
        found = self.get_queryset().filter(sha1_fingerprint=str(self.kwargs["sha1_fingerprint"]).lower()).first()
        if found is None:
            raise NotFound(f"No certificate {self.kwargs['sha1_fingerprint']}.")
        return found


class CertificateList(CertificateView):
    @extend_schema(
        operation_id="sslcertificates_list", summary="Get SSL certificates", responses={200: CertificateOut(many=True)}
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(CertificateOut(page, many=True).data)


class CertificateDetail(CertificateView):
    etag_on_get = True

    @extend_schema(
        operation_id="sslcertificates_retrieve",
        summary="Get an SSL certificate",
        parameters=[SHA1],
        responses={200: CertificateDetailOut, 404: NOT_FOUND},
    )
    def get(self, request, sha1_fingerprint):
        return Response(CertificateDetailOut(self.certificate()).data)


class CertificateDownload(CertificateView):
    @extend_schema(
        operation_id="sslcertificates_download",
        summary="Download an SSL certificate",
        description="The certificate and its chain as PEM: a JSON string by default, the `.pem` file itself with "
        "`file_format=pem`. `pfx` (PKCS #12 with the private key) is refused: Paneel never hands out keys.",
        parameters=[
            SHA1,
            OpenApiParameter("file_format", OpenApiTypes.STR, enum=["pfx", "pem"], required=False),
            OpenApiParameter("password", OpenApiTypes.STR, required=False),
        ],
        responses={
            (200, "application/json"): OpenApiTypes.STR,
            (200, "application/x-pem-file"): OpenApiTypes.STR,
            400: OpenApiResponse(description="`validation_failed`: file_format."),
            404: NOT_FOUND,
        },
    )
    def get(self, request, sha1_fingerprint):
        certificate = self.certificate()
        file_format = request.query_params.get("file_format", "")
        if file_format == "pem":
            response = HttpResponse(certificate.fullchain_pem, content_type="application/x-pem-file")
            response["Content-Disposition"] = f'attachment; filename="{certificate.common_name}.pem"'
            return response
        if file_format:
            raise ValidationFailed.from_problems(
                [
                    FieldProblem(
                        "validation_failed", "Only pem: Paneel never hands out private keys (pfx).", "file_format"
                    )
                ]
            )
        return Response(certificate.fullchain_pem)


class SslSetting(LinuxHostingView):
    """`If-Match` compares with the ETag of `GET /v2/linuxhostings/{domain_name}`."""

    service = None

    def put(self, request, domain_name, hostname):
        self.check_if_match(self.detail_representation(self.get_asset()))
        serializer = EnabledIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        type(self).service(
            principal=self.principal,
            domain_name=domain_name,
            hostname=hostname,
            enabled=serializer.validated_data["enabled"],
        )
        return Response(status=204)


class LetsEncryptSetting(SslSetting):
    service = services.set_letsencrypt

    @extend_schema(
        operation_id="linuxhostings_letsencrypt",
        summary="Configure Let's Encrypt for a host name",
        description="Enabled: a certificate is ordered over ACME (HTTP-01), installed on the site and renewed before "
        "it expires; follow it in `GET /v2/sslcertificaterequests`. Disabled: the site stops serving https.",
        parameters=[DOMAIN, HOST],
        request=EnabledIn,
        responses={204: OpenApiResponse(description="No Content"), 404: NOT_FOUND},
    )
    def put(self, request, domain_name, hostname):
        return super().put(request, domain_name, hostname)


class AutoRedirectSetting(SslSetting):
    service = services.set_https_redirect

    @extend_schema(
        operation_id="linuxhostings_autoredirect",
        summary="Configure the automatic redirect to https for a host name",
        parameters=[DOMAIN, HOST],
        request=EnabledIn,
        responses={204: OpenApiResponse(description="No Content"), 404: NOT_FOUND},
    )
    def put(self, request, domain_name, hostname):
        return super().put(request, domain_name, hostname)
