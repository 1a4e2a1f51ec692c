"""The one asset FilterSet, shared by the panel and the API's asset collections."""

import django_filters

from apps.accounts.models import Status
from apps.assets.models import Asset
from apps.core.filters import IdFilter
from apps.servicepacks.models import AssetType


class AssetFilterSet(django_filters.FilterSet):
    asset_type = django_filters.ChoiceFilter(choices=AssetType.choices)
    account_id = IdFilter(field_name="account_id", label="Account")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    domain_name = django_filters.CharFilter(method="filter_domain_name", label="Domain name")
    name = django_filters.CharFilter(field_name="name", lookup_expr="istartswith")

    class Meta:
        model = Asset
        fields = ["asset_type", "account_id", "status"]

    def filter_domain_name(self, queryset, name, value):
        return queryset.filter(account__identifier=value.strip().lower().rstrip("."))
