"""The one DNS record FilterSet: the reference's `type`, `record_name` and `service` filters, for the API and the
panel's zone editor."""

import django_filters

from apps.dns.models import DnsRecord


class DnsRecordFilterSet(django_filters.FilterSet):
    type = django_filters.CharFilter(method="filter_type", label="Type")
    record_name = django_filters.CharFilter(method="filter_record_name", label="Record name")
    service = django_filters.CharFilter(method="filter_service", label="Service (SRV)")

    class Meta:
        model = DnsRecord
        fields = ["type", "record_name", "service"]

    def filter_type(self, queryset, name, value):
        return queryset.filter(type=value.strip().upper())

    def filter_record_name(self, queryset, name, value):
        value = value.strip().lower().rstrip(".")
        zone = getattr(self, "zone_name", "")
        if value in ("@", zone):
            value = ""
        elif zone and value.endswith("." + zone):
            value = value[: -len(zone) - 1]
        return queryset.filter(name=value)

    def filter_service(self, queryset, name, value):
        return queryset.filter(service=value.strip().lower().lstrip("_"))
