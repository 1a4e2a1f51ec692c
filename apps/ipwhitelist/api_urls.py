"""This app's API v2 routes (included by apps/api/urls.py)."""

from django.urls import path

from apps.ipwhitelist import api

urlpatterns = [
    path("ipwhitelist", api.WhitelistEntryList.as_view(), name="ipwhitelist"),
    path("ipwhitelist/<int:entry_id>", api.WhitelistEntryDetail.as_view(), name="ipwhitelist-entry"),
]
