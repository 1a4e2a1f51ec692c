"""This app's API v2 routes (included by apps/api/urls.py). URL keywords are the reference's parameter names."""

from django.urls import path

from apps.mail import api

urlpatterns = [
    path("mailzones/<str:domain_name>", api.MailZoneDetail.as_view(), name="mailzone"),
    path("mailzones/<str:domain_name>/catchall", api.CatchAllList.as_view(), name="mailzone-catchall"),
    path(
        "mailzones/<str:domain_name>/catchall/<str:email_address>",
        api.CatchAllDetail.as_view(),
        name="mailzone-catchall-address",
    ),
    path("mailzones/<str:domain_name>/antispam", api.AntiSpamSetting.as_view(), name="mailzone-antispam"),
    path("mailzones/<str:domain_name>/aliases", api.AliasList.as_view(), name="mailzone-aliases"),
    path("mailzones/<str:domain_name>/aliases/<str:email_address>", api.AliasDetail.as_view(), name="mailzone-alias"),
    path("mailzones/<str:domain_name>/smtpdomains", api.SmtpDomainList.as_view(), name="mailzone-smtpdomains"),
    path(
        "mailzones/<str:domain_name>/smtpdomains/<str:hostname>",
        api.SmtpDomainDetail.as_view(),
        name="mailzone-smtpdomain",
    ),
    path("mailboxes/<str:mailbox_name>/autoreply", api.MailboxAutoReply.as_view(), name="mailbox-autoreply"),
    path("mailboxes/<str:mailbox_name>/autoforward", api.MailboxAutoForward.as_view(), name="mailbox-autoforward"),
]
