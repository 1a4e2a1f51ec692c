"""SSL certificate requests (the reference's `SslCertificateRequest`) and the certificates issued for them over
ACME. A private key Paneel made (Let's Encrypt on a hosting) is stored encrypted (apps.core.crypto), never shown."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.tenancy import TenantManager


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # the ACME order is being validated
    ISSUED = "issued", "Issued"  # see `certificate`
    FAILED = "failed", "Failed"  # validation failed: the request is gone (410)


class Challenge(models.TextChoices):
    HTTP01 = "http-01", "HTTP-01 (file on the site)"
    DNS01 = "dns-01", "DNS-01 (TXT record in the zone)"


def current_vendor() -> str:
    """The vendor (CA) of the ACME directory orders go to now."""
    from apps.certificates.acme_driver import vendor_of

    return vendor_of(settings.PANEEL_ACME_DIRECTORY)


class CertificateType(models.TextChoices):
    STANDARD = "standard"
    MULTI_DOMAIN = "multi_domain"
    WILDCARD = "wildcard"


class AcmeAccount(models.Model):
    """Paneel's account at an ACME directory (platform-wide): its key, encrypted, and its URL."""

    directory_url = models.URLField(max_length=500, unique=True)
    key_encrypted = models.BinaryField()
    uri = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "ACME account"

    def __str__(self) -> str:
        return self.directory_url


class CertificateRequest(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="certificate_requests")
    common_name = models.CharField(max_length=253)
    subject_alt_names = models.JSONField(default=list)
    certificate_type = models.CharField(max_length=16, choices=CertificateType.choices, default="standard")
    csr_pem = models.TextField()
    # Set when Paneel made the key (Let's Encrypt on a hosting): encrypted at rest, never returned.
    private_key_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    challenge = models.CharField(max_length=8, choices=Challenge.choices, default=Challenge.HTTP01)
    # The CA the order goes to (acme_driver.vendor_of the ACME directory): set when it is made and when it is sent.
    vendor = models.CharField(max_length=64, default=current_vendor)
    status = models.CharField(max_length=8, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    # The hosting and host name it is installed on (Let's Encrypt route), if any.
    hosting = models.ForeignKey(
        "assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="certificate_requests"
    )
    hostname = models.CharField(max_length=253, blank=True)
    # What the client must see while it is pending: one entry per name (reference `validations`).
    validations = models.JSONField(default=list, blank=True)
    order_url = models.URLField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    certificate = models.ForeignKey(
        "Certificate", on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    renews = models.ForeignKey("Certificate", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "account__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"certificate request {self.pk} for {self.common_name}"

    @property
    def provisioning_server(self):
        """HTTP-01 writes the challenge on the web server, so the job runs there (else on the DNS server)."""
        return self.account.web_server or self.account.dns_server


class Certificate(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="certificates")
    sha1_fingerprint = models.CharField(max_length=40, unique=True)
    common_name = models.CharField(max_length=253)
    subject_alt_names = models.JSONField(default=list)
    certificate_type = models.CharField(max_length=16, choices=CertificateType.choices, default="standard")
    not_before = models.DateTimeField()
    expires_after = models.DateTimeField()
    fullchain_pem = models.TextField()
    private_key_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    hosting = models.ForeignKey(
        "assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="certificates"
    )
    hostname = models.CharField(max_length=253, blank=True)
    # Renewed before expiry by the worker sweep while Paneel holds the key (Let's Encrypt on a hosting).
    auto_renew = models.BooleanField(default=False)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "account__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.common_name} ({self.sha1_fingerprint[:12]})"
