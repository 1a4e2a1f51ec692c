"""The `?with=` hints of MySQL databases (`users`, `account`), mailboxes and Linux hostings (`account`); an
account's own hints nest below it (`account.servicepack`, `account.assets`)."""

from __future__ import annotations

from apps.accounts.hints import ACCOUNT_HINTS, account_json
from apps.api.hints import Hint


def user_json(user: dict) -> dict:
    return {"name": user["name"], "rights": user["rights"], "enabled": user["enabled"]}


ACCOUNT = Hint(
    target=lambda asset: asset.account,
    render=account_json,
    relation="account",
    children=ACCOUNT_HINTS,
    description="the account the asset belongs to",
)
MYSQL_HINTS: dict[str, Hint] = {
    "users": Hint(
        target=lambda asset: asset.details.get("users", []),
        render=user_json,
        many=True,
        description="the database's users",
    ),
    "account": ACCOUNT,
}
MAILBOX_HINTS: dict[str, Hint] = {"account": ACCOUNT}
LINUX_HOSTING_HINTS: dict[str, Hint] = {"account": ACCOUNT}
