"""Entries stored as IPv4-mapped IPv6 (`::ffff:192.0.2.1`) never matched a client (whose address is compared as
IPv4): store them as the IPv4 address or network they name; one already listed as IPv4 is the same entry."""

import ipaddress

from django.db import migrations

MAPPED = ipaddress.ip_network("::ffff:0:0/96")


def unmap(apps, schema_editor):
    IpWhitelistEntry = apps.get_model("ipwhitelist", "IpWhitelistEntry")
    for entry in IpWhitelistEntry.objects.filter(cidr__istartswith="::ffff:"):
        try:
            network = ipaddress.ip_network(entry.cidr)
        except ValueError:
            continue
        if network.version != 6 or network.prefixlen < 96 or not network.subnet_of(MAPPED):
            continue
        mapped = ipaddress.ip_network((network.network_address.ipv4_mapped, network.prefixlen - 96))
        cidr = str(mapped.network_address) if mapped.num_addresses == 1 else str(mapped)
        if IpWhitelistEntry.objects.filter(reseller_id=entry.reseller_id, cidr=cidr).exists():
            entry.delete()
        else:
            entry.cidr = cidr
            entry.save(update_fields=["cidr"])


class Migration(migrations.Migration):
    dependencies = [("ipwhitelist", "0001_initial")]

    operations = [migrations.RunPython(unmap, migrations.RunPython.noop)]
