"""The hosting machines the platform provisions on (DESIGN 8), managed by the operator in Django admin.

Servers are platform-wide, not tenant-owned: resellers never choose or see them, only the addresses their
customers connect to (a hosting's `ip`, `ssh_host`, mail and DNS hosts).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models


class Role(models.TextChoices):
    """What a server hosts; each asset type needs one role (`apps.servers.placement.ROLE_OF`)."""

    WEB = "web", "Web (nginx, PHP-FPM, FTP, SSH, cron)"
    MAIL = "mail", "Mail (Postfix, Dovecot)"
    DNS = "dns", "DNS (PowerDNS)"
    DB = "db", "Databases (MySQL/MariaDB)"


class Server(models.Model):
    """One hosting machine. Its `name` is also the job queue its worker runs: `db_worker --queue-name <name>`."""

    name = models.CharField(
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$", "Lowercase letters, digits and -.")],
        help_text="Short name, also the job queue of this server's worker (db_worker --queue-name NAME).",
    )
    hostname = models.CharField(
        max_length=253, help_text="Host name customers connect to (SSH/SFTP, FTP, IMAP/SMTP), e.g. web1.example.net."
    )
    ipv4_address = models.GenericIPAddressField(protocol="IPv4", null=True, blank=True)
    ipv6_address = models.GenericIPAddressField(protocol="IPv6", null=True, blank=True)
    web = models.BooleanField("web role", default=False)
    mail = models.BooleanField("mail role", default=False)
    dns = models.BooleanField("DNS role", default=False)
    db = models.BooleanField("database role", default=False)
    provisioning_root = models.CharField(
        max_length=500,
        blank=True,
        help_text="Directory the drivers on this server write under; empty: the worker's PANEEL_PROVISIONING_ROOT.",
    )
    services = models.JSONField(
        default=dict,
        blank=True,
        help_text='Service addresses the drivers use, e.g. {"ssh_port": 22, "ftp_port": 21, '
        '"pdns_api_url": "http://127.0.0.1:8081", "mysql_host": "db1.example.net"} (see README).',
    )
    is_active = models.BooleanField(default=True, help_text="Inactive servers keep their accounts but get no new ones.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def roles(self) -> list[str]:
        return [role for role in Role.values if getattr(self, role)]

    @property
    def queue_name(self) -> str:
        return self.name
