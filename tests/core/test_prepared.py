"""apps.core.prepared: a query compiled once answers what the ORM's `.values()` answers, every time afresh."""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.api.keyrows import KEY_QUERY
from apps.apikeys.models import ApiKey
from apps.core.prepared import PreparedValues
from apps.ipwhitelist.models import IpWhitelistEntry

pytestmark = pytest.mark.django_db


def orm_rows(key: str) -> list[dict]:
    return list(KEY_QUERY.build(key))


def test_the_prepared_key_query_answers_what_the_orm_does_and_sees_every_change(api_client, tenant_a, tenant_b):
    first, second = api_client(tenant_a, "read").api_key, api_client(tenant_b, "full", ip="198.51.100.0/24").api_key
    for key in (first.key, second.key, "nosuchkey"):
        assert KEY_QUERY.rows(key) == orm_rows(key)
    assert {row["reseller__whitelist_entries__cidr"] for row in KEY_QUERY.rows(second.key)} == {"198.51.100.0/24"}

    # Nothing but the SQL text is kept: a revoke and a new whitelist entry are in the very next answer.
    ApiKey.objects.filter(pk=first.pk).update(revoked_at=timezone.now())
    IpWhitelistEntry.objects.create(reseller=tenant_a["reseller"], cidr="203.0.113.7")
    rows = KEY_QUERY.rows(first.key)
    assert rows == orm_rows(first.key) and rows[0]["revoked_at"] is not None
    assert "203.0.113.7" in {row["reseller__whitelist_entries__cidr"] for row in rows}
    assert isinstance(rows[0]["reseller__created_at"], type(timezone.now()))  # converted, as .values() does


def test_the_placeholder_must_be_one_parameter_of_the_query():
    with pytest.raises(ValueError, match="exactly one parameter"):
        PreparedValues(lambda name: ApiKey.objects.filter(name="fixed").values("id"), "never used").rows("x")
