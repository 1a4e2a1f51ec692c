"""The user's own two-factor pages (namespace `twofactor`)."""

from django.urls import path

from apps.twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.setup, name="setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("disable/", views.disable, name="disable"),
]
