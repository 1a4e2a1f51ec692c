"""This app's API v2 routes (included by apps/api/urls.py). URL keywords are the reference's parameter names."""

from django.urls import path

from apps.dns import api

urlpatterns = [
    path("dns/<str:domain_name>/records", api.RecordList.as_view(), name="dns-records"),
    path("dns/<str:domain_name>/records/<str:record_id>", api.RecordDetail.as_view(), name="dns-record"),
]
