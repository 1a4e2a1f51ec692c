from django.db import models
from django.db.models import Q


class AssetType(models.TextChoices):
    """Asset types, named as the reference API's `AssetType`; the ones Paneel provisions so far."""

    LINUX_HOSTING = "linux_hosting", "Linux hosting"
    MYSQL = "mysql", "MySQL database"
    MAILBOX = "mailbox", "Mailbox"


class ServicePackQuerySet(models.QuerySet):
    def for_principal(self, principal):
        """Active packs this principal's reseller may use: unrestricted ones and those restricted to it."""
        allowed = ServicePack.allowed_resellers.through.objects.filter(reseller_id=principal.reseller_id)
        return self.filter(Q(is_restricted=False) | Q(pk__in=allowed.values("servicepack_id")), is_active=True)


class ServicePack(models.Model):
    """A hosting plan defined by the operator: which asset types an account gets, how many and how big."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    is_restricted = models.BooleanField(
        default=False, help_text="Only the resellers listed below may use a restricted pack."
    )
    allowed_resellers = models.ManyToManyField("resellers.Reseller", blank=True, related_name="servicepacks")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = models.Manager.from_queryset(ServicePackQuerySet)()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ServicePackItem(models.Model):
    """One asset type in a pack: at most `max_count` of them per account, each at most `max_size_mb`."""

    servicepack = models.ForeignKey(ServicePack, on_delete=models.CASCADE, related_name="items")
    asset_type = models.CharField(max_length=20, choices=AssetType.choices)
    max_count = models.PositiveIntegerField(default=1)
    max_size_mb = models.PositiveIntegerField(default=1024)
    created_with_account = models.BooleanField(
        default=False, help_text="Create one asset of this type when an account is created."
    )

    class Meta:
        ordering = ["servicepack", "asset_type"]
        constraints = [
            models.UniqueConstraint(fields=["servicepack", "asset_type"], name="servicepackitem_unique_type"),
            models.CheckConstraint(condition=Q(max_count__gte=1), name="servicepackitem_max_count_positive"),
            models.CheckConstraint(condition=Q(max_size_mb__gte=1), name="servicepackitem_max_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.servicepack}: {self.max_count} x {self.get_asset_type_display()} ({self.max_size_mb} MB)"
