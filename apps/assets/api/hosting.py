"""`/v2/linuxhostings/...` and `/v2/ssh`: every Linux hosting operation of the reference but the two sslsettings
routes. Each view parses its body with an input serializer (types only), calls one service of
`apps.assets.hosting_services` (the rules) and answers the reference's status: 204 for a change, 201 with
`Location` for an addition, while the work itself runs as the hosting's `linux_hosting.update` job.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.domains import normalize_domain
from apps.api.hints import with_parameter
from apps.assets import hosting_services as services
from apps.assets.api.rows import ROWS
from apps.assets.api.serializers import DeprecatedIntegerField
from apps.assets.api.views import INVALID_STATE, LOCATION, NO_CONTENT, AssetView, no_content, parsed, path_parameter
from apps.assets.filters import AssetFilterSet
from apps.assets.hints import LINUX_HOSTING_HINTS
from apps.assets.hosting import connection_host
from apps.assets.kinds import KINDS
from apps.assets.models import Asset
from apps.core.errors import NotFound
from apps.listcounts import selectors as listcounts
from apps.servicepacks.models import AssetType

DOMAIN_NAME = path_parameter("domain_name", "The Linux hosting domain name.")
SITE_NAME = path_parameter("site_name", "The site's name (the main site's is the hosting's domain name).")
FINGERPRINT = path_parameter("fingerprint", "The key's SHA256 fingerprint, as listed (the SHA256: prefix optional).")
TASK_ID = path_parameter("scheduled_task_id", "The scheduled task's id.")
BAD_REQUEST = OpenApiResponse(description="`validation_failed`: what is wrong, per field.")
CONFLICT = OpenApiResponse(
    description="`duplicate`: the name or key is already there; `quota_exceeded`: the hosting holds the most it "
    "may; `invalid_state`: the hosting is being created or deleted."
)


def location_header(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        LOCATION, OpenApiTypes.STR, OpenApiParameter.HEADER, response=[201], required=True, description=description
    )


def created(location: str) -> Response:
    return Response(status=201, headers={LOCATION: location})


# --- Serializers: inputs are types only (every rule is the service's); outputs are the reference's shapes.


class EnabledIn(serializers.Serializer):
    enabled = serializers.BooleanField()


class PhpVersionIn(serializers.Serializer):
    version = serializers.CharField()


class PhpMemoryLimitIn(serializers.Serializer):
    memory_limit = serializers.IntegerField(help_text="MB: 64, 128, 256, 512 or 1024.")


class ApcuIn(serializers.Serializer):
    apcu_size = serializers.IntegerField(required=False, help_text="MB, 8 to 512; kept when not given.")
    enabled = serializers.BooleanField()


class SubsiteIn(serializers.Serializer):
    domain_name = serializers.CharField()
    path = serializers.CharField(
        required=False, allow_blank=True, help_text="In the hosting's home; default /subsites/<domain_name>."
    )


class HostHeaderIn(serializers.Serializer):
    domain_name = serializers.CharField()


class SshKeyIn(serializers.Serializer):
    public_key = serializers.CharField(help_text="One OpenSSH public key: ed25519, ECDSA or RSA of 2048 bits or more.")


class ScheduledTaskIn(serializers.Serializer):
    id = serializers.CharField(required=False, allow_blank=True, help_text="Ignored: the URL names the task.")
    enabled = serializers.BooleanField()
    cron_expression = serializers.CharField(trim_whitespace=False)
    script_location = serializers.CharField(trim_whitespace=False, help_text="A file in the hosting's home, /...")


class PhpVersionOut(serializers.Serializer):
    version = serializers.CharField()


class HostHeaderOut(serializers.Serializer):
    name = serializers.CharField()
    enabled = serializers.BooleanField()


class LinuxSiteOut(serializers.Serializer):
    name = serializers.CharField()
    path = serializers.CharField()
    host_headers = HostHeaderOut(many=True)
    ssl_enabled = serializers.BooleanField()
    https_redirect_enabled = serializers.BooleanField()
    http2_enabled = serializers.BooleanField()


class SshKeyOut(serializers.Serializer):
    fingerprint = serializers.CharField()
    public_key = serializers.CharField()


class SshKeyDetailOut(SshKeyOut):
    linux_hostings = serializers.ListField(child=serializers.CharField())


class ScheduledTaskOut(serializers.Serializer):
    id = serializers.CharField()
    enabled = serializers.BooleanField()
    cron_expression = serializers.CharField()
    script_location = serializers.CharField()


class LinuxHostingOut(serializers.Serializer):
    domain_name = serializers.CharField(source="name")
    servicepack_id = serializers.IntegerField(source="account.servicepack_id")
    account_id = serializers.IntegerField(help_text="Paneel addition.")
    status = serializers.CharField(help_text="Paneel: provisioning, active, suspended, deleting or failed.")


class LinuxHostingDetailOut(LinuxHostingOut):
    max_webspace_size = DeprecatedIntegerField(source="max_size", help_text="MB. Use max_size instead.")
    max_size = serializers.IntegerField(help_text="MB")
    webspace_usage = DeprecatedIntegerField(source="actual_size", help_text="MB. Use actual_size instead.")
    actual_size = serializers.IntegerField(help_text="MB")
    ip = serializers.SerializerMethodField(help_text="The web server's address (IPv4, else IPv6).")
    ip_type = serializers.SerializerMethodField()
    ftp_enabled = serializers.SerializerMethodField(help_text="FTP logins allowed (and an FTP password set).")
    ftp_username = serializers.CharField(source="name", help_text="The FTP login: the domain name.")
    ssh_host = serializers.SerializerMethodField(help_text="The web server's host name (SSH, SFTP and FTP).")
    ssh_username = serializers.SerializerMethodField(help_text="The hosting's system user.")
    php_version = serializers.SerializerMethodField()
    sites = serializers.SerializerMethodField(help_text="The main site first, then the subsites.")
    mysql_database_names = serializers.SerializerMethodField(help_text="The MySQL databases of the same account.")
    # Paneel additions: the state the reference's PUT routes set and no GET of its shows.
    php_memory_limit = serializers.SerializerMethodField(help_text="Paneel addition: MB.")
    apcu_enabled = serializers.SerializerMethodField(help_text="Paneel addition.")
    apcu_size = serializers.SerializerMethodField(help_text="Paneel addition: MB.")
    gzip_enabled = serializers.SerializerMethodField(help_text="Paneel addition.")
    ssh_enabled = serializers.SerializerMethodField(help_text="Paneel addition.")

    def details(self, asset: Asset) -> dict[str, Any]:
        cache = self.context.setdefault("details", {})
        if asset.pk not in cache:
            cache[asset.pk] = KINDS[AssetType.LINUX_HOSTING].with_defaults(asset)
        return cache[asset.pk]

    def get_ip(self, asset: Asset) -> str:
        server = asset.provisioning_server
        return (server.ipv4_address or server.ipv6_address or "") if server is not None else ""

    @extend_schema_field({"type": "string", "enum": ["dedicated", "shared"]})
    def get_ip_type(self, asset: Asset) -> str:
        return "shared"  # every hosting on a web server shares its address

    def get_ftp_enabled(self, asset: Asset) -> bool:
        details = self.details(asset)
        return bool(details["ftp_enabled"] and details["ftp_password_hash"])

    def get_ssh_host(self, asset: Asset) -> str:
        return connection_host(asset)

    def get_ssh_username(self, asset: Asset) -> str:
        return self.details(asset).get("system_user", "")

    def get_php_version(self, asset: Asset) -> str:
        return self.details(asset)["php_version"]

    @extend_schema_field(LinuxSiteOut(many=True))
    def get_sites(self, asset: Asset) -> list[dict]:
        return LinuxSiteOut(self.details(asset)["sites"], many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_mysql_database_names(self, asset: Asset) -> list[str]:
        return self.context["mysql_database_names"]

    def get_php_memory_limit(self, asset: Asset) -> int:
        return self.details(asset)["php_memory_limit"]

    def get_apcu_enabled(self, asset: Asset) -> bool:
        return self.details(asset)["apcu_enabled"]

    def get_apcu_size(self, asset: Asset) -> int:
        return self.details(asset)["apcu_size"]

    def get_gzip_enabled(self, asset: Asset) -> bool:
        return self.details(asset)["gzip_enabled"]

    def get_ssh_enabled(self, asset: Asset) -> bool:
        return self.details(asset)["ssh_enabled"]


# --- Views


class LinuxHostingView(AssetView):
    asset_type = AssetType.LINUX_HOSTING
    with_hints, with_resource = LINUX_HOSTING_HINTS, "linuxhosting"
    name_kwarg = "domain_name"
    label = "Linux hosting"

    def get_queryset(self):
        return super().get_queryset().select_related("account__web_server")

    def detail_representation(self, asset: Asset) -> dict:
        names = (
            Asset.objects.for_principal(self.principal)
            .filter(account_id=asset.account_id, asset_type=AssetType.MYSQL)
            .order_by("created_at", "id")
            .values_list("name", flat=True)
        )
        return LinuxHostingDetailOut(asset, context={"mysql_database_names": list(names)}).data


class HostingPart(LinuxHostingView):
    """A route below one hosting that lists nothing pageable."""

    pagination_class = None
    filter_backends = []

    def hosting_details(self, asset: Asset) -> dict[str, Any]:
        return KINDS[AssetType.LINUX_HOSTING].with_defaults(asset)


class LinuxHostingList(LinuxHostingView):
    filterset_class = AssetFilterSet
    compiled_lists, compiled_filters = True, frozenset(AssetFilterSet.base_filters)

    @extend_schema(
        operation_id="linuxhostings_list",
        summary="Overview of linux hostings",
        parameters=[with_parameter(LINUX_HOSTING_HINTS)],
        responses={200: LinuxHostingOut(many=True)},
    )
    def get(self, request):
        if self.with_selection():  # expanding needs the objects: the serializer's path
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(self.expanded(LinuxHostingOut(page, many=True).data, page))
        return self.list_response(
            self.get_queryset, *ROWS[self.asset_type], count_kind=listcounts.asset_kind(self.asset_type)
        )


class LinuxHostingDetail(LinuxHostingView):
    etag_on_get = True

    @extend_schema(
        operation_id="linuxhostings_retrieve",
        summary="Linux hosting detail",
        parameters=[DOMAIN_NAME, with_parameter(LINUX_HOSTING_HINTS)],
        responses={200: LinuxHostingDetailOut},
    )
    def get(self, request, domain_name):
        asset = self.get_asset()
        return Response(self.expanded(self.detail_representation(asset), asset))


class HostingSetting(HostingPart):
    """A PUT that changes one setting of the hosting and answers 204; `If-Match` compares with the detail's ETag."""

    def changing(self) -> Asset:
        asset = self.get_asset()
        self.check_if_match(self.detail_representation(asset))
        return asset


SETTING_RESPONSES = {204: NO_CONTENT, 400: BAD_REQUEST, 409: INVALID_STATE}


class PhpVersionSetting(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_phpsettings_version_update",
        summary="Change the Linux hosting PHP version",
        request=PhpVersionIn,
        parameters=[DOMAIN_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name):
        asset = self.changing()
        data = parsed(PhpVersionIn, request)
        services.set_php_version(principal=self.principal, asset_id=asset.pk, version=data["version"])
        return no_content()


class PhpAvailableVersions(HostingPart):
    @extend_schema(
        operation_id="linuxhostings_phpsettings_availableversions_list",
        summary="Get the available PHP versions",
        description="The versions the hosting's web server offers.",
        parameters=[DOMAIN_NAME],
        responses={200: PhpVersionOut(many=True)},
    )
    def get(self, request, domain_name):
        versions = services.available_php_versions(self.get_asset())
        return Response(PhpVersionOut([{"version": version} for version in versions], many=True).data)


class PhpMemoryLimitSetting(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_phpsettings_memorylimit_update",
        summary="Change the Linux hosting PHP memory limit",
        request=PhpMemoryLimitIn,
        parameters=[DOMAIN_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name):
        asset = self.changing()
        data = parsed(PhpMemoryLimitIn, request)
        services.set_php_memory_limit(principal=self.principal, asset_id=asset.pk, memory_limit=data["memory_limit"])
        return no_content()


class ApcuSetting(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_phpsettings_apcu_update",
        summary="Change the Linux hosting PHP APCu setting",
        request=ApcuIn,
        parameters=[DOMAIN_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name):
        asset = self.changing()
        data = parsed(ApcuIn, request)
        services.set_apcu(
            principal=self.principal, asset_id=asset.pk, enabled=data["enabled"], apcu_size=data.get("apcu_size")
        )
        return no_content()


class GzipSetting(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_settings_gzipcompression_update",
        summary="Enable or disable gzip compression",
        request=EnabledIn,
        parameters=[DOMAIN_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name):
        asset = self.changing()
        data = parsed(EnabledIn, request)
        services.set_gzip_compression(principal=self.principal, asset_id=asset.pk, enabled=data["enabled"])
        return no_content()


class FtpConfiguration(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_ftp_configuration_update",
        summary="Enable or disable FTP",
        request=EnabledIn,
        parameters=[DOMAIN_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name):
        asset = self.changing()
        data = parsed(EnabledIn, request)
        services.set_ftp_enabled(principal=self.principal, asset_id=asset.pk, enabled=data["enabled"])
        return no_content()


class SshConfiguration(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_ssh_configuration_update",
        summary="Enable or disable SSH",
        request=EnabledIn,
        parameters=[DOMAIN_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name):
        asset = self.changing()
        data = parsed(EnabledIn, request)
        services.set_ssh_enabled(principal=self.principal, asset_id=asset.pk, enabled=data["enabled"])
        return no_content()


class Subsites(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_subsites_create",
        summary="Create a subsite",
        request=SubsiteIn,
        parameters=[DOMAIN_NAME, location_header("The new subsite.")],
        responses={201: OpenApiResponse(description="Created"), 400: BAD_REQUEST, 409: CONFLICT},
    )
    def post(self, request, domain_name):
        asset = self.changing()
        data = parsed(SubsiteIn, request)
        services.add_subsite(
            principal=self.principal, asset_id=asset.pk, domain_name=data["domain_name"], path=data.get("path")
        )
        site = normalize_domain(data["domain_name"], field="domain_name")
        return created(f"/v2/linuxhostings/{asset.name}/subsites/{site}")


class Subsite(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_subsites_destroy",
        summary="Delete a subsite",
        description="The main site cannot be deleted (400). The subsite's files stay in the home.",
        parameters=[DOMAIN_NAME, SITE_NAME],
        responses={204: NO_CONTENT, 400: BAD_REQUEST, 409: INVALID_STATE},
    )
    def delete(self, request, domain_name, site_name):
        asset = self.changing()
        services.delete_subsite(principal=self.principal, asset_id=asset.pk, site_name=site_name)
        return no_content()


class HostHeaders(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_sites_hostheaders_create",
        summary="Add a host header to a site",
        request=HostHeaderIn,
        parameters=[DOMAIN_NAME, SITE_NAME, location_header("The hosting, whose detail lists the site's headers.")],
        responses={201: OpenApiResponse(description="Created"), 400: BAD_REQUEST, 409: CONFLICT},
    )
    def post(self, request, domain_name, site_name):
        asset = self.changing()
        data = parsed(HostHeaderIn, request)
        services.add_host_header(
            principal=self.principal, asset_id=asset.pk, site_name=site_name, domain_name=data["domain_name"]
        )
        return created(f"/v2/linuxhostings/{asset.name}")


class Http2Configuration(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_sites_http2_configuration_update",
        summary="Enable or disable HTTP/2 for a site",
        request=EnabledIn,
        parameters=[DOMAIN_NAME, SITE_NAME],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name, site_name):
        asset = self.changing()
        data = parsed(EnabledIn, request)
        services.set_http2(principal=self.principal, asset_id=asset.pk, site_name=site_name, enabled=data["enabled"])
        return no_content()


class SshKeys(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_ssh_keys_list",
        summary="Overview of SSH keys",
        parameters=[DOMAIN_NAME],
        responses={200: SshKeyOut(many=True)},
    )
    def get(self, request, domain_name):
        return Response(SshKeyOut(self.hosting_details(self.get_asset())["ssh_keys"], many=True).data)

    @extend_schema(
        operation_id="linuxhostings_ssh_keys_create",
        summary="Add a SSH key",
        request=SshKeyIn,
        parameters=[DOMAIN_NAME, location_header("The new key (its fingerprint).")],
        responses={201: OpenApiResponse(description="Created"), 400: BAD_REQUEST, 409: CONFLICT},
    )
    def post(self, request, domain_name):
        asset = self.changing()
        data = parsed(SshKeyIn, request)
        _, _, fingerprint = services.add_ssh_key(
            principal=self.principal, asset_id=asset.pk, public_key=data["public_key"]
        )
        return created(f"/v2/linuxhostings/{asset.name}/ssh/keys/{fingerprint}")


class SshKey(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_ssh_keys_destroy",
        summary="Delete a SSH key",
        parameters=[DOMAIN_NAME, FINGERPRINT],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def delete(self, request, domain_name, fingerprint):
        asset = self.changing()
        services.delete_ssh_key(principal=self.principal, asset_id=asset.pk, fingerprint=fingerprint)
        return no_content()


class ScheduledTasks(HostingSetting):
    @extend_schema(
        operation_id="linuxhostings_scheduledtasks_list",
        summary="Overview of scheduled tasks",
        parameters=[DOMAIN_NAME],
        responses={200: ScheduledTaskOut(many=True)},
    )
    def get(self, request, domain_name):
        return Response(ScheduledTaskOut(self.hosting_details(self.get_asset())["scheduled_tasks"], many=True).data)

    @extend_schema(
        operation_id="linuxhostings_scheduledtasks_create",
        summary="Add a scheduled task",
        request=ScheduledTaskIn,
        parameters=[DOMAIN_NAME, location_header("The new task.")],
        responses={201: OpenApiResponse(description="Created"), 400: BAD_REQUEST, 409: CONFLICT},
    )
    def post(self, request, domain_name):
        asset = self.changing()
        data = parsed(ScheduledTaskIn, request)
        _, _, task_id = services.add_scheduled_task(
            principal=self.principal,
            asset_id=asset.pk,
            enabled=data["enabled"],
            cron_expression=data["cron_expression"],
            script_location=data["script_location"],
        )
        return created(f"/v2/linuxhostings/{asset.name}/scheduledtasks/{task_id}")


class ScheduledTask(HostingSetting):
    etag_on_get = True

    def task(self, asset: Asset, task_id: str) -> dict[str, Any]:
        for task in self.hosting_details(asset)["scheduled_tasks"]:
            if task["id"] == task_id:
                return task
        raise NotFound(f"Scheduled task {task_id} not found.")

    @extend_schema(
        operation_id="linuxhostings_scheduledtasks_retrieve",
        summary="Get a scheduled task",
        parameters=[DOMAIN_NAME, TASK_ID],
        responses={200: ScheduledTaskOut},
    )
    def get(self, request, domain_name, scheduled_task_id):
        return Response(ScheduledTaskOut(self.task(self.get_asset(), scheduled_task_id)).data)

    @extend_schema(
        operation_id="linuxhostings_scheduledtasks_update",
        summary="Change a scheduled task",
        description="`If-Match` compares with the task's ETag.",
        request=ScheduledTaskIn,
        parameters=[DOMAIN_NAME, TASK_ID],
        responses=SETTING_RESPONSES,
    )
    def put(self, request, domain_name, scheduled_task_id):
        asset = self.get_asset()
        self.check_if_match(ScheduledTaskOut(self.task(asset, scheduled_task_id)).data)
        data = parsed(ScheduledTaskIn, request)
        services.update_scheduled_task(
            principal=self.principal,
            asset_id=asset.pk,
            task_id=scheduled_task_id,
            enabled=data["enabled"],
            cron_expression=data["cron_expression"],
            script_location=data["script_location"],
        )
        return no_content()

    @extend_schema(
        operation_id="linuxhostings_scheduledtasks_destroy",
        summary="Delete a scheduled task",
        description="`If-Match` compares with the task's ETag.",
        parameters=[DOMAIN_NAME, TASK_ID],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def delete(self, request, domain_name, scheduled_task_id):
        asset = self.get_asset()
        self.check_if_match(ScheduledTaskOut(self.task(asset, scheduled_task_id)).data)
        services.delete_scheduled_task(principal=self.principal, asset_id=asset.pk, task_id=scheduled_task_id)
        return no_content()


# --- /v2/ssh


class KeyList:
    """The reseller's SSH keys, one entry per fingerprint with the hostings that carry it, as the pager takes
    a queryset (`count()` and slices)."""

    def __init__(self, keys: list[dict[str, Any]]):
        self.keys = keys

    def count(self) -> int:
        return len(self.keys)

    def __getitem__(self, index):
        return self.keys[index]


class AllSshKeys(LinuxHostingView):
    filter_backends = []

    @extend_schema(
        operation_id="ssh_list",
        summary="Overview of all SSH keys",
        description="Every SSH key on the reseller's Linux hostings, once per fingerprint, ordered by it.",
        responses={200: SshKeyDetailOut(many=True)},
    )
    def get(self, request):
        by_fingerprint: dict[str, dict[str, Any]] = {}
        for name, details in self.get_queryset().values_list("name", "details"):
            for key in (details or {}).get("ssh_keys") or []:
                entry = by_fingerprint.setdefault(
                    key["fingerprint"],
                    {"fingerprint": key["fingerprint"], "public_key": key["public_key"], "linux_hostings": []},
                )
                entry["linux_hostings"].append(name)
        keys = KeyList([by_fingerprint[fingerprint] for fingerprint in sorted(by_fingerprint)])
        page = self.paginate_queryset(keys)
        return self.get_paginated_response(SshKeyDetailOut(page, many=True).data)
