"""Mail zones: what a mail server knows about an account's domain besides its mailboxes (DESIGN 8).

One `MailZone` per account that may hold mailboxes, named by the account's domain. It is created the first time
something is configured on it (the reference has no "create mail zone"); until then the zone reads as its
defaults. Aliases and extra SMTP domains are rows of their own, so that each address and host name is unique
platform-wide by a database constraint: two zones can never both claim one.
"""

from __future__ import annotations

from django.db import models

from apps.core.tenancy import TenantManager


class AntiSpam(models.TextChoices):
    """The reference's `AntiSpamTypes`, applied by SpamAssassin (README, "Mail")."""

    NONE = "none", "None: no spam check"
    BASIC = "basic", "Basic: mark spam (X-Spam headers), deliver to the inbox"
    ADVANCED = "advanced", "Advanced: mark spam and file it into the Junk folder"


# The reference's enum as a plain list (the API's `AntiSpamTypes` component).
ANTI_SPAM_TYPES = list(AntiSpam.values)


class MailZone(models.Model):
    """The mail settings of one account's domain: catch-all, anti-spam, and (as rows) aliases and SMTP domains."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="mail_zones")
    account = models.OneToOneField("accounts.Account", on_delete=models.CASCADE, related_name="mail_zone")
    name = models.CharField(max_length=253, unique=True, help_text="The domain: the account's identifier.")
    anti_spam = models.CharField(max_length=10, choices=AntiSpam.choices, default=AntiSpam.BASIC)
    catch_all = models.JSONField(
        default=list, blank=True, help_text="Addresses that get mail for unknown addresses of the domain."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"mail zone {self.name}"

    @property
    def provisioning_server(self):
        """The account's mail server: its worker applies the zone."""
        return self.account.mail_server


class MailAlias(models.Model):
    """An address of the zone's domain that forwards to one or more destinations."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="mail_aliases")
    zone = models.ForeignKey(MailZone, on_delete=models.CASCADE, related_name="aliases")
    email_address = models.CharField(max_length=254, unique=True)
    destinations = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["email_address"]

    def __str__(self) -> str:
        return f"alias {self.email_address}"


class SmtpDomain(models.Model):
    """An extra domain whose mail goes to the same local part on the zone's domain."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="smtp_domains")
    zone = models.ForeignKey(MailZone, on_delete=models.CASCADE, related_name="smtp_domains")
    hostname = models.CharField(max_length=253, unique=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return f"SMTP domain {self.hostname}"
