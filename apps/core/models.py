from django.conf import settings
from django.db import models

from apps.core.principal import ActorKind, Via
from apps.core.tenancy import TenantManager


class AuditEvent(models.Model):
    """Append-only record of one write: who, through which door, on what, and what changed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    reseller = models.ForeignKey(
        "resellers.Reseller", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_id = models.CharField(max_length=64, blank=True)
    actor_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=128, blank=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["reseller", "-at", "-id"], name="audit_reseller_at"),
            models.Index(fields=["reseller", "action"], name="audit_reseller_action"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_repr} {self.action} {self.object_type}:{self.object_id}"
