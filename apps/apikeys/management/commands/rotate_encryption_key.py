"""`manage.py rotate_encryption_key`: re-encrypts every stored secret with `PANEEL_ENCRYPTION_KEY`.

Rotation: set the new key as `PANEEL_ENCRYPTION_KEY` and the old one in `PANEEL_ENCRYPTION_OLD_KEYS`, run this,
then remove the old key. Nothing changes when a secret decrypts with no configured key (the command fails first,
in one transaction, so a half-rotated database never remains).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from apps.apikeys.models import ApiKey
from apps.core.crypto import InvalidToken, decrypts_with_current_key, reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every stored API-key secret with the current PANEEL_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        rotated = 0
        with transaction.atomic():
            api_keys = list(ApiKey.objects.select_for_update().only("pk", "key", "secret_encrypted").order_by("pk"))
            for api_key in api_keys:
                if decrypts_with_current_key(api_key.secret_encrypted):
                    continue
                try:
                    api_key.secret_encrypted = reencrypt(api_key.secret_encrypted)
                except InvalidToken:
                    raise CommandError(
                        f"The secret of API key {api_key.key[:8]}… decrypts with no configured key; "
                        "nothing was changed."
                    ) from None
                api_key.save(update_fields=["secret_encrypted"])
                rotated += 1
        self.stdout.write(f"Re-encrypted {rotated} of {len(api_keys)} stored API-key secrets with the current key.")
