"""Writes on OAuth applications (level `full`).

The applications are django-oauth-toolkit's own model; a `ResellerApplication` ties each to the reseller whose
data its tokens may reach, and every lookup goes through that link, so another reseller's application is simply
not found. The client secret is stored hashed by the toolkit: `create_oauth_application` returns the clear secret,
the only time anyone sees it.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from apps.apikeys.models import ResellerApplication
from apps.core import audit
from apps.core.errors import FieldProblem, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level

Application = get_application_model()

# DESIGN 6.1: authorization code (with PKCE) and client credentials; the toolkit's other grants are not offered.
GRANT_TYPES = (
    (Application.GRANT_AUTHORIZATION_CODE, "Authorization code (with PKCE)"),
    (Application.GRANT_CLIENT_CREDENTIALS, "Client credentials"),
)
CLIENT_TYPES = (
    (Application.CLIENT_CONFIDENTIAL, "Confidential (a server that keeps the secret)"),
    (Application.CLIENT_PUBLIC, "Public (a browser or mobile app; no secret)"),
)
NAME_MAX_LENGTH = 255


def _invalid(field: str | None, message: str) -> FieldProblem:
    return FieldProblem("validation_failed", message, field)


def _checked(*, name: str, client_type: str, authorization_grant_type: str) -> tuple[str, list[FieldProblem]]:
    problems = []
    name = (name or "").strip()
    if not name:
        problems.append(_invalid("name", "A name is required."))
    elif len(name) > NAME_MAX_LENGTH:
        problems.append(_invalid("name", f"At most {NAME_MAX_LENGTH} characters."))
    if client_type not in dict(CLIENT_TYPES):
        problems.append(_invalid("client_type", f"Choose one of {', '.join(dict(CLIENT_TYPES))}."))
    if authorization_grant_type not in dict(GRANT_TYPES):
        problems.append(_invalid("authorization_grant_type", f"Choose one of {', '.join(dict(GRANT_TYPES))}."))
    elif client_type == Application.CLIENT_PUBLIC and authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS:
        problems.append(
            _invalid(
                "authorization_grant_type",
                "A public client cannot keep a secret: it can only use the authorization code flow.",
            )
        )
    return name, problems


def _full_clean(application, problems: list[FieldProblem]) -> None:
    """Run the toolkit's own validation (redirect URI schemes, ...) and raise everything found at once."""
    try:
        application.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            problems.extend(_invalid(None if field == NON_FIELD_ERRORS else field, m) for m in messages)
    if problems:
        raise ValidationFailed.from_problems(problems)


def _normalized_uris(redirect_uris: str) -> str:
    return " ".join((redirect_uris or "").split())


def _checked_level(level: str, problems: list[FieldProblem]) -> str:
    if level not in Level.values:
        problems.append(_invalid("level", f"Choose one of {', '.join(Level.values)}."))
    return level


def _public(application, level: str) -> dict:
    return {
        "name": application.name,
        "level": level,
        "client_id": application.client_id,
        "client_type": application.client_type,
        "authorization_grant_type": application.authorization_grant_type,
        "redirect_uris": application.redirect_uris,
    }


@transaction.atomic
def create_oauth_application(
    *,
    principal: Principal,
    name: str,
    client_type: str,
    authorization_grant_type: str,
    redirect_uris: str = "",
    level: str = Level.READ,
):
    """Register an OAuth application for the principal's reseller. Returns it and its clear client secret.

    `level` caps its tokens as an API key's level does: no token of it is granted a higher scope, and none acts
    above it whatever its user's membership.
    """
    require_level(principal, Level.FULL)
    name, problems = _checked(name=name, client_type=client_type, authorization_grant_type=authorization_grant_type)
    level = _checked_level(level, problems)
    secret = generate_client_secret()
    application = Application(
        # The owner: a client-credentials token has no user of its own, so the API acts as this user (within
        # their membership, capped by the token's scope); if they leave the reseller, the application stops working.
        user=principal.user,
        name=name,
        client_type=client_type,
        authorization_grant_type=authorization_grant_type,
        redirect_uris=_normalized_uris(redirect_uris),
        client_secret=secret,
        hash_client_secret=True,
        skip_authorization=False,
        algorithm=Application.NO_ALGORITHM,
    )
    _full_clean(application, problems)
    application.save()
    ResellerApplication.objects.create(application=application, reseller_id=principal.reseller_id, level=level)
    audit.record(principal, "oauth_application.create", application, _public(application, level))
    return application, secret


@transaction.atomic
def update_oauth_application(
    *,
    principal: Principal,
    application_id: int,
    name: str,
    authorization_grant_type: str,
    redirect_uris: str = "",
    level: str | None = None,
):
    """Change an application's name, grant type, redirect URIs and level cap (its client type and secret stay).

    Lowering the level also caps the tokens it has already issued (the cap applies on every request).
    """
    require_level(principal, Level.FULL)
    link = (
        ResellerApplication.objects.select_for_update()
        .select_related("application")
        .get_for_principal(principal, application_id=application_id)
    )
    application = link.application
    before = _public(application, link.level)
    name, problems = _checked(
        name=name, client_type=application.client_type, authorization_grant_type=authorization_grant_type
    )
    level = _checked_level(link.level if level is None else level, problems)
    application.name = name
    application.authorization_grant_type = authorization_grant_type
    application.redirect_uris = _normalized_uris(redirect_uris)
    _full_clean(application, problems)
    application.save(update_fields=["name", "authorization_grant_type", "redirect_uris", "updated"])
    if level != link.level:
        link.level = level
        link.save(update_fields=["level"])
    audit.record(principal, "oauth_application.update", application, audit.diff(before, _public(application, level)))
    return application


@transaction.atomic
def delete_oauth_application(*, principal: Principal, application_id: int) -> None:
    """Delete an application; its tokens and grants go with it, so every client using it is cut off at once."""
    require_level(principal, Level.FULL)
    link = (
        ResellerApplication.objects.select_for_update()
        .select_related("application")
        .get_for_principal(principal, application_id=application_id)
    )
    application = link.application
    audit.record(principal, "oauth_application.delete", application, {"name": application.name})
    application.delete()
