from django.apps import AppConfig


class ServicepacksConfig(AppConfig):
    name = "apps.servicepacks"
    label = "servicepacks"
    verbose_name = "Servicepacks"
