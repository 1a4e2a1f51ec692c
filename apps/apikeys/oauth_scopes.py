"""The scopes an OAuth application may be granted: the levels up to its own level cap (`ResellerApplication.level`).

django-oauth-toolkit asks this backend (`SCOPES_BACKEND_CLASS`) which scopes an application may have when it
validates an authorization or token request, so a `read` application asking for `full` is refused at the token
endpoint (`invalid_scope`) instead of being handed a token it could not use.
"""

from __future__ import annotations

from oauth2_provider.scopes import SettingsScopes

from apps.apikeys.models import ResellerApplication
from apps.core.principal import LEVEL_ORDER


def application_level(application) -> str | None:
    if application is None:
        return None
    return ResellerApplication.objects.filter(application=application).values_list("level", flat=True).first()


class ApplicationLevelScopes(SettingsScopes):
    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        scopes = super().get_available_scopes(application, request, *args, **kwargs)
        if application is None:
            return scopes
        level = application_level(application)
        if level is None:  # not tied to a reseller: its tokens reach nothing anyway
            return []
        allowed = LEVEL_ORDER[: LEVEL_ORDER.index(level) + 1]
        return [scope for scope in scopes if scope in allowed]
