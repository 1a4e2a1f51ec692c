"""`manage.py createapikey --reseller SLUG --level LEVEL [--allow-ip CIDR ...] [--name NAME] [--json]`.

Bootstrap for automation: makes a key (and whitelist entries) without the panel and prints key and secret.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.apikeys.services import create_api_key
from apps.core.errors import DomainError
from apps.core.principal import Level, Principal, Via
from apps.ipwhitelist.services import add_whitelist_entry, normalize_cidr
from apps.resellers.models import Reseller


class Command(BaseCommand):
    help = "Create an API key for a reseller and print its key and secret (the secret is shown only here)."

    def add_arguments(self, parser):
        parser.add_argument("--reseller", required=True, help="The reseller's slug.")
        parser.add_argument("--level", required=True, choices=Level.values)
        parser.add_argument(
            "--allow-ip",
            action="append",
            default=[],
            metavar="CIDR",
            help="Whitelist this address or network (repeatable).",
        )
        parser.add_argument("--name", default="", help="A name to recognise the key by.")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Print one JSON object with `key` and `secret`."
        )

    def handle(self, *args, reseller, level, allow_ip, name, as_json: bool, **options):
        found = Reseller.objects.filter(slug=reseller).first()
        if found is None:
            raise CommandError(f"No reseller with slug '{reseller}'.")
        principal = Principal.system(found, via=Via.CLI, actor_repr="createapikey")
        try:
            with transaction.atomic():
                existing = set(found.whitelist_entries.values_list("cidr", flat=True))
                for cidr in allow_ip:
                    if normalize_cidr(cidr) not in existing:
                        add_whitelist_entry(principal=principal, cidr=cidr, description=f"createapikey {name}".strip())
                api_key, secret = create_api_key(principal=principal, level=level, name=name)
        except DomainError as error:
            raise CommandError(error.detail) from None
        if as_json:
            self.stdout.write(
                json.dumps({"key": api_key.key, "secret": secret, "level": level, "reseller": found.slug})
            )
        else:
            self.stdout.write(f"key:    {api_key.key}\nsecret: {secret}\n(The secret is not shown again.)")
