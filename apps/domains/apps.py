from django.apps import AppConfig


class DomainsConfig(AppConfig):
    name = "apps.domains"
    label = "domains"
    verbose_name = "Domains"

    def ready(self) -> None:
        from apps.domains import jobs  # noqa: F401 (registers the order job's handler)
