"""Input serializers (types only: every rule is the services') and output serializers (the reference's shapes)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.kinds import USER_RIGHTS
from apps.assets.models import Asset

# --- Input serializers: types only; every rule (password, names, quotas, scope) is the service's.


def password_field() -> serializers.CharField:
    # Not trimmed: a password with spaces must reach the service's rules, not be silently changed.
    return serializers.CharField(trim_whitespace=False, write_only=True, help_text="8-20 characters, see the rules.")


class CreateMySqlDatabaseIn(serializers.Serializer):
    database_name = serializers.CharField(help_text="Prefixed during provisioning (the name becomes pn<account>_…).")
    account_id = serializers.IntegerField()
    password = password_field()


class CreateMySqlUserIn(serializers.Serializer):
    name = serializers.CharField(help_text="2-14 lowercase letters and digits; created with read_only rights.")
    password = password_field()


class UpdateUserStatusIn(serializers.Serializer):
    enabled = serializers.BooleanField()


class UpdatePasswordIn(serializers.Serializer):
    password = password_field()


class CreateMailboxIn(serializers.Serializer):
    email_address = serializers.CharField(help_text="An address on the account's domain.")
    account_id = serializers.IntegerField()
    password = password_field()


# --- Output serializers: the reference's shapes, plus Paneel's `status` (and `account_id` where it lacks it).


@extend_schema_field({"type": "integer", "format": "int32", "deprecated": True})
class DeprecatedIntegerField(serializers.IntegerField):
    pass


class MySqlDatabaseOut(serializers.Serializer):
    name = serializers.CharField(help_text="The provisioned (prefixed) database name.")
    hostname = serializers.SerializerMethodField()
    user_count = serializers.SerializerMethodField()
    max_size = serializers.IntegerField(help_text="MB")
    actual_size = serializers.IntegerField(help_text="MB")
    account_id = serializers.IntegerField()
    status = serializers.CharField(help_text="Paneel: provisioning, active, suspended, deleting or failed.")

    def get_hostname(self, asset: Asset) -> str:
        return settings.PANEEL_MYSQL_HOSTNAME

    def get_user_count(self, asset: Asset) -> int:
        return len(asset.details.get("users", []))


class MySqlUserOut(serializers.Serializer):
    name = serializers.CharField()
    rights = serializers.ChoiceField(choices=USER_RIGHTS)
    enabled = serializers.BooleanField()


class MailboxOut(serializers.Serializer):
    name = serializers.CharField(help_text="The e-mail address.")
    max_size = serializers.IntegerField(help_text="MB")
    actual_size = serializers.IntegerField(help_text="MB")
    account_id = serializers.IntegerField(help_text="Paneel addition.")
    status = serializers.CharField(help_text="Paneel: provisioning, active, suspended, deleting or failed.")


class AutoReplyOut(serializers.Serializer):
    enabled = serializers.BooleanField()
    subject = serializers.CharField()
    message = serializers.CharField()


class AutoForwardOut(serializers.Serializer):
    enabled = serializers.BooleanField()
    email_addresses = serializers.ListField(child=serializers.CharField())
    copy_to_myself = serializers.BooleanField()


class MailboxDetailOut(MailboxOut):
    login = serializers.CharField(source="name", help_text="The login is the e-mail address.")
    auto_reply = serializers.SerializerMethodField(help_text="Applied as the mailbox's Sieve vacation.")
    auto_forward = serializers.SerializerMethodField(help_text="Applied as the mailbox's Sieve redirects.")

    @extend_schema_field(AutoReplyOut)
    def get_auto_reply(self, asset: Asset) -> dict:
        reply = asset.details.get("auto_reply") or {}
        return {
            "enabled": bool(reply.get("enabled")),
            "subject": reply.get("subject") or "",
            "message": reply.get("message") or "",
        }

    @extend_schema_field(AutoForwardOut)
    def get_auto_forward(self, asset: Asset) -> dict:
        forward = asset.details.get("auto_forward") or {}
        return {
            "enabled": bool(forward.get("enabled")),
            "email_addresses": list(forward.get("email_addresses") or []),
            "copy_to_myself": bool(forward.get("copy_to_myself")),
        }
