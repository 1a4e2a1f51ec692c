"""The reference's Mail zones routes and a mailbox's auto-reply and auto-forward (API v2). Input serializers check
types only; the services check the rest. A zone is found through the principal's accounts, so another
reseller's zone is a 404 on every route."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView
from apps.assets.api.serializers import MailboxDetailOut
from apps.assets.models import Asset
from apps.core.errors import NotFound
from apps.mail import services
from apps.mail.models import ANTI_SPAM_TYPES
from apps.mail.selectors import ZoneView, mail_zone

LOCATION = "Location"


def path_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.PATH, description=description)


DOMAIN_NAME = path_parameter("domain_name", "The mail zone's domain (the account's domain name).")
EMAIL_ADDRESS = path_parameter("email_address", "The e-mail address.")
HOSTNAME = path_parameter("hostname", "The extra SMTP domain.")
MAILBOX_NAME = path_parameter("mailbox_name", "Mailbox name (the e-mail address).")
CREATED = OpenApiResponse(description="Created; `Location` names the new resource.")
NO_CONTENT = OpenApiResponse(description="No Content; the change is applied by a provisioning job.")
ACCEPTED = OpenApiResponse(description="Accepted; poll the provisioning job that `Location` points to.")
CONFLICT = OpenApiResponse(description="`duplicate`: already exists; `invalid_state`: the account is not active.")
STATE = OpenApiResponse(
    description="`invalid_state`: the account is not active or suspended (or, for a mailbox, a job on it is running)."
)


def created_header() -> OpenApiParameter:
    return OpenApiParameter(
        LOCATION,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[201],
        required=True,
        description="The new resource.",
    )


def parsed(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- Serializers


class CreateCatchAllIn(serializers.Serializer):
    email_address = serializers.CharField(help_text="Gets the mail for addresses that are no mailbox or alias.")


class UpdateAntiSpamIn(serializers.Serializer):
    type = serializers.CharField(help_text="none, basic or advanced.")


class CreateAliasIn(serializers.Serializer):
    email_address = serializers.CharField(help_text="An address of the zone's domain.")
    destinations = serializers.ListField(child=serializers.CharField())


class UpdateAliasIn(serializers.Serializer):
    destinations = serializers.ListField(child=serializers.CharField())


class CreateSmtpDomainIn(serializers.Serializer):
    hostname = serializers.CharField()


class UpdateSmtpDomainIn(serializers.Serializer):
    enabled = serializers.BooleanField()


class AutoReplyIn(serializers.Serializer):
    enabled = serializers.BooleanField()
    subject = serializers.CharField(required=False, allow_blank=True, default="")
    message = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    start_date = serializers.DateField(required=False, allow_null=True, help_text="Paneel: first day it answers.")
    end_date = serializers.DateField(required=False, allow_null=True, help_text="Paneel: last day it answers.")


class AutoForwardIn(serializers.Serializer):
    enabled = serializers.BooleanField()
    email_addresses = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    copy_to_myself = serializers.BooleanField(required=False, default=False)


class MailZoneAccountOut(serializers.Serializer):
    account_id = serializers.IntegerField(help_text="The account to create the zone's mailboxes on.")
    size = serializers.IntegerField(help_text="MB a mailbox may have.")


class AliasOut(serializers.Serializer):
    email_address = serializers.CharField()
    destinations = serializers.ListField(child=serializers.CharField())


class AntiSpamOut(serializers.Serializer):
    type = serializers.ChoiceField(choices=ANTI_SPAM_TYPES)
    allowed_types = serializers.ListField(child=serializers.ChoiceField(choices=ANTI_SPAM_TYPES))


class CatchAllOut(serializers.Serializer):
    email_addresses = serializers.ListField(child=serializers.CharField())


class SmtpDomainOut(serializers.Serializer):
    hostname = serializers.CharField()
    enabled = serializers.BooleanField()


class MailZoneOut(serializers.Serializer):
    name = serializers.CharField()
    enabled = serializers.BooleanField(help_text="False while the account is suspended.")
    available_accounts = serializers.SerializerMethodField()
    aliases = AliasOut(many=True)
    anti_spam = serializers.SerializerMethodField()
    catch_all = serializers.SerializerMethodField()
    smtp_domains = SmtpDomainOut(many=True)

    @extend_schema_field(MailZoneAccountOut(many=True))
    def get_available_accounts(self, zone: ZoneView) -> list[dict]:
        return [{"account_id": zone.account.pk, "size": zone.mailbox_size}]

    @extend_schema_field(AntiSpamOut)
    def get_anti_spam(self, zone: ZoneView) -> dict:
        return {"type": zone.anti_spam, "allowed_types": list(ANTI_SPAM_TYPES)}

    @extend_schema_field(CatchAllOut)
    def get_catch_all(self, zone: ZoneView) -> dict:
        return {"email_addresses": list(zone.catch_all)}


# --- Views


class MailZoneView(ApiView):
    """A route on one mail zone; `If-Match` on changes compares with the ETag of `GET /v2/mailzones/{domain}`."""

    def zone(self, *, changing: bool = False) -> ZoneView:
        zone = mail_zone(self.principal, self.kwargs["domain_name"])
        if changing:
            self.check_if_match(MailZoneOut(zone).data)
        return zone

    def created(self, location: str) -> Response:
        return Response(status=201, headers={LOCATION: location})

    def accepted(self, job) -> Response:
        return Response(status=202, headers={LOCATION: f"/v2/provisioningjobs/{job.pk}"})


class MailZoneDetail(MailZoneView):
    etag_on_get = True

    @extend_schema(
        operation_id="mailzones_retrieve",
        summary="Get the mail zone",
        description="What is configured on the zone's mail server: aliases, catch-all, anti-spam, SMTP domains.",
        parameters=[DOMAIN_NAME],
        responses={200: MailZoneOut},
    )
    def get(self, request, domain_name):
        return Response(MailZoneOut(self.zone()).data)


class CatchAllList(MailZoneView):
    @extend_schema(
        operation_id="mailzones_catchall_create",
        summary="Create a catch-all on the mail zone",
        request=CreateCatchAllIn,
        parameters=[DOMAIN_NAME, created_header()],
        responses={201: CREATED, 409: CONFLICT},
    )
    def post(self, request, domain_name):
        zone = self.zone()
        data = parsed(CreateCatchAllIn, request)
        services.create_catch_all(principal=self.principal, domain_name=zone.name, email_address=data["email_address"])
        return self.created(f"/v2/mailzones/{zone.name}")


class CatchAllDetail(MailZoneView):
    @extend_schema(
        operation_id="mailzones_catchall_destroy",
        summary="Delete a catch-all on the mail zone",
        parameters=[DOMAIN_NAME, EMAIL_ADDRESS],
        responses={204: NO_CONTENT, 409: STATE},
    )
    def delete(self, request, domain_name, email_address):
        zone = self.zone(changing=True)
        services.delete_catch_all(principal=self.principal, domain_name=zone.name, email_address=email_address)
        return Response(status=204)


class AntiSpamSetting(MailZoneView):
    @extend_schema(
        operation_id="mailzones_antispam_update",
        summary="Configure anti-spam for mail zone",
        description="`none`: no check; `basic`: SpamAssassin marks spam (X-Spam-Flag); `advanced`: marks and files "
        "it into Junk.",
        request=UpdateAntiSpamIn,
        parameters=[DOMAIN_NAME],
        responses={204: NO_CONTENT, 409: STATE},
    )
    def put(self, request, domain_name):
        zone = self.zone(changing=True)
        data = parsed(UpdateAntiSpamIn, request)
        services.set_anti_spam(principal=self.principal, domain_name=zone.name, anti_spam=data["type"])
        return Response(status=204)


class AliasList(MailZoneView):
    @extend_schema(
        operation_id="mailzones_aliases_create",
        summary="Create a new alias",
        request=CreateAliasIn,
        parameters=[DOMAIN_NAME, created_header()],
        responses={201: CREATED, 409: CONFLICT},
    )
    def post(self, request, domain_name):
        zone = self.zone()
        data = parsed(CreateAliasIn, request)
        alias, _ = services.create_alias(
            principal=self.principal,
            domain_name=zone.name,
            email_address=data["email_address"],
            destinations=data["destinations"],
        )
        return self.created(f"/v2/mailzones/{zone.name}/aliases/{alias.email_address}")


class AliasDetail(MailZoneView):
    @extend_schema(
        operation_id="mailzones_aliases_update",
        summary="Configure a alias",
        request=UpdateAliasIn,
        parameters=[DOMAIN_NAME, EMAIL_ADDRESS],
        responses={202: ACCEPTED, 409: STATE},
    )
    def put(self, request, domain_name, email_address):
        zone = self.zone(changing=True)
        data = parsed(UpdateAliasIn, request)
        _, job = services.update_alias(
            principal=self.principal,
            domain_name=zone.name,
            email_address=email_address,
            destinations=data["destinations"],
        )
        return self.accepted(job)

    @extend_schema(
        operation_id="mailzones_aliases_destroy",
        summary="Delete a alias",
        parameters=[DOMAIN_NAME, EMAIL_ADDRESS],
        responses={204: NO_CONTENT, 409: STATE},
    )
    def delete(self, request, domain_name, email_address):
        zone = self.zone(changing=True)
        services.delete_alias(principal=self.principal, domain_name=zone.name, email_address=email_address)
        return Response(status=204)


class SmtpDomainList(MailZoneView):
    @extend_schema(
        operation_id="mailzones_smtpdomains_create",
        summary="Create an extra smtp domain",
        request=CreateSmtpDomainIn,
        parameters=[DOMAIN_NAME, created_header()],
        responses={201: CREATED, 409: CONFLICT},
    )
    def post(self, request, domain_name):
        zone = self.zone()
        data = parsed(CreateSmtpDomainIn, request)
        smtp_domain, _ = services.create_smtp_domain(
            principal=self.principal, domain_name=zone.name, hostname=data["hostname"]
        )
        return self.created(f"/v2/mailzones/{zone.name}/smtpdomains/{smtp_domain.hostname}")


class SmtpDomainDetail(MailZoneView):
    @extend_schema(
        operation_id="mailzones_smtpdomains_update",
        summary="Configure an extra smtp domain",
        request=UpdateSmtpDomainIn,
        parameters=[DOMAIN_NAME, HOSTNAME],
        responses={202: ACCEPTED, 409: STATE},
    )
    def put(self, request, domain_name, hostname):
        zone = self.zone(changing=True)
        data = parsed(UpdateSmtpDomainIn, request)
        _, job = services.update_smtp_domain(
            principal=self.principal, domain_name=zone.name, hostname=hostname, enabled=data["enabled"]
        )
        return self.accepted(job)

    @extend_schema(
        operation_id="mailzones_smtpdomains_destroy",
        summary="Delete an extra smtp domain",
        parameters=[DOMAIN_NAME, HOSTNAME],
        responses={204: NO_CONTENT, 409: STATE},
    )
    def delete(self, request, domain_name, hostname):
        zone = self.zone(changing=True)
        services.delete_smtp_domain(principal=self.principal, domain_name=zone.name, hostname=hostname)
        return Response(status=204)


class MailboxView(ApiView):
    """A route on one of the principal's mailboxes, named by its address."""

    def get_asset(self) -> Asset:
        name = self.kwargs["mailbox_name"]
        asset = (
            Asset.objects.for_principal(self.principal)
            .filter(asset_type="mailbox", name=name.lower())
            .select_related("account")
            .first()
        )
        if asset is None:
            raise NotFound(f"Mailbox {name} not found.")
        return asset


class MailboxAutoReply(MailboxView):
    @extend_schema(
        operation_id="mailboxes_autoreply_update",
        summary="Configure auto-reply for mailbox",
        description="Sieve vacation: one answer per sender a day (between `start_date` and `end_date`, Paneel's "
        "optional additions). `If-Match` compares with the ETag of `GET /v2/mailboxes/{mailbox_name}`.",
        request=AutoReplyIn,
        parameters=[MAILBOX_NAME],
        responses={204: NO_CONTENT, 409: STATE},
    )
    def put(self, request, mailbox_name):
        asset = self.get_asset()
        self.check_if_match(MailboxDetailOut(asset).data)
        data = parsed(AutoReplyIn, request)
        services.set_auto_reply(principal=self.principal, asset_id=asset.pk, **data)
        return Response(status=204)


class MailboxAutoForward(MailboxView):
    @extend_schema(
        operation_id="mailboxes_autoforward_update",
        summary="Configure auto-forward for mailbox",
        description="`If-Match` compares with the ETag of `GET /v2/mailboxes/{mailbox_name}`.",
        request=AutoForwardIn,
        parameters=[MAILBOX_NAME],
        responses={204: NO_CONTENT, 409: STATE},
    )
    def put(self, request, mailbox_name):
        asset = self.get_asset()
        self.check_if_match(MailboxDetailOut(asset).data)
        data = parsed(AutoForwardIn, request)
        services.set_auto_forward(principal=self.principal, asset_id=asset.pk, **data)
        return Response(status=204)
