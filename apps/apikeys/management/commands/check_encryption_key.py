"""`manage.py check_encryption_key`: proves the configured keys decrypt every stored secret.

Exits non-zero, naming the keys, when a stored secret decrypts with none of `PANEEL_ENCRYPTION_KEY` and
`PANEEL_ENCRYPTION_OLD_KEYS` (their API requests would all fail), and says how many still need
`rotate_encryption_key` (they decrypt only with an old key).
"""

from django.core.management.base import BaseCommand, CommandError

from apps.apikeys.models import ApiKey
from apps.core.crypto import InvalidToken, decrypt, decrypts_with_current_key


class Command(BaseCommand):
    help = "Check that the configured encryption keys decrypt every stored API-key secret."

    def handle(self, *args, **options):
        unreadable, old_key_only, total = [], 0, 0
        for key, token in ApiKey.objects.values_list("key", "secret_encrypted").iterator():
            total += 1
            try:
                decrypt(token)
            except InvalidToken:
                unreadable.append(key)
                continue
            if not decrypts_with_current_key(token):
                old_key_only += 1
        if unreadable:
            raise CommandError(
                f"{len(unreadable)} of {total} stored API-key secrets decrypt with no configured key: "
                + ", ".join(k[:8] + "…" for k in unreadable)
            )
        self.stdout.write(
            f"All {total} stored API-key secrets decrypt; {old_key_only} only with an old key"
            + (" (run rotate_encryption_key)." if old_key_only else ".")
        )
