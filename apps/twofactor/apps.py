from django.apps import AppConfig


class TwoFactorConfig(AppConfig):
    name = "apps.twofactor"
    label = "twofactor"
    verbose_name = "Two-factor sign-in"
