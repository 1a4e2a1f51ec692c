from django.contrib import admin

from apps.certificates.models import AcmeAccount, Certificate, CertificateRequest
from apps.dns.admin import ReadOnlyWithAccountAdmin


@admin.register(CertificateRequest)
class CertificateRequestAdmin(ReadOnlyWithAccountAdmin):
    list_display = ("id", "common_name", "account", "challenge", "status", "created_at")
    list_filter = ("status", "challenge")
    search_fields = ("common_name",)
    exclude = ("private_key_encrypted", "csr_pem")
    readonly_fields = (
        "account",
        "common_name",
        "subject_alt_names",
        "certificate_type",
        "challenge",
        "status",
        "hosting",
        "hostname",
        "validations",
        "order_url",
        "error",
        "certificate",
        "renews",
    )


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyWithAccountAdmin):
    list_display = ("common_name", "account", "expires_after", "auto_renew", "sha1_fingerprint")
    search_fields = ("common_name", "sha1_fingerprint")
    exclude = ("private_key_encrypted",)


@admin.register(AcmeAccount)
class AcmeAccountAdmin(admin.ModelAdmin):
    """Paneel's accounts at ACME CAs; the key stays encrypted and out of sight."""

    list_display = ("directory_url", "uri", "created_at")
    exclude = ("key_encrypted",)
    readonly_fields = ("directory_url", "uri")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
