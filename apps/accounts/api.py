"""Accounts in API v2: the reference's `/v2/accounts` and `/v2/accounts/{account_id}`, and Paneel's change of plan
and suspension. Every write is background work: 202 with `Location` pointing to the provisioning job."""

from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.filters import AccountFilterSet
from apps.accounts.hints import ACCOUNT_HINTS
from apps.accounts.models import Account, Status
from apps.accounts.services import (
    change_servicepack,
    create_account,
    delete_account,
    suspend_account,
    unsuspend_account,
)
from apps.api.bulk import MAX_ITEMS, BulkResultOut, bulk_create
from apps.api.hints import HintedView, with_parameter
from apps.api.views import ApiView
from apps.assets.models import Asset
from apps.core.principal import Principal
from apps.listcounts import selectors as listcounts
from apps.provisioning.models import ProvisioningJob
from apps.servicepacks.models import AssetType

# --- Input: types only; the services validate and decide.


class AccountCreateIn(serializers.Serializer):
    identifier = serializers.CharField(help_text="The account's domain name.")
    servicepack_id = serializers.IntegerField(help_text="The servicepack id that defines the account.")
    ftp_password = serializers.CharField(
        required=False,
        trim_whitespace=False,
        write_only=True,
        help_text="FTP password of the account's Linux hosting (when the servicepack has one).",
    )


class ServicepackChangeIn(serializers.Serializer):
    servicepack_id = serializers.IntegerField(help_text="The servicepack to move the account to.")
    asset_sizes = serializers.ChoiceField(
        choices=["keep", "follow"],
        default="keep",
        help_text="What happens to the assets' maximum sizes. `keep` (default): each keeps its size (409 "
        "`size_exceeds_servicepack` when one is bigger than the new servicepack allows). `follow`: each gets the new "
        "servicepack's maximum size for its type, growing on an upgrade and shrinking on a downgrade (409 "
        "`size_exceeds_servicepack` when an asset already uses more).",
    )


# --- Output.


class AccountOut(serializers.Serializer):
    """The reference's `Account`, plus `status` and `created_at`."""

    id = serializers.IntegerField()
    identifier = serializers.CharField()
    servicepack_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    created_at = serializers.DateTimeField()


class ServicepackRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AddonOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AssetUsageOut(serializers.Serializer):
    asset_type = serializers.ChoiceField(choices=AssetType.choices)
    name = serializers.CharField()
    max_size = serializers.IntegerField(help_text="MB")
    actual_size = serializers.IntegerField(help_text="MB, as last measured")
    status = serializers.ChoiceField(choices=Status.choices)


class AccountDetailOut(serializers.Serializer):
    """The reference's `AccountDetail`, plus `status`, `created_at` and the assets with their usage."""

    id = serializers.IntegerField()
    identifier = serializers.CharField()
    servicepack = ServicepackRefOut()
    addons = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=Status.choices)
    created_at = serializers.DateTimeField()
    assets = AssetUsageOut(many=True)

    @extend_schema_field(AddonOut(many=True))
    def get_addons(self, account: Account) -> list:
        return []  # Paneel sells no addons; the reference's clients expect the list.


# --- Helpers beside their only user.


def account_detail_queryset():
    return Account.objects.select_related("servicepack").prefetch_related(
        Prefetch("assets", queryset=Asset.objects.order_by("created_at", "id"))
    )


ACCOUNT_COLUMNS = tuple(AccountOut().fields)  # the list reads these as `.values()` rows


def account_representation(principal: Principal, account_id: int) -> dict:
    """The account as `GET /v2/accounts/{account_id}` shows it (and as `If-Match` is compared against)."""
    return AccountDetailOut(account_detail_queryset().get_for_principal(principal, pk=account_id)).data


def accepted(job: ProvisioningJob) -> Response:
    """202 with `Location` of the job that does the work, and no body (as the reference)."""
    return Response(status=202, headers={"Location": reverse("api:provisioningjob", kwargs={"job_id": job.pk})})


ACCOUNT_ID = OpenApiParameter("account_id", int, OpenApiParameter.PATH, description="The id of the account.")
# The schema (apps.api.schema.PaneelAutoSchema) adds `Location` to every 202, `If-Match` and 412 to every PUT and
# DELETE, and the errors every route shares; the responses below are what is particular to each operation.
ACCEPTED = OpenApiResponse(description="Accepted: `Location` is the provisioning job to poll; no body.")
INVALID_STATE = OpenApiResponse(
    description="`invalid_state`: the account's status does not allow this, or a job on it is still in progress."
)


class AccountList(HintedView, ApiView):
    """The reseller's accounts (filters, `ordering`, paging, `with` hints), and account creation."""

    compiled_lists = True
    # `asset_type` reads the reseller's counts to build its query (apps.accounts.filters): never kept compiled.
    compiled_filters = frozenset(AccountFilterSet.base_filters) - {"asset_type"}
    queryset = Account.objects.none()  # schema introspection only; get_queryset scopes to the principal
    filterset_class = AccountFilterSet
    ordering_fields = ["created_at", "identifier", "id"]
    with_hints, with_resource = ACCOUNT_HINTS, "account"

    def get_queryset(self):
        return self.hinted(Account.objects.for_principal(self.principal).order_by("created_at", "id"))

    @extend_schema(
        operation_id="accounts_list",
        summary="Overview of accounts",
        parameters=[with_parameter(ACCOUNT_HINTS)],
        responses={200: AccountOut(many=True)},
    )
    def get(self, request):
        if self.with_selection():  # expanding needs the objects: the serializer's path
            page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
            return self.get_paginated_response(self.expanded(AccountOut(page, many=True).data, page))
        return self.list_response(self.get_queryset, ACCOUNT_COLUMNS, count_kind=listcounts.ACCOUNTS)

    @extend_schema(
        operation_id="accounts_create",
        summary="Create a new account",
        description="Validates at once (400, 404 for an unknown servicepack, 409 for a taken identifier), then "
        "provisions in the background. Honours `Idempotency-Key`.",
        request=AccountCreateIn,
        responses={
            202: ACCEPTED,
            404: OpenApiResponse(description="`not_found`: no servicepack `servicepack_id` for this reseller."),
            409: OpenApiResponse(description="`duplicate`: an account for this identifier already exists."),
        },
    )
    def post(self, request):
        serializer = AccountCreateIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _, job = create_account(
            principal=self.principal,
            identifier=data["identifier"],
            servicepack=data["servicepack_id"],
            ftp_password=data.get("ftp_password"),
        )
        return accepted(job)


class AccountDetail(HintedView, ApiView):
    """One account with its servicepack and assets; deleting it is background work."""

    etag_on_get = True
    with_hints, with_resource = ACCOUNT_HINTS, "account"

    @extend_schema(
        operation_id="accounts_retrieve",
        summary="Get a specific account",
        description="`with=servicepack` shows the servicepack with its items (`assets` are always shown here).",
        parameters=[ACCOUNT_ID, with_parameter(ACCOUNT_HINTS)],
        responses={200: AccountDetailOut},
    )
    def get(self, request, account_id):
        account = self.hinted(account_detail_queryset()).get_for_principal(self.principal, pk=account_id)
        return Response(self.expanded(AccountDetailOut(account).data, account))

    @extend_schema(
        operation_id="accounts_destroy",
        summary="Delete an account and all its assets",
        parameters=[ACCOUNT_ID],
        responses={202: ACCEPTED, 409: INVALID_STATE},
    )
    def delete(self, request, account_id):
        self.check_if_match(account_representation(self.principal, account_id))
        _, job = delete_account(principal=self.principal, account_id=account_id)
        return accepted(job)


class AccountServicepack(ApiView):
    """Change an account's plan."""

    @extend_schema(
        operation_id="accounts_servicepack_update",
        summary="Move an account to another servicepack",
        description="409 `quota_exceeded` or `size_exceeds_servicepack` when what the account holds does not fit "
        "the new servicepack. `asset_sizes` says whether the assets keep their maximum sizes or follow the new "
        "servicepack's. The same servicepack with no size to change is refused with 409 `invalid_state` (nothing "
        "to do), not queued.",
        parameters=[ACCOUNT_ID],
        request=ServicepackChangeIn,
        responses={
            202: ACCEPTED,
            404: OpenApiResponse(description="`not_found`: no such account, or no servicepack `servicepack_id`."),
            409: OpenApiResponse(
                description="`quota_exceeded` or `size_exceeds_servicepack`: what the account holds does not fit "
                "the new servicepack; `invalid_state`: the account is not active or suspended, a job on it is "
                "still in progress, or the change would change nothing."
            ),
        },
    )
    def put(self, request, account_id):
        serializer = ServicepackChangeIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_if_match(account_representation(self.principal, account_id))
        _, job = change_servicepack(
            principal=self.principal,
            account_id=account_id,
            servicepack=serializer.validated_data["servicepack_id"],
            asset_sizes=serializer.validated_data["asset_sizes"],
        )
        return accepted(job)


class AccountSuspension(ApiView):
    """Suspend (PUT) or unsuspend (DELETE) an account."""

    @extend_schema(
        operation_id="accounts_suspension_update",
        summary="Suspend an account",
        parameters=[ACCOUNT_ID],
        request=None,
        responses={202: ACCEPTED, 409: INVALID_STATE},
    )
    def put(self, request, account_id):
        self.check_if_match(account_representation(self.principal, account_id))
        _, job = suspend_account(principal=self.principal, account_id=account_id)
        return accepted(job)

    @extend_schema(
        operation_id="accounts_suspension_destroy",
        summary="Unsuspend an account",
        parameters=[ACCOUNT_ID],
        responses={202: ACCEPTED, 409: INVALID_STATE},
    )
    def delete(self, request, account_id):
        self.check_if_match(account_representation(self.principal, account_id))
        _, job = unsuspend_account(principal=self.principal, account_id=account_id)
        return accepted(job)


class AccountBulk(ApiView):
    """Create many accounts at once."""

    pagination_class = None  # the answer is one result per item, never paged
    filter_backends = []

    @extend_schema(
        operation_id="accounts_bulk_create",
        summary="Create many accounts",
        description=f"An array of at most {MAX_ITEMS} account creations, each validated and created as "
        "`POST /v2/accounts` would (quotas included), each in its own transaction. Answers 207 with one result per "
        "item, in order: `status` 202 with `location` (the provisioning job), or the item's problem.",
        request=AccountCreateIn(many=True),
        responses={207: BulkResultOut(many=True)},
    )
    def post(self, request):
        def create_one(data: dict) -> tuple[int, str]:
            _, job = create_account(
                principal=self.principal,
                identifier=data["identifier"],
                servicepack=data["servicepack_id"],
                ftp_password=data.get("ftp_password"),
            )
            return 202, reverse("api:provisioningjob", kwargs={"job_id": job.pk})

        return bulk_create(request, AccountCreateIn, create_one)
