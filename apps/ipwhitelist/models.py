from django.conf import settings
from django.db import models

from apps.core.tenancy import TenantManager


class IpWhitelistEntry(models.Model):
    """An address or network from which a reseller's API credentials may be used (default: none)."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="whitelist_entries")
    cidr = models.CharField(max_length=43, help_text="IPv4/IPv6 address or network, e.g. 203.0.113.0/24.")
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "IP whitelist entry"
        verbose_name_plural = "IP whitelist entries"
        constraints = [models.UniqueConstraint(fields=["reseller", "cidr"], name="whitelist_unique_cidr")]

    def __str__(self) -> str:
        return self.cidr
