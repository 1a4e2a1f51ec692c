import uuid

from django.db import models

from apps.core.tenancy import TenantManager


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


UNFINISHED = (JobStatus.PENDING, JobStatus.RUNNING)

# The task queue of jobs without a server (no server configured); a server's jobs go to the queue of its name.
DEFAULT_QUEUE = "default"


class ProvisioningJob(models.Model):
    """Background work a write asked for, e.g. `account.create` or `mysql.delete`.

    The target is named by type and id rather than a foreign key: the job outlives a deleted target, and this
    model stays below accounts and assets in the dependency order.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.CASCADE, related_name="provisioning_jobs")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    payload = models.JSONField(default=dict, blank=True)
    resource_links = models.JSONField(default=list, blank=True)
    error = models.JSONField(null=True, blank=True)
    estimate = models.DateTimeField(null=True, blank=True, help_text="Expected completion time.")
    attempts = models.PositiveIntegerField(default=0)
    actor_repr = models.CharField(max_length=200, blank=True)
    # The server whose worker runs this job (its queue); null: the default queue and the worker's own drivers.
    server = models.ForeignKey(
        "servers.Server", on_delete=models.PROTECT, null=True, blank=True, related_name="provisioning_jobs"
    )
    # A part of an account-wide job for the assets on another server; the parent finishes after its parts.
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="parts")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["reseller", "-created_at", "-id"], name="job_reseller_created"),
            models.Index(fields=["target_type", "target_id", "status"], name="job_target_status"),
            models.Index(fields=["status", "lease_expires_at"], name="job_status_lease"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.target_repr or self.target_id} ({self.status})"

    @property
    def is_unfinished(self) -> bool:
        return self.status in UNFINISHED
