"""API v2 routes. Each domain app lists its own in `api_urls.py`; this file puts them under /v2/ in order."""

from django.urls import include, path, re_path

from apps.api import docs, signed_responses, views
from apps.provisioning import api as provisioning
from apps.servicepacks import api as servicepacks

app_name = "api"

urlpatterns = [
    path("openapi.json", docs.OpenApiView.as_view(), name="openapi"),
    path("docs/", docs.DocsView.as_view(), name="docs"),
    path("docs/errors", docs.errors_page, name="errors"),
    path("jwks.json", signed_responses.jwks, name="jwks"),
    path("servicepacks", servicepacks.ServicePackList.as_view(), name="servicepacks"),
    path("provisioningjobs", provisioning.JobList.as_view(), name="provisioningjobs"),
    path("provisioningjobs/<str:job_id>", provisioning.JobDetail.as_view(), name="provisioningjob"),
    path("", include("apps.accounts.api_urls")),
    path("", include("apps.assets.api_urls")),
    path("", include("apps.mail.api_urls")),
    path("", include("apps.apikeys.api_urls")),
    path("", include("apps.ipwhitelist.api_urls")),
    path("", include("apps.core.api_urls")),
    path("", include("apps.events.api_urls")),
    path("", include("apps.dns.api_urls")),
    path("", include("apps.certificates.api_urls")),
    path("", include("apps.domains.api_urls")),
    re_path(r"^[\s\S]*$", views.unknown_route),  # not `.*`: a path may hold a newline
]
