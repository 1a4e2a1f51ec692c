"""Writes on DNS records (the reference's DNS record routes). Each checks the level, validates the record for
its zone, stores it, bumps the zone's serial, audits and queues the zone's sync to its DNS server."""

from __future__ import annotations

from django.db import transaction

from apps.core import audit
from apps.core.errors import FieldProblem, NotFound, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.dns.models import DnsRecord, DnsZone, RecordType
from apps.dns.records import clean_record
from apps.dns.zones import next_serial
from apps.provisioning.jobs import record_job

# Fields of a stored record that a body may set.
STORED = ("type", "name", "ttl", "content", "priority", "service", "protocol", "weight", "port", "target")


def lock_zone(principal: Principal, domain_name: str) -> DnsZone:
    """The principal's zone for `domain_name`, row-locked (so serials and conflict checks do not race)."""
    name = str(domain_name).strip().lower().rstrip(".")
    zone = (
        DnsZone.objects.for_principal(principal)
        .select_for_update(of=("self",))
        .select_related("account__dns_server")
        .filter(name=name)
        .first()
    )
    if zone is None:
        raise NotFound(f"No DNS zone {domain_name}.")
    return zone


def stored_fields(record: DnsRecord) -> dict:
    return {key: getattr(record, key) for key in STORED}


def check_conflicts(zone: DnsZone, fields: dict, *, exclude: str | None = None) -> None:
    """A CNAME stands alone at its name; no two records are identical."""
    others = zone.records.exclude(pk=exclude) if exclude else zone.records.all()
    at_name = others.filter(name=fields["name"])
    if fields["type"] == RecordType.SRV:
        at_name = others.filter(
            type=RecordType.SRV, service=fields["service"], protocol=fields["protocol"], target=fields["target"]
        ).filter(port=fields["port"])
        if at_name.exists():
            raise ValidationFailed.from_problems(
                [FieldProblem("duplicate", "This SRV record exists already.", "target")]
            )
        return
    if fields["type"] == RecordType.CNAME and at_name.exclude(type=RecordType.CNAME).exists():
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "A CNAME cannot share its name with other records.", "record_name")]
        )
    if fields["type"] != RecordType.CNAME and at_name.filter(type=RecordType.CNAME).exists():
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "This name is a CNAME; it cannot hold other records.", "record_name")]
        )
    if fields["type"] == RecordType.CNAME and at_name.filter(type=RecordType.CNAME).exists():
        raise ValidationFailed.from_problems(
            [FieldProblem("validation_failed", "This name already has a CNAME.", "record_name")]
        )
    if at_name.filter(type=fields["type"], content=fields["content"]).exists():
        raise ValidationFailed.from_problems(
            [FieldProblem("duplicate", "The zone already has this record.", "content")]
        )


def touch(principal: Principal, zone: DnsZone) -> None:
    zone.serial = next_serial(zone.serial)
    zone.save(update_fields=["serial", "updated_at"])
    record_job(principal=principal, action="dns_zone.sync", target=zone)


@transaction.atomic
def create_record(*, principal: Principal, domain_name: str, data: dict) -> DnsRecord:
    """Add a record (the reference's `DnsRecord` body) to the zone of `domain_name`."""
    require_level(principal, Level.WRITE)
    zone = lock_zone(principal, domain_name)
    fields = clean_record(zone.name, data)
    check_conflicts(zone, fields)
    record = DnsRecord.objects.create(zone=zone, **fields)
    touch(principal, zone)
    audit.record(principal, "dns_record.create", record, {"zone": zone.name, **public(fields)})
    return record


@transaction.atomic
def update_record(*, principal: Principal, domain_name: str, record_id: str, data: dict) -> DnsRecord:
    """Change a record's name, TTL, content or priority (an SRV record's service, protocol, port and target are
    fixed: the reference has clients add a new one)."""
    require_level(principal, Level.WRITE)
    zone = lock_zone(principal, domain_name)
    record = zone.records.filter(pk=str(record_id)).first()
    if record is None:
        raise NotFound(f"No record {record_id} in {zone.name}.")
    before = stored_fields(record)
    existing = {**before, "record_name": record.name}
    fields = clean_record(zone.name, data, existing=existing)
    check_conflicts(zone, fields, exclude=record.pk)
    for key, value in fields.items():
        setattr(record, key, value)
    record.save()
    touch(principal, zone)
    audit.record(principal, "dns_record.update", record, audit.diff(public(before), public(fields)))
    return record


@transaction.atomic
def delete_record(*, principal: Principal, domain_name: str, record_id: str) -> None:
    """Remove a record from the zone; the DNS server stops answering it once the zone's job has run."""
    require_level(principal, Level.WRITE)
    zone = lock_zone(principal, domain_name)
    record = zone.records.filter(pk=str(record_id)).first()
    if record is None:
        raise NotFound(f"No record {record_id} in {zone.name}.")
    audit.record(principal, "dns_record.delete", record, {"zone": zone.name, **public(stored_fields(record))})
    record.delete()
    touch(principal, zone)


def public(fields: dict) -> dict:
    return {key: value for key, value in fields.items() if value not in (None, "")}
