from django.urls import path

from apps.mail import views

app_name = "mail"

urlpatterns = [
    path("accounts/<int:account_id>/", views.zone_detail, name="zone"),
    path("accounts/<int:account_id>/change/", views.zone_change, name="zone_change"),
    path("mailboxes/<int:asset_id>/", views.mailbox_settings, name="mailbox"),
]
