"""This app's API v2 routes (included by apps/api/urls.py). URL keywords are the reference's parameter names."""

from django.urls import path

from apps.assets.api import hosting, windowshostings
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
    path("linuxhostings", hosting.LinuxHostingList.as_view(), name="linuxhostings"),
    path("linuxhostings/<str:domain_name>", hosting.LinuxHostingDetail.as_view(), name="linuxhosting"),
    path(
        "linuxhostings/<str:domain_name>/phpsettings/version",
        hosting.PhpVersionSetting.as_view(),
        name="linuxhosting-php-version",
    ),
    path(
        "linuxhostings/<str:domain_name>/phpsettings/availableversions",
        hosting.PhpAvailableVersions.as_view(),
        name="linuxhosting-php-versions",
    ),
    path("windowshostings", windowshostings.WindowsHostingList.as_view(), name="windowshostings"),
    path("windowshostings/<str:domain_name>", windowshostings.WindowsHostingDetail.as_view(), name="windowshosting"),
    path(
        "linuxhostings/<str:domain_name>/phpsettings/memorylimit",
        hosting.PhpMemoryLimitSetting.as_view(),
        name="linuxhosting-php-memorylimit",
    ),
    path("linuxhostings/<str:domain_name>/phpsettings/apcu", hosting.ApcuSetting.as_view(), name="linuxhosting-apcu"),
    path(
        "linuxhostings/<str:domain_name>/settings/gzipcompression",
        hosting.GzipSetting.as_view(),
        name="linuxhosting-gzip",
    ),
    path("linuxhostings/<str:domain_name>/subsites", hosting.Subsites.as_view(), name="linuxhosting-subsites"),
    path(
        "linuxhostings/<str:domain_name>/subsites/<str:site_name>",
        hosting.Subsite.as_view(),
        name="linuxhosting-subsite",
    ),
    path(
        "linuxhostings/<str:domain_name>/sites/<str:site_name>/hostheaders",
        hosting.HostHeaders.as_view(),
        name="linuxhosting-hostheaders",
    ),
    path(
        "linuxhostings/<str:domain_name>/sites/<str:site_name>/http2/configuration",
        hosting.Http2Configuration.as_view(),
        name="linuxhosting-http2",
    ),
    path(
        "linuxhostings/<str:domain_name>/ftp/configuration",
        hosting.FtpConfiguration.as_view(),
        name="linuxhosting-ftp",
    ),
    path(
        "linuxhostings/<str:domain_name>/ssh/configuration",
        hosting.SshConfiguration.as_view(),
        name="linuxhosting-ssh",
    ),
    path("linuxhostings/<str:domain_name>/ssh/keys", hosting.SshKeys.as_view(), name="linuxhosting-ssh-keys"),
    # A fingerprint is base64 and may hold "/": the path converter takes it whole.
    path(
        "linuxhostings/<str:domain_name>/ssh/keys/<path:fingerprint>",
        hosting.SshKey.as_view(),
        name="linuxhosting-ssh-key",
    ),
    path(
        "linuxhostings/<str:domain_name>/scheduledtasks",
        hosting.ScheduledTasks.as_view(),
        name="linuxhosting-scheduledtasks",
    ),
    path(
        "linuxhostings/<str:domain_name>/scheduledtasks/<str:scheduled_task_id>",
        hosting.ScheduledTask.as_view(),
        name="linuxhosting-scheduledtask",
    ),
    path("ssh", hosting.AllSshKeys.as_view(), name="ssh-keys"),
]
