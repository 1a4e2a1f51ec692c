"""Reading the trigger-kept counts (apps.listcounts.models)."""

from __future__ import annotations

from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce

from apps.listcounts.models import ListCount

ACCOUNTS = "account"


def asset_kind(asset_type: str) -> str:
    return f"asset:{asset_type}"


def total_expression(reseller_id: int, kind: str):
    """The count as an expression, to read it in the same query as a page (0 when the reseller has no rows)."""
    count = ListCount.objects.filter(reseller_id=reseller_id, kind=kind).values("total")[:1]
    return Coalesce(Subquery(count), Value(0))


def total(reseller_id: int, kind: str) -> int:
    found = ListCount.objects.filter(reseller_id=reseller_id, kind=kind).values_list("total", flat=True).first()
    return found or 0
