from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.core.principal import Level
from apps.core.tenancy import TenantManager


class ApiKey(models.Model):
    """A program's credential for HMAC-signed API requests. The secret is stored Fernet-encrypted only."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="api_keys")
    key = models.CharField(max_length=64, unique=True, help_text="Public identifier sent with each request.")
    secret_encrypted = models.BinaryField(editable=False)
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.READ)
    name = models.CharField(max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"
        indexes = [models.Index(fields=["reseller", "-created_at"], name="apikey_reseller_created")]

    def __str__(self) -> str:
        return f"{self.name or 'API key'} ({self.key[:8]}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class ResellerApplication(models.Model):
    """Ties a django-oauth-toolkit Application to the reseller whose data its tokens may reach.

    A link model rather than a swapped Application model: the toolkit's migrations stay untouched.
    """

    application = models.OneToOneField(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="reseller_link"
    )
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="oauth_applications")
    # The highest level its tokens may carry, like an API key's level: the scopes it may be granted stop there.
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.READ)
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "OAuth application"

    def __str__(self) -> str:
        return f"{self.application.name} ({self.reseller})"
