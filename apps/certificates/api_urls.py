"""This app's API v2 routes (included by apps/api/urls.py). URL keywords are the reference's parameter names."""

from django.urls import path

from apps.certificates import api

urlpatterns = [
    path("sslcertificaterequests", api.RequestList.as_view(), name="sslcertificaterequests"),
    path("sslcertificaterequests/<str:id>", api.RequestDetail.as_view(), name="sslcertificaterequest"),
    path("sslcertificates", api.CertificateList.as_view(), name="sslcertificates"),
    path("sslcertificates/<str:sha1_fingerprint>", api.CertificateDetail.as_view(), name="sslcertificate"),
    path(
        "sslcertificates/<str:sha1_fingerprint>/download",
        api.CertificateDownload.as_view(),
        name="sslcertificate-download",
    ),
    path(
        "linuxhostings/<str:domain_name>/sslsettings/<str:hostname>/letsencrypt",
        api.LetsEncryptSetting.as_view(),
        name="linuxhosting-letsencrypt",
    ),
    path(
        "linuxhostings/<str:domain_name>/sslsettings/<str:hostname>/autoredirect",
        api.AutoRedirectSetting.as_view(),
        name="linuxhosting-autoredirect",
    ),
]
