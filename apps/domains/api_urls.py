"""This app's API v2 routes (included by apps/api/urls.py). URL keywords are the reference's parameter names."""

from django.urls import path

from apps.domains import api

urlpatterns = [
    path("domains", api.DomainList.as_view(), name="domains"),
    path("domains/registrations", api.Registrations.as_view(), name="domain-registrations"),
    path("domains/transfers", api.Transfers.as_view(), name="domain-transfers"),
    path("domains/<str:domain_name>", api.DomainDetail.as_view(), name="domain"),
    path("domains/<str:domain_name>/nameservers", api.NameServers.as_view(), name="domain-nameservers"),
    path("domains/<str:domain_name>/renew", api.Renewal.as_view(), name="domain-renew"),
]
