"""`manage.py createreseller NAME [--slug SLUG] [--owner EMAIL]`: an operator's way to add a reseller.

Prints only the new reseller's slug, so scripts can capture it: `slug=$(manage.py createreseller "Acme")`.
"""

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import DomainError
from apps.core.principal import Via
from apps.resellers.services import create_reseller


class Command(BaseCommand):
    help = "Create a reseller and print its slug. It may use every servicepack that is not restricted."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The reseller's name, e.g. 'Acme Web'.")
        parser.add_argument("--slug", default="", help="Default: made from the name.")
        parser.add_argument(
            "--owner", default="", metavar="EMAIL", help="An existing user's e-mail: they become a 'full' member."
        )

    def handle(self, *args, **options):
        try:
            reseller = create_reseller(
                name=options["name"], slug=options["slug"], owner_email=options["owner"], via=Via.CLI
            )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        self.stdout.write(reseller.slug)
