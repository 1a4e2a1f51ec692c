"""The one account FilterSet: the panel's account list and `GET /v2/accounts` both filter with it."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.core.filters import IdFilter
from apps.listcounts import selectors as listcounts
from apps.servicepacks.models import AssetType

# At most this many assets of a type: the accounts holding them are found from the assets' side.
SPARSE_ASSETS = 1000

# The reference API's asset types: a client may filter on any of them; the ones Paneel does not offer match nothing.
REFERENCE_ASSET_TYPES = [
    *AssetType.choices,
    ("domain", "Domain"),
    ("dns", "DNS"),
    ("windows_hosting", "Windows hosting"),
]


class AccountFilterSet(django_filters.FilterSet):
    identifier = django_filters.CharFilter(method="filter_identifier", label="Identifier")
    asset_type = django_filters.ChoiceFilter(
        choices=REFERENCE_ASSET_TYPES, method="filter_asset_type", label="Has asset type"
    )
    servicepack_id = IdFilter(field_name="servicepack_id", label="Servicepack")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    q = django_filters.CharFilter(method="filter_search", label="Search")
    contact_company = django_filters.CharFilter(
        field_name="contact_company", lookup_expr="icontains", label="Contact company"
    )
    contact_email = django_filters.CharFilter(method="filter_contact_email", label="Contact e-mail")

    class Meta:
        model = Account
        fields = ["identifier", "asset_type", "servicepack_id", "status", "contact_company", "contact_email"]

    def filter_identifier(self, queryset, name, value):
        # Identifiers are stored lowercased; a client may send any case.
        return queryset.filter(identifier=value.strip().lower().rstrip("."))

    def filter_asset_type(self, queryset, name, value):
        """Accounts with an asset of the type. Where the reseller has few of them (its trigger-kept count says so),
        their account ids are read first from the (reseller, type) index and the accounts looked up by id: an
        `EXISTS` per account would walk every account of the reseller to find the few (or none) that match."""
        reseller_id = self.reseller_id()
        if reseller_id is not None:
            held = listcounts.total(reseller_id, listcounts.asset_kind(value))
            if held <= SPARSE_ASSETS:
                ids = Asset.objects.filter(reseller_id=reseller_id, asset_type=value).values_list("account_id")
                return queryset.filter(pk__in=sorted({account_id for (account_id,) in ids}))
        return queryset.filter(Exists(Asset.objects.filter(account=OuterRef("pk"), asset_type=value)))

    def reseller_id(self) -> int | None:
        """The reseller whose accounts are filtered: the API's principal (`request.auth`) or the panel's."""
        principal = getattr(self.request, "auth", None) or getattr(self.request, "principal", None)
        return getattr(principal, "reseller_id", None)

    def filter_contact_email(self, queryset, name, value):
        # Stored lowercased by the service.
        return queryset.filter(contact_email=value.strip().lower())

    def filter_search(self, queryset, name, value):
        """Any part of the domain (`demo` finds `bakery-demo.example`), or of the contact's name, company, e-mail."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(identifier__contains=value.lower())
            | Q(contact_name__icontains=value)
            | Q(contact_company__icontains=value)
            | Q(contact_email__contains=value.lower())
        )
