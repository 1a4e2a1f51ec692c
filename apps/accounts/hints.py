"""The `?with=` hints of accounts (apps/api/hints.py): `assets` and `servicepack`."""

from __future__ import annotations

from apps.api.hints import Hint


def asset_json(asset) -> dict:
    return {
        "asset_type": asset.asset_type,
        "name": asset.name,
        "max_size": asset.max_size,
        "actual_size": asset.actual_size,
        "status": asset.status,
    }


def servicepack_json(pack) -> dict:
    return {
        "id": pack.pk,
        "name": pack.name,
        "items": [
            {
                "asset_type": item.asset_type,
                "max_count": item.max_count,
                "max_size": item.max_size_mb,
                "created_with_account": item.created_with_account,
            }
            for item in pack.items.all()  # the items' own order, as GET /v2/servicepacks lists them
        ],
    }


def account_json(account) -> dict:
    return {
        "id": account.pk,
        "identifier": account.identifier,
        "servicepack_id": account.servicepack_id,
        "status": account.status,
        "created_at": account.created_at.isoformat().replace("+00:00", "Z"),
    }


ACCOUNT_HINTS: dict[str, Hint] = {
    "assets": Hint(
        target=lambda account: sorted(account.assets.all(), key=lambda a: (a.created_at, a.pk)),
        render=asset_json,
        relation="assets",
        many=True,
        description="the account's assets with their usage",
    ),
    "servicepack": Hint(
        target=lambda account: account.servicepack,
        render=servicepack_json,
        relation="servicepack",
        prefetch=("items",),
        description="the servicepack with its items",
    ),
}
