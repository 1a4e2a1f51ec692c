"""Exact row counts of the big lists (a reseller's accounts, its assets of each type), kept by database triggers.

`GET /v2/accounts` and the asset lists report `X-Paging-TotalResults` on every page; counting 100,000 accounts or
300,000 mailboxes of one reseller costs 20-90 ms even as an index-only scan, far more than the page itself. The
triggers (migration 0001, PostgreSQL and SQLite) add and subtract in the same transaction as every insert,
delete and move of a row, whatever writes it (services, bulk inserts, cascades, admin), so a count read here is
exactly `COUNT(*)` of the committed rows. Only unfiltered lists read it; a filtered list counts its rows.
"""

from django.db import models


class ListCount(models.Model):
    """How many rows of `kind` (`account`, or `asset:<asset_type>`) reseller `reseller_id` has."""

    # A plain integer, not a foreign key: the triggers write it inside other tables' statements (also while a
    # reseller's rows are being deleted), and nothing reads it but `apps.listcounts.selectors`.
    reseller_id = models.BigIntegerField()
    kind = models.CharField(max_length=40)
    total = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reseller_id", "kind"], name="listcount_reseller_kind")]

    def __str__(self) -> str:
        return f"reseller {self.reseller_id} {self.kind}: {self.total}"
