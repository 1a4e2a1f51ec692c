"""This app's API v2 routes (included by apps/api/urls.py)."""

from django.urls import path

from apps.apikeys import api

urlpatterns = [
    path("apikeys", api.ApiKeyList.as_view(), name="apikeys"),
    path("apikeys/<str:key>", api.ApiKeyDetail.as_view(), name="apikey"),
]
