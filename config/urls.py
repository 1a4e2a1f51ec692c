from django.contrib import admin
from django.urls import include, path, re_path
from oauth2_provider import urls as oauth2_urls

from apps.api import problems
from apps.resellers.urls import auth_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(r"^v1(/[\s\S]*)?$", problems.v1_retired),
    path("v2/", include("apps.api.urls")),
    # OAuth2 protocol endpoints only (authorize, token, revoke, introspect): applications are managed in the
    # panel, tied to a reseller, not through the toolkit's own pages.
    path("o/", include((oauth2_urls.base_urlpatterns, "oauth2_provider"), namespace="oauth2_provider")),
    # The reseller panel (DESIGN 7).
    path("", include(auth_urlpatterns)),
    path("", include("apps.resellers.urls")),
    path("servicepacks/", include("apps.servicepacks.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("assets/", include("apps.assets.urls")),
    path("jobs/", include("apps.provisioning.urls")),
    path("api-access/whitelist/", include("apps.ipwhitelist.urls")),
    path("api-access/", include("apps.apikeys.urls")),
    path("dns/", include("apps.dns.urls")),
    path("domains/", include("apps.domains.urls")),
    path("certificates/", include("apps.certificates.urls")),
]
