"""Confirm-secret deletes: a DELETE made with an OAuth bearer token must also carry the application's
`client_secret`, in the JSON body (`{"client_secret": "..."}`) or, as a fallback, the query string. A stolen
access token alone can then read and change, but not delete. HMAC keys are unaffected (their signature already
proves the secret)."""

from __future__ import annotations

import hmac

from django.contrib.auth.hashers import check_password
from oauth2_provider.models import Application

from apps.api.errors import ClientSecretRequired
from apps.core.principal import ActorKind, Principal


def offered_secret(request) -> str:
    data = request.data
    if isinstance(data, dict) and isinstance(data.get("client_secret"), str):
        return data["client_secret"]
    return request.query_params.get("client_secret", "")


def secret_matches(application: Application, secret: str) -> bool:
    stored = application.client_secret or ""
    if getattr(application, "hash_client_secret", True):
        return check_password(secret, stored)
    return hmac.compare_digest(secret.encode(), stored.encode())


def require_client_secret(request, principal: Principal) -> None:
    """Refuse (403 `client_secret_required`) a DELETE by an OAuth token that does not carry its app's secret."""
    if request.method != "DELETE" or principal.actor_kind != ActorKind.OAUTH_APP:
        return
    application = Application.objects.filter(pk=principal.actor_id).first()
    if application is None or application.client_type == Application.CLIENT_PUBLIC:
        raise ClientSecretRequired(
            "This OAuth application is public and has no client secret: delete with a confidential application "
            "or an API key."
        )
    secret = offered_secret(request)
    if not secret:
        raise ClientSecretRequired(
            "Deleting with an OAuth token needs the application's client_secret: send "
            '{"client_secret": "..."} as the JSON body (or ?client_secret=... as a fallback).'
        )
    if not secret_matches(application, secret):
        raise ClientSecretRequired("The client_secret is not this OAuth application's.")
