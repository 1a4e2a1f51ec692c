"""One view per asset route. Each parses its body with an input serializer, calls the asset service (which checks
level, scope, quotas and rules) and renders with an output serializer. Assets are read through
`Asset.objects.for_principal` and found by their provisioned `name`, so another reseller's asset is a 404.
"""

from __future__ import annotations

from typing import Any, ClassVar

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.bulk import MAX_ITEMS, BulkResultOut, bulk_create
from apps.api.hints import HintedView, with_parameter
from apps.api.paging import COMPILED_PAGES
from apps.api.views import ApiView
from apps.assets import services
from apps.assets.api.rows import ROWS
from apps.assets.api.serializers import (
    CreateMailboxIn,
    CreateMySqlDatabaseIn,
    CreateMySqlUserIn,
    MailboxDetailOut,
    MailboxOut,
    MySqlDatabaseOut,
    MySqlUserOut,
    UpdatePasswordIn,
    UpdateUserStatusIn,
)
from apps.assets.filters import AssetFilterSet
from apps.assets.hints import MAILBOX_HINTS, MYSQL_HINTS
from apps.assets.models import Asset
from apps.core.errors import NotFound
from apps.listcounts import selectors as listcounts
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.models import AssetType

# --- Shared pieces of the views.


def path_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.STR, OpenApiParameter.PATH, description=description)


DATABASE_NAME = path_parameter("database_name", "Name of the database.")
USER_NAME = path_parameter("user_name", "Name of the user.")
MAILBOX_NAME = path_parameter("mailbox_name", "Mailbox name (the e-mail address).")
LOCATION = "Location"
# The schema (apps.api.schema.PaneelAutoSchema) adds `Location` to every 202, `ETag`/`If-None-Match`/304 to the
# GETs that set an ETag, `If-Match` and 412 to every PUT and DELETE, and the errors every route shares; the
# responses below are what is particular to each operation.
ACCEPTED = OpenApiResponse(description="Accepted; poll the provisioning job that `Location` points to.")
NO_CONTENT = OpenApiResponse(description="No Content; the change runs as a provisioning job.")
ACCOUNT_NOT_FOUND = OpenApiResponse(description="`not_found`: no account `account_id` (also another reseller's).")
CREATE_CONFLICT = OpenApiResponse(
    description="`quota_exceeded`: the servicepack allows no more of these; `duplicate`: the name is taken; "
    "`invalid_state`: the account is not active."
)
INVALID_STATE = OpenApiResponse(
    description="`invalid_state`: the asset is not active, suspended or failed, or a job on it is in progress."
)
USERS_IF_MATCH = "`If-Match` compares with the ETag of `GET /v2/mysqldatabases/{database_name}/users`."


def parsed(serializer_class: type[serializers.Serializer], request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def accepted(job: ProvisioningJob) -> Response:
    return Response(status=202, headers={LOCATION: f"/v2/provisioningjobs/{job.pk}"})


def no_content() -> Response:
    return Response(status=204)


class AssetView(HintedView, ApiView):
    """A route on one asset type. `name_kwarg` is the URL keyword that names the asset, if the route has one."""

    asset_type: ClassVar[str]
    name_kwarg: ClassVar[str] = ""
    label: ClassVar[str] = "Asset"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no principal
            return Asset.objects.none()
        return self.hinted(
            Asset.objects.for_principal(self.principal)
            .filter(asset_type=self.asset_type)
            .select_related("account")
            .order_by("created_at", "id")
        )

    def get_asset(self) -> Asset:
        """The principal's asset named in the URL; names are stored lowercased, so the lookup is too."""
        name = self.kwargs[self.name_kwarg]
        asset = self.get_queryset().filter(name=name.lower()).first()
        if asset is None:
            raise NotFound(f"{self.label} {name} not found.")
        return asset


# --- /v2/mysqldatabases


class MySqlView(AssetView):
    asset_type = AssetType.MYSQL
    with_hints, with_resource = MYSQL_HINTS, "mysqldatabase"
    name_kwarg = "database_name"
    label = "MySQL database"


class MySqlDatabaseList(MySqlView):
    filterset_class = AssetFilterSet
    compiled_lists, compiled_filters = True, frozenset(AssetFilterSet.base_filters)

    @extend_schema(
        operation_id="mysqldatabases_list",
        summary="Overview of mysql databases",
        parameters=[with_parameter(MYSQL_HINTS)],
        responses={200: MySqlDatabaseOut(many=True)},
    )
    def get(self, request):
        if self.with_selection():  # expanding needs the objects: the serializer's path
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(self.expanded(MySqlDatabaseOut(page, many=True).data, page))
        return self.list_response(
            self.get_queryset, *ROWS[self.asset_type], count_kind=listcounts.asset_kind(self.asset_type)
        )

    @extend_schema(
        operation_id="mysqldatabases_create",
        summary="Create a new mysql database",
        request=CreateMySqlDatabaseIn,
        responses={202: ACCEPTED, 404: ACCOUNT_NOT_FOUND, 409: CREATE_CONFLICT},
    )
    def post(self, request):
        data = parsed(CreateMySqlDatabaseIn, request)
        _, job = services.create_asset(
            principal=self.principal,
            account_id=data["account_id"],
            asset_type=self.asset_type,
            fields={"database_name": data["database_name"]},
            password=data["password"],
        )
        return accepted(job)


class MySqlDatabaseDetail(MySqlView):
    etag_on_get = True

    @extend_schema(
        operation_id="mysqldatabases_retrieve",
        summary="Get a specific database",
        parameters=[DATABASE_NAME, with_parameter(MYSQL_HINTS)],
        responses={200: MySqlDatabaseOut},
    )
    def get(self, request, database_name):
        asset = self.get_asset()
        return Response(self.expanded(MySqlDatabaseOut(asset).data, asset))

    @extend_schema(
        operation_id="mysqldatabases_destroy",
        summary="Delete a mysql database",
        parameters=[DATABASE_NAME],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def delete(self, request, database_name):
        asset = self.get_asset()
        self.check_if_match(MySqlDatabaseOut(asset).data)
        services.delete_asset(principal=self.principal, asset_id=asset.pk)
        return no_content()


class MySqlUserView(MySqlView):
    """Routes on a database's users. Users have no GET of their own: `If-Match` compares with the ETag of
    `GET /v2/mysqldatabases/{database_name}/users`."""

    pagination_class = None  # the reference does not page users

    def users_representation(self, asset: Asset) -> list[dict]:
        return MySqlUserOut(asset.details.get("users", []), many=True).data

    def changing_user(self) -> Asset:
        """The database, once `If-Match` holds (the services answer 404 for an unknown user)."""
        asset = self.get_asset()
        self.check_if_match(self.users_representation(asset))
        return asset


class MySqlUserList(MySqlUserView):
    etag_on_get = True
    filter_backends = []  # the users are not filtered or ordered

    @extend_schema(
        operation_id="mysqldatabases_users_list",
        summary="Overview of mysql users",
        parameters=[DATABASE_NAME],
        responses={200: MySqlUserOut(many=True)},
    )
    def get(self, request, database_name):
        return Response(self.users_representation(self.get_asset()))

    @extend_schema(
        operation_id="mysqldatabases_users_create",
        summary="Create a new mysql user",
        description="The new user gets read_only rights. Its provisioned name is prefixed (pn<account>_<name>).",
        request=CreateMySqlUserIn,
        parameters=[DATABASE_NAME],
        responses={
            202: ACCEPTED,
            409: OpenApiResponse(
                description="`duplicate`: the account has a user of this name; `invalid_state`: the database is not "
                "active, suspended or failed, or a job on it is in progress."
            ),
        },
    )
    def post(self, request, database_name):
        asset = self.get_asset()
        data = parsed(CreateMySqlUserIn, request)
        _, job = services.add_database_user(
            principal=self.principal,
            asset_id=asset.pk,
            name=data["name"],
            password=data["password"],
            rights="read_only",  # the reference: "will result in a user with read_only rights"
        )
        return accepted(job)


class MySqlUserDetail(MySqlUserView):
    @extend_schema(
        operation_id="mysqldatabases_users_destroy",
        summary="Delete a mysql user",
        description=f"Only users with read_only rights can be deleted. {USERS_IF_MATCH}",
        parameters=[DATABASE_NAME, USER_NAME],
        responses={
            204: NO_CONTENT,
            400: OpenApiResponse(description="the user has read_and_write rights"),
            409: INVALID_STATE,
        },
    )
    def delete(self, request, database_name, user_name):
        asset = self.changing_user()
        services.delete_database_user(principal=self.principal, asset_id=asset.pk, user_name=user_name)
        return no_content()


class MySqlUserStatus(MySqlUserView):
    @extend_schema(
        operation_id="mysqldatabases_users_status_update",
        summary="Enable/disable mysql user",
        description=USERS_IF_MATCH,
        request=UpdateUserStatusIn,
        parameters=[DATABASE_NAME, USER_NAME],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def put(self, request, database_name, user_name):
        asset = self.changing_user()
        data = parsed(UpdateUserStatusIn, request)
        services.set_database_user_status(
            principal=self.principal, asset_id=asset.pk, user_name=user_name, enabled=data["enabled"]
        )
        return no_content()


class MySqlUserPassword(MySqlUserView):
    @extend_schema(
        operation_id="mysqldatabases_users_password_update",
        summary="Change password for mysql user",
        description=USERS_IF_MATCH,
        request=UpdatePasswordIn,
        parameters=[DATABASE_NAME, USER_NAME],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def put(self, request, database_name, user_name):
        asset = self.changing_user()
        data = parsed(UpdatePasswordIn, request)
        services.change_asset_password(
            principal=self.principal, asset_id=asset.pk, password=data["password"], user_name=user_name
        )
        return no_content()


# --- /v2/mailboxes


class MailboxView(AssetView):
    asset_type = AssetType.MAILBOX
    with_hints, with_resource = MAILBOX_HINTS, "mailbox"
    name_kwarg = "mailbox_name"
    label = "Mailbox"


class MailboxList(MailboxView):
    filterset_class = AssetFilterSet
    compiled_lists, compiled_filters = True, frozenset(AssetFilterSet.base_filters)
    pagination_class = None  # the reference does not page this collection: its clients read one answer

    @extend_schema(
        operation_id="mailboxes_list",
        summary="Gets your mailboxes",
        description="Filter by `domain_name`. Not paged, as in the reference: the whole (filtered) list.",
        parameters=[with_parameter(MAILBOX_HINTS)],
        responses={200: MailboxOut(many=True)},
    )
    def get(self, request):
        if self.with_selection():  # expanding needs the objects: the serializer's path
            mailboxes = self.filter_queryset(self.get_queryset())
            return Response(self.expanded(MailboxOut(mailboxes, many=True).data, mailboxes))
        columns, expressions, transform = ROWS[self.asset_type]

        def build():
            return self.filter_queryset(self.get_queryset()).values(*columns, **expressions)

        rows = COMPILED_PAGES.rows(self.compiled_key(), build)
        return Response([transform(row) for row in rows] if transform else rows)

    @extend_schema(
        operation_id="mailboxes_create",
        summary="Create a new mailbox",
        description="Answers 201 at once; the mailbox is provisioned in the background (its `status`).",
        request=CreateMailboxIn,
        parameters=[
            OpenApiParameter(
                LOCATION,
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                response=[201],
                required=True,
                description="The new mailbox.",
            )
        ],
        responses={201: OpenApiResponse(description="Created"), 404: ACCOUNT_NOT_FOUND, 409: CREATE_CONFLICT},
    )
    def post(self, request):
        data = parsed(CreateMailboxIn, request)
        asset, _ = services.create_asset(
            principal=self.principal,
            account_id=data["account_id"],
            asset_type=self.asset_type,
            fields={"email_address": data["email_address"]},
            password=data["password"],
        )
        return Response(status=201, headers={LOCATION: f"/v2/mailboxes/{asset.name}"})


class MailboxBulk(MailboxView):
    pagination_class = None  # the answer is one result per item, never paged
    filter_backends = []

    @extend_schema(
        operation_id="mailboxes_bulk_create",
        summary="Create many mailboxes",
        description=f"An array of at most {MAX_ITEMS} mailbox creations, each validated and created as "
        "`POST /v2/mailboxes` would (quotas included), each in its own transaction. Answers 207 with one result per "
        "item, in order: `status` 201 with `location` (the mailbox), or the item's problem.",
        request=CreateMailboxIn(many=True),
        responses={207: BulkResultOut(many=True)},
    )
    def post(self, request):
        def create_one(data: dict) -> tuple[int, str]:
            asset, _ = services.create_asset(
                principal=self.principal,
                account_id=data["account_id"],
                asset_type=self.asset_type,
                fields={"email_address": data["email_address"]},
                password=data["password"],
            )
            return 201, f"/v2/mailboxes/{asset.name}"

        return bulk_create(request, CreateMailboxIn, create_one)


class MailboxDetail(MailboxView):
    etag_on_get = True

    @extend_schema(
        operation_id="mailboxes_retrieve",
        summary="Get a specific mailbox",
        parameters=[MAILBOX_NAME, with_parameter(MAILBOX_HINTS)],
        responses={200: MailboxDetailOut},
    )
    def get(self, request, mailbox_name):
        asset = self.get_asset()
        return Response(self.expanded(MailboxDetailOut(asset).data, asset))

    @extend_schema(
        operation_id="mailboxes_destroy",
        summary="Delete a mailbox",
        parameters=[MAILBOX_NAME],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def delete(self, request, mailbox_name):
        asset = self.get_asset()
        self.check_if_match(MailboxDetailOut(asset).data)
        services.delete_asset(principal=self.principal, asset_id=asset.pk)
        return no_content()


class MailboxPassword(MailboxView):
    @extend_schema(
        operation_id="mailboxes_password_update",
        summary="Change password for mailbox",
        request=UpdatePasswordIn,
        parameters=[MAILBOX_NAME],
        responses={204: NO_CONTENT, 409: INVALID_STATE},
    )
    def put(self, request, mailbox_name):
        asset = self.get_asset()
        self.check_if_match(MailboxDetailOut(asset).data)
        data = parsed(UpdatePasswordIn, request)
        services.change_asset_password(principal=self.principal, asset_id=asset.pk, password=data["password"])
        return no_content()
