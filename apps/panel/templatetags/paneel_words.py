"""Words for what the audit log and the job pages store as codes: actions, change keys and values.

`account.change_servicepack` reads "Changed servicepack of account", `mysql.create` "Created MySQL database",
`{"level": ["read", "write"]}` "Level: Read → Write". The codes stay in the data (and the API); these filters
only change what a person reads.
"""

from __future__ import annotations

from typing import Any

from django import template

from apps.core.principal import Level
from apps.servicepacks.models import AssetType

register = template.Library()

SUBJECTS = {
    "account": "account",
    "api_key": "API key",
    "whitelist_entry": "IP whitelist entry",
    "member": "member",
    "oauth_application": "OAuth application",
    "provisioning_job": "provisioning job",
    "reseller": "reseller",
    "two_factor": "two-factor sign-in",
    **{value: str(label) for value, label in AssetType.choices},
}
# verb code: (past, imperative)
VERBS = {
    "create": ("Created", "Create"),
    "delete": ("Deleted", "Delete"),
    "remove": ("Removed", "Remove"),
    "add": ("Added", "Add"),
    "revoke": ("Revoked", "Revoke"),
    "suspend": ("Suspended", "Suspend"),
    "unsuspend": ("Unsuspended", "Unsuspend"),
    "update": ("Changed", "Update"),
    "resize": ("Resized", "Resize"),
    "retry": ("Retried", "Retry"),
    "enable": ("Turned on", "Turn on"),
    "disable": ("Turned off", "Turn off"),
    "change_servicepack": ("Changed the servicepack of", "Change the servicepack of"),
    "update_contact": ("Changed the contact of", "Change the contact of"),
    "send_welcome_email": ("Sent the welcome e-mail of", "Send the welcome e-mail of"),
    "change_password": ("Changed the password of", "Change the password of"),
    "change_level": ("Changed the level of", "Change the level of"),
    "add_user": ("Added a user to", "Add a user to"),
    "delete_user": ("Deleted a user of", "Delete a user of"),
    "set_user_status": ("Enabled or disabled a user of", "Enable or disable a user of"),
    "set_php_version": ("Changed the PHP version of", "Change the PHP version of"),
    "require_two_factor": ("Changed the two-factor requirement of", "Change the two-factor requirement of"),
    "new_recovery_codes": ("Made new recovery codes for", "Make new recovery codes for"),
    "use_recovery_code": ("Signed in with a recovery code of", "Sign in with a recovery code of"),
}
KEYS = {
    "max_size": "maximum size (MB)",
    "asset_sizes_mb": "asset sizes (MB)",
    "contact_email": "contact e-mail",
    "require_two_factor": "two-factor required",
    "cidr": "address or network",
    "to": "sent to",
}
LEVEL_WORDS = {value: str(label) for value, label in Level.choices}


def _action(code: str, tense: int) -> str:
    subject_code, _, verb_code = (code or "").partition(".")
    subject = SUBJECTS.get(subject_code, subject_code.replace("_", " "))
    verbs = VERBS.get(verb_code)
    if verbs is None:
        return f"{verb_code.replace('_', ' ').capitalize()} {subject}".strip()
    return f"{verbs[tense]} {subject}"


@register.filter
def action_words(code: str) -> str:
    """An audit event's action in words, in the past tense: "Created MySQL database"."""
    return _action(code, 0)


@register.filter
def job_action_words(code: str) -> str:
    """A job's action in words, as an instruction: "Create MySQL database"."""
    return _action(code, 1)


@register.filter
def key_words(key: str) -> str:
    text = KEYS.get(key, str(key).replace("_", " "))
    return text[:1].upper() + text[1:]


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, str):
        return LEVEL_WORDS.get(value, value)
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {change_words(item)}" for key, item in value.items()) or "—"
    return str(value)


@register.filter
def change_words(value: Any) -> str:
    """A change as a person reads it: `[old, new]` (what `audit.diff` stores) as "old → new"."""
    if isinstance(value, list) and len(value) == 2 and not any(isinstance(item, (list, dict)) for item in value):
        return f"{_value(value[0])} → {_value(value[1])}"
    return _value(value)
