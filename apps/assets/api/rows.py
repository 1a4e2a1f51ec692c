"""Asset lists from `.values()` rows: the list endpoints read only the columns their output serializer shows
and build each item as a plain dict, instead of 100 model instances and a DRF serializer per page.

The output serializers in `serializers.py` stay the schema (drf-spectacular documents them) and the detail
routes' renderers; tests/assets/test_rows.py proves each row builder gives what its serializer gives.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Func, IntegerField

from apps.servicepacks.models import AssetType


class UserCount(Func):
    """The number of entries of `details["users"]` (a MySQL database's users), counted by the database."""

    output_field = IntegerField()

    def __init__(self, **extra):
        super().__init__(F("details"), **extra)

    def as_sql(self, compiler, connection, **extra_context):  # SQLite (and MySQL): JSON1 functions
        return super().as_sql(
            compiler, connection, template="COALESCE(JSON_ARRAY_LENGTH(%(expressions)s, '$.users'), 0)"
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="COALESCE(JSONB_ARRAY_LENGTH(CASE WHEN JSONB_TYPEOF(%(expressions)s -> 'users') = 'array' "
            "THEN %(expressions)s -> 'users' END), 0)",
        )


# Per asset type: the columns and expressions a list item needs, and what makes the item of a row
# (`ApiView.list_response`).
MYSQL_COLUMNS = ("name", "max_size", "actual_size", "account_id", "status")
MAILBOX_COLUMNS = ("name", "max_size", "actual_size", "account_id", "status")
LINUX_HOSTING_COLUMNS = ("name", "account_id", "status")


def mysql_item(row: dict) -> dict:
    """`MySqlDatabaseOut` of a row."""
    return {
        "name": row["name"],
        "hostname": settings.PANEEL_MYSQL_HOSTNAME,
        "user_count": row["user_count"],
        "max_size": row["max_size"],
        "actual_size": row["actual_size"],
        "account_id": row["account_id"],
        "status": row["status"],
    }


def linux_hosting_item(row: dict) -> dict:
    """`LinuxHostingOut` of a row."""
    return {
        "domain_name": row["name"],
        "servicepack_id": row["servicepack_id"],
        "account_id": row["account_id"],
        "status": row["status"],
    }


ROWS = {
    AssetType.MYSQL: (MYSQL_COLUMNS, {"user_count": UserCount()}, mysql_item),
    AssetType.MAILBOX: (MAILBOX_COLUMNS, {}, None),  # `MailboxOut` is the row itself
    AssetType.LINUX_HOSTING: (
        LINUX_HOSTING_COLUMNS,
        {"servicepack_id": F("account__servicepack_id")},
        linux_hosting_item,
    ),
}
