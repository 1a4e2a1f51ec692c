"""Write the Postfix, Dovecot and spam filter configuration of a mail server (from its `services`) into a directory,
for the operator to install: postfix/main.cf, postfix/master.cf, dovecot/dovecot.conf, sieve-filters/spamc."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.provisioning.drivers.mail import server_configuration
from apps.provisioning.runner import server_info
from apps.servers.models import Server


class Command(BaseCommand):
    help = "Write a mail server's Postfix/Dovecot/spamc configuration files into OUTPUT (nothing is installed)."

    def add_arguments(self, parser):
        parser.add_argument("server", help="the Server's name (a server with the mail role)")
        parser.add_argument("--output", required=True, help="directory to write the files into")

    def handle(self, *args, server: str, output: str, **options):
        found = Server.objects.filter(name=server, mail=True).first()
        if found is None:
            raise CommandError(f"No server {server!r} with the mail role.")
        info = server_info(found)
        root = Path(info.root or settings.PANEEL_PROVISIONING_ROOT).absolute()
        for name, content in server_configuration(info, root).items():
            path = Path(output) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
            path.chmod(0o755 if name.startswith("sieve-filters/") else 0o644)
            self.stdout.write(str(path))
