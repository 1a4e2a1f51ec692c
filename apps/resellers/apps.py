from django.apps import AppConfig


class ResellersConfig(AppConfig):
    name = "apps.resellers"
    label = "resellers"
    verbose_name = "Resellers"
