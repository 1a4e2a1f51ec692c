from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "apps.certificates"
    label = "certificates"
    verbose_name = "SSL certificates"

    def ready(self) -> None:
        # The worker's handlers for issuance jobs and the renewal sweep (apps.provisioning.runner).
        from apps.certificates import jobs  # noqa: F401
