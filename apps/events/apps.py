from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "apps.events"
    label = "events"
    verbose_name = "Events and webhooks"

    def ready(self) -> None:
        # Core's audit writer knows no domain app: it calls the listeners registered with it, and this is the
        # only one. Job ends are reported by the provisioning runner itself (apps.provisioning.runner).
        from apps.core import audit
        from apps.events.emit import event_for_audit

        audit.add_listener(event_for_audit)
