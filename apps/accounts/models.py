from django.db import models

from apps.core.tenancy import TenantManager


class Status(models.TextChoices):
    """Lifecycle of accounts and assets alike."""

    PROVISIONING = "provisioning", "Provisioning"
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    DELETING = "deleting", "Deleting"
    FAILED = "failed", "Failed"


class Account(models.Model):
    """A hosting account: one instance of a servicepack for one customer, named by its domain."""

    reseller = models.ForeignKey("resellers.Reseller", on_delete=models.PROTECT, related_name="accounts")
    servicepack = models.ForeignKey("servicepacks.ServicePack", on_delete=models.PROTECT, related_name="accounts")
    identifier = models.CharField(max_length=253, unique=True, help_text="Domain name (ASCII form, lowercased).")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROVISIONING)
    # Placement (DESIGN 8): the server of each role this account's assets live on; null where the pack needs no
    # such role or no server is configured (then the worker's local drivers and default queue serve it).
    web_server = models.ForeignKey(
        "servers.Server", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts_web"
    )
    mail_server = models.ForeignKey(
        "servers.Server", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts_mail"
    )
    dns_server = models.ForeignKey(
        "servers.Server", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts_dns"
    )
    db_server = models.ForeignKey(
        "servers.Server", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts_db"
    )
    # The customer the account is for: who gets the welcome e-mail, whom the reseller calls.
    contact_name = models.CharField("contact name", max_length=200, blank=True)
    contact_company = models.CharField("company", max_length=200, blank=True)
    contact_email = models.EmailField("contact e-mail", max_length=254, blank=True)
    contact_phone = models.CharField("phone", max_length=40, blank=True)
    contact_notes = models.TextField("notes", max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    reseller_path = "reseller"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["reseller", "created_at", "id"], name="account_reseller_created"),
            models.Index(fields=["reseller", "status"], name="account_reseller_status"),
            models.Index(fields=["reseller", "servicepack"], name="account_reseller_pack"),
            models.Index(fields=["reseller", "contact_email"], name="account_reseller_contact"),
        ]

    def __str__(self) -> str:
        return self.identifier

    def server_for(self, role: str):
        """The account's server for `role` (`web`, `mail`, `dns`, `db`), or None."""
        return getattr(self, f"{role}_server")

    @property
    def provisioning_server(self):
        """Where the account's own jobs run: its web server, else its mail, database or DNS server (or None).

        Assets placed on other servers are driven there, by parts of the job (`apps.provisioning.runner`).
        """
        return self.web_server or self.mail_server or self.db_server or self.dns_server
