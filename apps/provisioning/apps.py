from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "apps.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning"

    def ready(self):
        from apps.provisioning import wakeup  # noqa: F401  (connects the enqueue notification)
