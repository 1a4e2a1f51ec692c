"""A zone's life with its account: made with sane defaults when the account is created, removed with it, and
turned into the `ZoneSpec` the DNS drivers apply."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from apps.core.principal import Principal
from apps.dns.drivers import ZoneSpec
from apps.dns.models import DnsRecord, DnsZone, RecordType
from apps.dns.records import presentation
from apps.provisioning.jobs import record_job
from apps.provisioning.models import ProvisioningJob

SPF = "v=spf1 a mx ~all"


def nameservers_of(server) -> list[str]:
    """The name servers a zone on `server` delegates to: its `services.nameservers`, else its host name, else
    `PANEEL_DNS_NAMESERVERS`."""
    if server is not None:
        listed = server.services.get("nameservers") if isinstance(server.services, dict) else None
        if listed:
            return [str(name).lower().rstrip(".") for name in listed]
        return [server.hostname.lower().rstrip(".")]
    return list(settings.PANEEL_DNS_NAMESERVERS)


def default_records(account) -> list[DnsRecord]:
    """NS to the DNS server, A/AAAA of the apex and www to the web server, MX to the mail server, SPF."""
    records = [DnsRecord(type=RecordType.NS, name="", content=ns) for ns in nameservers_of(account.dns_server)]
    web = account.web_server
    if web is not None:
        for name in ("", "www"):
            if web.ipv4_address:
                records.append(DnsRecord(type=RecordType.A, name=name, content=web.ipv4_address))
            if web.ipv6_address:
                records.append(DnsRecord(type=RecordType.AAAA, name=name, content=web.ipv6_address))
    if account.mail_server is not None:
        records.append(
            DnsRecord(type=RecordType.MX, name="", content=account.mail_server.hostname.lower(), priority=10)
        )
    records.append(DnsRecord(type=RecordType.TXT, name="", content=SPF))
    return records


def next_serial(current: int) -> int:
    """A date-based serial (YYYYMMDDnn) that always grows."""
    today = int(timezone.now().strftime("%Y%m%d")) * 100
    return max(current + 1, today)


def add_zone_row(*, principal: Principal, account) -> tuple[DnsZone, ProvisioningJob]:
    """Create the account's zone with its default records and the job that puts it on the DNS server. Part of
    `create_account` (its transaction, its audit event)."""
    zone = DnsZone.objects.create(account=account, name=account.identifier, serial=next_serial(0))
    records = default_records(account)
    for record in records:
        record.zone = zone
    DnsRecord.objects.bulk_create(records)
    return zone, record_job(principal=principal, action="dns_zone.sync", target=zone)


def remove_zone(*, principal: Principal, account) -> ProvisioningJob | None:
    """Queue the removal of the account's zone from its DNS server (part of `delete_account`)."""
    zone = DnsZone.objects.filter(account=account).first()
    if zone is None:
        return None
    return record_job(principal=principal, action="dns_zone.delete", target=zone, payload={"zone": zone.name})


def hostmaster_of(zone_name: str, primary_ns: str) -> str:
    """The SOA's contact: hostmaster at the zone, or at the primary name server's domain where a long zone name
    leaves no room for it in one DNS name (253 characters)."""
    for domain in (zone_name, primary_ns.partition(".")[2] or primary_ns):
        if len(f"hostmaster.{domain}") <= 253:
            return f"hostmaster.{domain}"
    return "hostmaster"


def zone_spec(zone: DnsZone, extra: tuple = ()) -> ZoneSpec:
    """The zone as a DNS driver applies it (`extra`: wire records added for the moment, e.g. ACME challenges)."""
    nameservers = nameservers_of(zone.account.dns_server)
    records = tuple(presentation(record, zone.name) for record in zone.records.order_by("type", "name", "id"))
    return ZoneSpec(
        name=zone.name,
        serial=zone.serial,
        primary_ns=nameservers[0],
        hostmaster=hostmaster_of(zone.name, nameservers[0]),
        records=records + tuple(extra),
    )
