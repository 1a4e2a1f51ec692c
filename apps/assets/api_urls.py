"""This app's API v2 routes (included by apps/api/urls.py). URL keywords are the reference's parameter names."""

from django.urls import path

from apps.assets.api import views as api

urlpatterns = [
    path("mysqldatabases", api.MySqlDatabaseList.as_view(), name="mysqldatabases"),
    path("mysqldatabases/<str:database_name>", api.MySqlDatabaseDetail.as_view(), name="mysqldatabase"),
    path("mysqldatabases/<str:database_name>/users", api.MySqlUserList.as_view(), name="mysqldatabase-users"),
    path(
        "mysqldatabases/<str:database_name>/users/<str:user_name>",
        api.MySqlUserDetail.as_view(),
        name="mysqldatabase-user",
    ),
    path(
        "mysqldatabases/<str:database_name>/users/<str:user_name>/status",
        api.MySqlUserStatus.as_view(),
        name="mysqldatabase-user-status",
    ),
    path(
        "mysqldatabases/<str:database_name>/users/<str:user_name>/password",
        api.MySqlUserPassword.as_view(),
        name="mysqldatabase-user-password",
    ),
    path("mailboxes", api.MailboxList.as_view(), name="mailboxes"),
    path("mailboxes/bulk", api.MailboxBulk.as_view(), name="mailboxes-bulk"),
    path("mailboxes/<str:mailbox_name>", api.MailboxDetail.as_view(), name="mailbox"),
    path("mailboxes/<str:mailbox_name>/password", api.MailboxPassword.as_view(), name="mailbox-password"),
    path("linuxhostings", api.LinuxHostingList.as_view(), name="linuxhostings"),
    path("linuxhostings/<str:domain_name>", api.LinuxHostingDetail.as_view(), name="linuxhosting"),
    path(
        "linuxhostings/<str:domain_name>/phpsettings/version",
        api.PhpVersionSetting.as_view(),
        name="linuxhosting-php-version",
    ),
    path(
        "linuxhostings/<str:domain_name>/phpsettings/availableversions",
        api.PhpAvailableVersions.as_view(),
        name="linuxhosting-php-versions",
    ),
]
