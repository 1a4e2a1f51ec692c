"""`manage.py measure_usage [--all]`: measure assets' real sizes now (default: those whose measurement is due)."""

from django.core.management.base import BaseCommand

from apps.assets.models import Asset
from apps.provisioning.usage import MEASURABLE, measure_due_usage, measure_usage


class Command(BaseCommand):
    help = "Measure assets' used size through their drivers and store it as actual_size."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Measure every active or suspended asset, due or not.")

    def handle(self, *args, all: bool, **options):
        if all:
            assets = Asset.objects.filter(status__in=MEASURABLE).select_related("account").iterator(chunk_size=500)
            count = len(measure_usage(assets))
        else:
            count = measure_due_usage(limit=10_000)
        self.stdout.write(f"Measured {count} asset(s).")
