"""Events (what happened, for a reseller to poll and acknowledge) and webhooks (where they are pushed to)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.tenancy import TenantManager


class Event(models.Model):
    """One thing that happened for a reseller: an audited change or the end of a provisioning job.

    Pending until acknowledged (`POST /v2/events/{id}/ack`); kept `EVENT_RETENTION_DAYS` days either way.
    """

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=64, help_text="e.g. account.create, provisioning_job.finished")
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    # Long enough for a route that ends in a 254-character mailbox address or a 253-character domain.
    link = models.CharField(max_length=1000, blank=True, help_text="The API route of the object, when it has one.")
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["reseller", "acknowledged_at", "at", "id"], name="event_reseller_pending")]

    def __str__(self) -> str:
        return f"{self.type} {self.object_type} {self.object_id}"


class Webhook(models.Model):
    """An endpoint the reseller's events are POSTed to, signed as Standard Webhooks does."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="webhooks")
    url = models.CharField(max_length=2000)
    event_types = models.JSONField(default=list, help_text="Exact types, `prefix.*` or `*`.")
    description = models.CharField(max_length=200, blank=True)
    secret_encrypted = models.BinaryField(editable=False)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.url

    def wants(self, event_type: str) -> bool:
        """Does this webhook subscribe to `event_type`?"""
        return any(
            pattern == "*" or pattern == event_type or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
            for pattern in self.event_types
        )


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(models.Model):
    """One event for one webhook: tried until the endpoint answers 2xx or the retry window has passed."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due; while an attempt runs, the end of its claim (a dead worker's claim expires).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Retries stop once this has passed (the first attempt, or the last replay, plus the retry window).
    retry_until = models.DateTimeField()
    last_response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "webhook__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]
        constraints = [models.UniqueConstraint(fields=["webhook", "event"], name="delivery_once_per_event")]

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook} ({self.status})"

    @property
    def message_id(self) -> str:
        """The `webhook-id` header: the same for every attempt and replay of this delivery."""
        return f"msg_{self.event_id}_{self.webhook_id}"


class AttemptOutcome(models.TextChoices):
    SUCCESS = "success", "Success (2xx)"
    HTTP_ERROR = "http_error", "Endpoint answered an error"
    NETWORK_ERROR = "network_error", "Could not connect or timed out"
    BLOCKED = "blocked", "Address refused (SSRF rules)"


class WebhookAttempt(models.Model):
    """One POST of a delivery (or why none was made): every one is kept, for the panel and the API."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=16, choices=AttemptOutcome.choices)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_prefix = models.CharField(max_length=512, blank=True, help_text="The first bytes of the response body.")

    reseller_path = "delivery__webhook__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.outcome} {self.response_code or ''}".strip()
