"""Domain names a reseller registers or transfers through Paneel's registrar, and the orders sent to it.

Every change at the registry is a `DomainOrder` driven by a provisioning job through the registrar driver
(apps.domains.registrars); with the built-in operator-fulfilled driver the job waits until an operator completes
or refuses the order in Django admin.
"""

from __future__ import annotations

from django.db import models

from apps.core.tenancy import TenantManager


class DomainStatus(models.TextChoices):
    REGISTERING = "registering", "Registration pending"
    TRANSFERRING = "transferring", "Transfer pending"
    ACTIVE = "active", "Active"
    REFUSED = "refused", "Refused"


class Domain(models.Model):
    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="domains")
    domain_name = models.CharField(max_length=253, unique=True)
    status = models.CharField(max_length=12, choices=DomainStatus.choices, default=DomainStatus.REGISTERING)
    expiration_date = models.DateTimeField(null=True, blank=True)
    will_renew = models.BooleanField(default=True)
    name_servers = models.JSONField(default=list, blank=True)
    registrant = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.domain_name


class Operation(models.TextChoices):
    REGISTER = "register", "Register"
    TRANSFER = "transfer", "Transfer in"
    NAME_SERVERS = "name_servers", "Change name servers"
    RENEW = "renew", "Change renewal"
    # The renewal itself at the expiration date (ordered by the worker's sweep for domains that will renew).
    RENEWAL = "renewal", "Renew at expiry"


class OrderState(models.TextChoices):
    WAITING = "waiting", "Waiting for the registrar"
    COMPLETED = "completed", "Completed"
    REFUSED = "refused", "Refused"


class DomainOrder(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="orders")
    operation = models.CharField(max_length=12, choices=Operation.choices)
    # What the registry is asked to apply: name_servers, will_renew, registrant.
    payload = models.JSONField(default=dict, blank=True)
    auth_code_encrypted = models.BinaryField(null=True, blank=True, editable=False)
    state = models.CharField(max_length=10, choices=OrderState.choices, default=OrderState.WAITING)
    reason = models.TextField(blank=True, help_text="Why it was refused (shown to the reseller).")
    decided_by = models.CharField(max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    reseller_path = "domain__reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.domain}"

    provisioning_server = None  # the registrar is reached from any worker (the default queue)
