from django.conf import settings
from django.db import models

from apps.core.principal import Level
from apps.core.tenancy import TenantManager, TenantQuerySet


class ResellerQuerySet(TenantQuerySet):
    def for_principal(self, principal):
        return self.filter(pk=principal.reseller_id)


class Reseller(models.Model):
    """A customer of the platform operator who sells hosting to its own customers."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    is_active = models.BooleanField(default=True)
    ratelimit_read_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the platform's default read limit per principal."
    )
    ratelimit_write_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Overrides the platform's default write limit per principal."
    )
    require_two_factor = models.BooleanField(
        default=False, help_text="Members must sign in with a second factor (an authenticator app)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "pk"
    objects = models.Manager.from_queryset(ResellerQuerySet)()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's access to one reseller, at one level."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    reseller = models.ForeignKey(Reseller, on_delete=models.CASCADE, related_name="memberships")
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.READ)
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["reseller", "user__email", "id"]
        constraints = [models.UniqueConstraint(fields=["user", "reseller"], name="membership_unique_user_reseller")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.reseller} ({self.level})"
