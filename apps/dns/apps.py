from django.apps import AppConfig


class DnsConfig(AppConfig):
    name = "apps.dns"
    label = "dns"
    verbose_name = "DNS"

    def ready(self) -> None:
        # The worker's handlers for zone jobs (apps.provisioning.runner.register_handler).
        from apps.dns import jobs  # noqa: F401
