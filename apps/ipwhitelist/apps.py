from django.apps import AppConfig


class IpwhitelistConfig(AppConfig):
    name = "apps.ipwhitelist"
    label = "ipwhitelist"
    verbose_name = "IP whitelist"
