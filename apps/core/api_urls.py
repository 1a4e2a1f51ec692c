"""This app's API v2 routes (included by apps/api/urls.py)."""

from django.urls import path

from apps.core import api

urlpatterns = [
    path("auditevents", api.AuditEventList.as_view(), name="auditevents"),
]
