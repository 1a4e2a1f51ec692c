from django.contrib import admin
from django.urls import include, path, re_path
from oauth2_provider import urls as oauth2_urls

from apps.api import problems
from apps.api.token import CountedTokenView
from apps.panel.urls import auth_urlpatterns
from apps.panel.views import AdminLoginView

# Under /v2/, what Django refuses before any view is a problem+json too (apps.api.problems.bad_request).
handler400 = "apps.api.problems.bad_request"

urlpatterns = [
    # Admin's sign-in counts failures and asks for the second factor like the panel's (apps/panel/views.py).
    path("admin/login/", AdminLoginView.as_view(), name="admin_login"),
    path("admin/", admin.site.urls),
    re_path(r"^v1(/[\s\S]*)?$", problems.v1_retired),
    path("v2/", include("apps.api.urls")),
    # OAuth2 protocol endpoints only (authorize, token, revoke, introspect): applications are managed in the
    # panel, tied to a reseller, not through the toolkit's own pages.
    path("o/token/", CountedTokenView.as_view()),  # failed attempts counted per IP (apps.api.token)
    path("o/", include((oauth2_urls.base_urlpatterns, "oauth2_provider"), namespace="oauth2_provider")),
    # The reseller panel (DESIGN 7).
    path("", include(auth_urlpatterns)),
    path("", include("apps.panel.urls")),
    path("", include("apps.resellers.urls")),
    path("account/two-factor/", include("apps.twofactor.urls")),
    path("servicepacks/", include("apps.servicepacks.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("assets/", include("apps.assets.urls")),
    path("mail/", include("apps.mail.urls")),
    path("jobs/", include("apps.provisioning.urls")),
    path("api-access/whitelist/", include("apps.ipwhitelist.urls")),
    path("api-access/webhooks/", include("apps.events.urls")),
    path("api-access/", include("apps.apikeys.urls")),
    path("dns/", include("apps.dns.urls")),
    path("domains/", include("apps.domains.urls")),
    path("certificates/", include("apps.certificates.urls")),
]
