from django.apps import AppConfig


class PanelConfig(AppConfig):
    """The panel's shell: sign-in, dashboard, reseller switcher, audit log and the demo data; the top floor."""

    name = "apps.panel"
    label = "panel"
    verbose_name = "Panel"
