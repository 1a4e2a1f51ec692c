from django.contrib import admin

from apps.certificates.models import Certificate, CertificateRequest


@admin.register(CertificateRequest)
class CertificateRequestAdmin(admin.ModelAdmin):
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

    # Operators look; requests change only through the services and the worker.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("common_name", "account", "expires_after", "auto_renew", "sha1_fingerprint")
    search_fields = ("common_name", "sha1_fingerprint")
    exclude = ("private_key_encrypted",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
