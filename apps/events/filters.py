"""The one FilterSet per model: events (the API's `GET /v2/events` and the panel) and webhook deliveries."""

import django_filters

from apps.core.filters import UtcDateTimeFilter
from apps.events.models import DeliveryStatus, Event, WebhookDelivery


class EventFilterSet(django_filters.FilterSet):
    type = django_filters.CharFilter(
        method="filter_type", label="Type (exact, or a prefix ending in `.*`, e.g. `provisioning_job.*`)"
    )
    since = UtcDateTimeFilter(field_name="at", lookup_expr="gte", label="Since (UTC)")

    class Meta:
        model = Event
        fields = ["type"]

    def filter_type(self, queryset, name, value):
        if value.endswith(".*"):
            return queryset.filter(type__startswith=value[:-1])
        return queryset.filter(type=value)


class WebhookDeliveryFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices, label="Status")

    class Meta:
        model = WebhookDelivery
        fields = ["status"]
