from django.conf import settings
from django.db import models


class TwoFactorDevice(models.Model):
    """A user's confirmed authenticator (TOTP). The secret is stored Fernet-encrypted only."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="two_factor")
    secret_encrypted = models.BinaryField(editable=False)
    # The last time step a code was accepted for: a code is never accepted twice.
    last_used_step = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "two-factor device"

    def __str__(self) -> str:
        return f"Authenticator of {self.user.get_username()}"


class RecoveryCode(models.Model):
    """A one-use code for signing in without the authenticator; only its hash is stored."""

    device = models.ForeignKey(TwoFactorDevice, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=128)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Recovery code {self.pk} of {self.device.user.get_username()}"
