"""The data migration that stores IPv4-mapped entries as the IPv4 they match."""

import importlib

from django.apps import apps

from apps.ipwhitelist.models import IpWhitelistEntry
from apps.ipwhitelist.selectors import ip_is_whitelisted

migration = importlib.import_module("apps.ipwhitelist.migrations.0002_h14_unmap_ipv4_mapped")


def test_mapped_entries_become_ipv4_and_duplicates_go(tenant_a, tenant_b):
    a, b = tenant_a["reseller"], tenant_b["reseller"]
    for reseller, cidr in [
        (a, "::ffff:127.0.0.2"),
        (a, "::ffff:192.0.2.0/120"),
        (a, "10.0.0.1"),
        (a, "::ffff:10.0.0.1"),
    ]:
        IpWhitelistEntry.objects.create(reseller=reseller, cidr=cidr)
    IpWhitelistEntry.objects.create(reseller=b, cidr="2001:db8::/32")
    assert not ip_is_whitelisted(a.pk, "127.0.0.2")

    migration.unmap(apps, None)

    assert sorted(IpWhitelistEntry.objects.filter(reseller=a).values_list("cidr", flat=True)) == [
        "10.0.0.1",
        "127.0.0.2",
        "192.0.2.0/24",
    ]
    assert list(IpWhitelistEntry.objects.filter(reseller=b).values_list("cidr", flat=True)) == ["2001:db8::/32"]
    assert ip_is_whitelisted(a.pk, "127.0.0.2")
