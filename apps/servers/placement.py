"""Where an account's assets live: one server per role, the least loaded active one unless the operator chose."""

from __future__ import annotations

from django.db.models import Count, Q

from apps.servers.models import Role, Server

# The role of the server each asset type is provisioned on.
ROLE_OF: dict[str, str] = {"linux_hosting": Role.WEB, "mailbox": Role.MAIL, "mysql": Role.DB, "mail_zone": Role.MAIL}

# The Account field holding the account's server for each role.
ACCOUNT_FIELD: dict[str, str] = {role: f"{role}_server" for role in Role.values}


def least_loaded(role: str) -> Server | None:
    """The active server with `role` holding the fewest accounts for that role, or None if there is none."""
    return (
        Server.objects.filter(is_active=True, **{role: True})
        .annotate(load=Count(f"accounts_{role}", filter=~Q(**{f"accounts_{role}__status": "deleting"})))
        .order_by("load", "pk")
        .first()
    )


def placement_for(roles: set[str], chosen: dict[str, Server] | None = None) -> dict[str, Server | None]:
    """The server of each role in `roles`: the operator's choice where given, else the least loaded one."""
    chosen = chosen or {}
    return {role: chosen.get(role) or least_loaded(role) for role in roles}


def roles_for_asset_types(asset_types: set[str]) -> set[str]:
    return {ROLE_OF[t] for t in asset_types if t in ROLE_OF}
