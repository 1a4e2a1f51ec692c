"""DNS zones (one per account domain) and their records, as the reference's DNS record routes name them."""

from __future__ import annotations

import uuid

from django.db import models

from apps.core.tenancy import TenantManager


def new_record_id() -> str:
    return uuid.uuid4().hex


class RecordType(models.TextChoices):
    A = "A"
    AAAA = "AAAA"
    CNAME = "CNAME"
    MX = "MX"
    TXT = "TXT"
    SRV = "SRV"
    CAA = "CAA"
    NS = "NS"
    ALIAS = "ALIAS"
    TLSA = "TLSA"


class DnsZone(models.Model):
    """The zone of an account's domain, served by the account's DNS server (or written as a BIND zone file)."""

    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="dns_zone")
    name = models.CharField(max_length=253, unique=True, help_text="The zone's domain (ASCII, lowercased).")
    # Bumped on every change: the SOA serial the DNS server hands to secondaries.
    serial = models.PositiveBigIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "account__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["name"]
        verbose_name = "DNS zone"

    def __str__(self) -> str:
        return self.name

    @property
    def provisioning_server(self):
        """Zone jobs run on the account's DNS server (its worker talks to the local PowerDNS)."""
        return self.account.dns_server


class DnsRecord(models.Model):
    """One record. `name` is relative to the zone ("" is the apex); SRV records keep their parts separately."""

    id = models.CharField(primary_key=True, max_length=32, default=new_record_id, editable=False)
    zone = models.ForeignKey(DnsZone, on_delete=models.CASCADE, related_name="records")
    type = models.CharField(max_length=5, choices=RecordType.choices)
    name = models.CharField(max_length=253, blank=True)
    ttl = models.PositiveIntegerField(default=3600)
    content = models.CharField(max_length=4000, blank=True)
    priority = models.PositiveIntegerField(null=True, blank=True)
    # SRV only: `_service._protocol` is the record's name; weight, port and target its data.
    service = models.CharField(max_length=63, blank=True)
    protocol = models.CharField(max_length=16, blank=True)
    weight = models.PositiveIntegerField(null=True, blank=True)
    port = models.PositiveIntegerField(null=True, blank=True)
    target = models.CharField(max_length=253, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "zone__account__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "DNS record"
        indexes = [models.Index(fields=["zone", "type", "name"], name="dnsrecord_zone_type_name")]

    def __str__(self) -> str:
        return f"{self.owner_name} {self.type}"

    @property
    def owner_name(self) -> str:
        """The record's name relative to the zone: `_sip._tcp` for SRV, "" for the apex."""
        if self.type == RecordType.SRV:
            return ".".join(part for part in (f"_{self.service}", f"_{self.protocol.lower()}", self.name) if part)
        return self.name
