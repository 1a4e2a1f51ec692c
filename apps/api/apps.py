from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "apps.api"
    label = "api"
    verbose_name = "API v2"

    def ready(self) -> None:
        # keyrows: every process that can change API keys, resellers or whitelists announces it (admin, panel,
        # shell, worker), not only the ones that serve the API. schema: the OpenAPI authentication extensions.
        from apps.api import keyrows, schema  # noqa: F401
