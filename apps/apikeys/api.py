"""API keys in API v2 (Paneel's own routes, level `full` for reading too): list, create (the secret is shown in
that one response only), show and revoke."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import FullLevelView
from apps.apikeys.models import ApiKey
from apps.apikeys.services import create_api_key, revoke_api_key
from apps.core.principal import Level, Principal


class ApiKeyCreateIn(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=Level.choices, help_text="At most your own level.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiKeyOut(serializers.Serializer):
    """An API key as listed: never its secret."""

    key = serializers.CharField()
    name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class ApiKeyCreatedOut(ApiKeyOut):
    """The answer to a creation: the only time the secret is shown."""

    secret = serializers.SerializerMethodField()

    @extend_schema_field(str)
    def get_secret(self, api_key: ApiKey) -> str:
        return self.context["secret"]


def api_key_of(principal: Principal, key: str) -> ApiKey:
    return ApiKey.objects.defer("secret_encrypted").get_for_principal(principal, key=key)


KEY = OpenApiParameter("key", str, OpenApiParameter.PATH, description="The public key.")


API_KEY_COLUMNS = tuple(ApiKeyOut().fields)  # the list reads these as `.values()` rows


class ApiKeyList(FullLevelView):
    compiled_lists = True
    queryset = ApiKey.objects.none()  # schema introspection only; get_queryset scopes to the principal

    def get_queryset(self):
        return ApiKey.objects.for_principal(self.principal).defer("secret_encrypted").order_by("created_at", "id")

    # A replay would have to keep the clear secret in the shared cache for 24 hours; a retried creation
    # makes a second key instead, which the caller can see in the list and revoke.
    idempotent = False

    @extend_schema(
        operation_id="apikeys_list",
        summary="The reseller's API keys (never their secrets)",
        responses={200: ApiKeyOut(many=True)},
    )
    def get(self, request):
        return self.list_response(self.get_queryset, API_KEY_COLUMNS)

    @extend_schema(
        operation_id="apikeys_create",
        summary="Create an API key",
        description="The answer holds the secret: store it now, it is never shown again. `Idempotency-Key` is "
        "not honoured here (a replay would keep the secret in a cache).",
        request=ApiKeyCreateIn,
        parameters=[
            OpenApiParameter(
                "Location", str, OpenApiParameter.HEADER, response=[201], required=True, description="The new key."
            )
        ],
        responses={201: ApiKeyCreatedOut},
    )
    def post(self, request):
        serializer = ApiKeyCreateIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        api_key, secret = create_api_key(
            principal=self.principal, level=data["level"], name=data["name"], expires_at=data["expires_at"]
        )
        return Response(
            ApiKeyCreatedOut(api_key, context={"secret": secret}).data,
            status=201,
            headers={"Location": reverse("api:apikey", kwargs={"key": api_key.key})},
        )


class ApiKeyDetail(FullLevelView):
    etag_on_get = True

    @extend_schema(
        operation_id="apikeys_retrieve", summary="Show an API key", parameters=[KEY], responses={200: ApiKeyOut}
    )
    def get(self, request, key):
        return Response(ApiKeyOut(api_key_of(self.principal, key)).data)

    @extend_schema(
        operation_id="apikeys_destroy",
        summary="Revoke an API key",
        description="Refused from the next request on. 409 `invalid_state` when already revoked.",
        parameters=[KEY],
        responses={
            204: OpenApiResponse(description="Revoked."),
            409: OpenApiResponse(description="`invalid_state`: the key is already revoked."),
        },
    )
    def delete(self, request, key):
        api_key = api_key_of(self.principal, key)
        self.check_if_match(ApiKeyOut(api_key).data)
        revoke_api_key(principal=self.principal, api_key_id=api_key.pk)
        return Response(status=204)
