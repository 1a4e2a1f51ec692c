from django.apps import AppConfig


class ListCountsConfig(AppConfig):
    name = "apps.listcounts"
    label = "listcounts"
    verbose_name = "List counts"
