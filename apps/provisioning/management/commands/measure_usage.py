"""`manage.py measure_usage [--all]`: measure assets' real sizes now (default: those whose measurement is due)."""

from django.core.management.base import BaseCommand

from apps.assets.models import Asset
from apps.provisioning.usage import MEASURABLE, measure_due_usage, measure_usage, on_queues


class Command(BaseCommand):
    help = "Measure assets' used size through their drivers and store it as actual_size."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Measure every active or suspended asset, due or not.")
        parser.add_argument(
            "--queue-name",
            default="*",
            help="Only the assets on the servers of these job queues, comma-separated ('default': on no server; "
            "'*', the default: all). Run it on the server whose files it measures.",
        )

    def handle(self, *args, all: bool, queue_name: str, **options):
        queues = [name for name in queue_name.split(",") if name]
        if all:
            assets = (
                Asset.objects.filter(status__in=MEASURABLE)
                .filter(on_queues(queues))
                .select_related("account__web_server", "account__mail_server", "account__db_server")
                .iterator(chunk_size=500)
            )
            count = len(measure_usage(assets))
        else:
            count = measure_due_usage(limit=10_000, queues=queues)
        self.stdout.write(f"Measured {count} asset(s).")
