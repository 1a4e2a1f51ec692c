from django.db import models

from apps.accounts.models import Status
from apps.core.tenancy import TenantManager
from apps.servers.placement import ROLE_OF
from apps.servicepacks.models import AssetType


class Asset(models.Model):
    """One manageable service on an account (a Linux hosting, a MySQL database, a mailbox).

    Kind-specific fields live in `details`, validated by the asset's kind (`apps.assets.kinds`); password
    fields hold hashes only. `reseller` repeats `account.reseller` so tenant scoping is one indexed filter.
    """

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="assets")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="assets")
    asset_type = models.CharField(max_length=20, choices=AssetType.choices)
    name = models.CharField(max_length=255, help_text="Provisioned, platform-unique name.")
    max_size = models.PositiveIntegerField(help_text="MB")
    actual_size = models.PositiveIntegerField(default=0, help_text="MB, as measured by the driver")
    usage_measured_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROVISIONING)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["asset_type", "name"], name="asset_unique_type_name")]
        indexes = [
            models.Index(fields=["account", "asset_type"], name="asset_account_type"),
            models.Index(fields=["reseller", "asset_type", "created_at", "id"], name="asset_reseller_type_created"),
            models.Index(fields=["reseller", "status"], name="asset_reseller_status"),
            # The workers' usage sweep: the assets whose measurement is due, oldest first (issue 11).
            models.Index(fields=["usage_measured_at", "id"], name="asset_usage_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_asset_type_display()} {self.name}"

    @property
    def provisioning_server(self):
        """The server this asset lives on, whose worker runs its jobs: the account's server for its role."""
        role = ROLE_OF.get(self.asset_type)
        return self.account.server_for(role) if role else None
