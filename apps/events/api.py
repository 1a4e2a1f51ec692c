"""Events and webhooks in API v2 (Paneel's own routes).

`GET /v2/events` lists the reseller's pending events; `POST /v2/events/{event_id}/ack` and `POST /v2/events/ack`
(many ids) mark them complete. Webhooks (level `full`) push the same events, signed as Standard Webhooks does.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.api.views import ApiView, FullLevelView
from apps.core.filters import BIGGEST_ID
from apps.events import services
from apps.events.filters import EventFilterSet, WebhookDeliveryFilterSet
from apps.events.models import AttemptOutcome, DeliveryStatus, Event, Webhook, WebhookAttempt, WebhookDelivery
from apps.events.selectors import pending_events

# --- Events


class EventOut(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField(help_text="The audited action (e.g. `account.create`) or `provisioning_job.<status>`.")
    at = serializers.DateTimeField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    link = serializers.CharField(allow_null=True, help_text="The object's API route, when it has one.")
    data = serializers.JSONField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["link"] = data["link"] or None
        return data


class EventAckIn(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=BIGGEST_ID), min_length=1, max_length=services.MAX_ACK_IDS
    )


class EventAckOut(serializers.Serializer):
    acknowledged = serializers.ListField(
        child=serializers.IntegerField(), help_text="The ids acknowledged (now or before); unknown ids are left out."
    )


EVENT_ID = OpenApiParameter("event_id", int, OpenApiParameter.PATH, description="The id of the event.")


class EventList(ApiView):
    """The reseller's pending events, oldest first: acknowledge them once handled."""

    queryset = Event.objects.none()  # schema introspection only; get_queryset scopes to the principal
    filterset_class = EventFilterSet
    ordering_fields = ["at", "id"]

    def get_queryset(self):
        return pending_events(self.principal)

    @extend_schema(
        operation_id="events_list",
        summary="Pending events, oldest first",
        description="Every audited change and every provisioning job end is an event of the reseller. An event is "
        "listed until it is acknowledged, and for 30 days at most. Filter with `type` (exact, or `prefix.*`).",
        responses={200: EventOut(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(EventOut(page, many=True).data)


class EventAck(ApiView):
    @extend_schema(
        operation_id="events_ack",
        summary="Mark an event complete",
        description="The event is no longer listed. Acknowledging it again changes nothing.",
        parameters=[EVENT_ID],
        request=None,
        responses={204: OpenApiResponse(description="Acknowledged.")},
    )
    def post(self, request, event_id):
        services.ack_event(principal=self.principal, event_id=event_id)
        return Response(status=204)


class EventBulkAck(ApiView):
    @extend_schema(
        operation_id="events_ack_many",
        summary="Mark many events complete",
        description=f"At most {services.MAX_ACK_IDS} ids. Ids that name no event of yours are left out of the answer; "
        "404 when none does.",
        request=EventAckIn,
        responses={200: EventAckOut, 404: OpenApiResponse(description="`not_found`: none of the ids is your event's.")},
    )
    def post(self, request):
        serializer = EventAckIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        acknowledged = services.ack_events(principal=self.principal, event_ids=serializer.validated_data["ids"])
        return Response({"acknowledged": acknowledged})


# --- Webhooks


class WebhookIn(serializers.Serializer):
    url = serializers.CharField(help_text="http(s) endpoint; it may not resolve to a private or loopback address.")
    event_types = serializers.ListField(
        child=serializers.CharField(), help_text="Event types to send: exact (`account.create`), `prefix.*` or `*`."
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    is_active = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class WebhookCreatedOut(WebhookOut):
    secret = serializers.CharField(help_text="The signing secret (`whsec_...`): shown this once.")


class AttemptOut(serializers.Serializer):
    number = serializers.IntegerField()
    at = serializers.DateTimeField()
    outcome = serializers.ChoiceField(choices=AttemptOutcome.choices)
    response_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField()
    error = serializers.CharField()
    response_prefix = serializers.CharField(help_text="The first bytes of the response body.")


class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    event_id = serializers.IntegerField()
    event_type = serializers.CharField(source="event.type")
    message_id = serializers.CharField(help_text="The `webhook-id` header, the same on every attempt and replay.")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    attempt_count = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    retry_until = serializers.DateTimeField()
    last_response_code = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    attempts = AttemptOut(many=True)


WEBHOOK_ID = OpenApiParameter("webhook_id", int, OpenApiParameter.PATH, description="The id of the webhook.")
DELIVERY_ID = OpenApiParameter("delivery_id", int, OpenApiParameter.PATH, description="The id of the delivery.")


def webhook_of(principal, webhook_id) -> Webhook:
    return Webhook.objects.get_for_principal(principal, pk=webhook_id)


class WebhookList(FullLevelView):
    queryset = Webhook.objects.none()  # schema introspection only
    idempotent = False  # the answer carries the secret: it is not kept for replays

    def get_queryset(self):
        return Webhook.objects.for_principal(self.principal).order_by("created_at", "id")

    @extend_schema(
        operation_id="webhooks_list", summary="The reseller's webhooks", responses={200: WebhookOut(many=True)}
    )
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(WebhookOut(page, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Add a webhook",
        description="Events of the chosen types are POSTed to `url`, signed as Standard Webhooks does (`webhook-id`, "
        "`webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>` keyed with the secret); a failed "
        "delivery (not 2xx, redirects not followed) is retried with exponential backoff for 24 hours.",
        request=WebhookIn,
        parameters=[
            OpenApiParameter(
                "Location", str, OpenApiParameter.HEADER, response=[201], required=True, description="The new webhook."
            )
        ],
        responses={201: WebhookCreatedOut, 409: OpenApiResponse(description="`invalid_state`: too many webhooks.")},
    )
    def post(self, request):
        serializer = WebhookIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        webhook, secret = services.create_webhook(principal=self.principal, **serializer.validated_data)
        data = {**WebhookOut(webhook).data, "secret": secret}
        return Response(data, status=201, headers={"Location": f"/v2/webhooks/{webhook.pk}"})


class WebhookDetail(FullLevelView):
    etag_on_get = True

    @extend_schema(
        operation_id="webhooks_retrieve", summary="Show a webhook", parameters=[WEBHOOK_ID], responses={200: WebhookOut}
    )
    def get(self, request, webhook_id):
        return Response(WebhookOut(webhook_of(self.principal, webhook_id)).data)

    @extend_schema(
        operation_id="webhooks_update",
        summary="Change a webhook",
        description="Replaces the URL, event types, description and `is_active`; the secret stays.",
        parameters=[WEBHOOK_ID],
        request=WebhookIn,
        responses={200: WebhookOut},
    )
    def put(self, request, webhook_id):
        serializer = WebhookIn(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.check_if_match(WebhookOut(webhook_of(self.principal, webhook_id)).data)
        webhook = services.update_webhook(principal=self.principal, webhook_id=webhook_id, **serializer.validated_data)
        return Response(WebhookOut(webhook).data)

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Remove a webhook (with its deliveries)",
        parameters=[WEBHOOK_ID],
        responses={204: OpenApiResponse(description="Removed.")},
    )
    def delete(self, request, webhook_id):
        self.check_if_match(WebhookOut(webhook_of(self.principal, webhook_id)).data)
        services.delete_webhook(principal=self.principal, webhook_id=webhook_id)
        return Response(status=204)


class WebhookDeliveryList(FullLevelView):
    queryset = WebhookDelivery.objects.none()  # schema introspection only
    filterset_class = WebhookDeliveryFilterSet

    def get_queryset(self):
        if getattr(self, "webhook", None) is None:  # schema introspection: no request, no webhook
            return WebhookDelivery.objects.none()
        return (
            WebhookDelivery.objects.for_principal(self.principal)
            .filter(webhook=self.webhook)
            .select_related("event")
            .prefetch_related(Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number")))
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        operation_id="webhooks_deliveries_list",
        summary="A webhook's deliveries with every attempt, newest first",
        parameters=[WEBHOOK_ID],
        responses={200: DeliveryOut(many=True)},
    )
    def get(self, request, webhook_id):
        self.webhook = webhook_of(self.principal, webhook_id)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(DeliveryOut(page, many=True).data)


class WebhookDeliveryReplay(FullLevelView):
    @extend_schema(
        operation_id="webhooks_deliveries_replay",
        summary="Send a delivery again",
        description="Sends the event again now, with the same `webhook-id`, and retries it as a new delivery.",
        parameters=[WEBHOOK_ID, DELIVERY_ID],
        request=None,
        responses={
            202: OpenApiResponse(description="Accepted: the worker sends it; `Location` is the deliveries list."),
            409: OpenApiResponse(description="`invalid_state`: the webhook is disabled."),
        },
    )
    def post(self, request, webhook_id, delivery_id):
        webhook = webhook_of(self.principal, webhook_id)  # a pk lookup: an id beyond any column is simply not found
        delivery = WebhookDelivery.objects.get_for_principal(self.principal, pk=delivery_id, webhook=webhook)
        services.replay_delivery(principal=self.principal, delivery_id=delivery.pk)
        return Response(status=202, headers={"Location": f"/v2/webhooks/{webhook_id}/deliveries"})
