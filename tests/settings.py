"""Test settings: the real settings, with a fast password hasher and jobs run in-process on commit."""

import os
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The least SHA-512-crypt allows: asset password hashes are pure Python, and the suite makes hundreds of them.
PANEEL_CRYPT_ROUNDS = 1000
# Unit tests run jobs in-process when a transaction commits; tests/integration runs a real worker instead.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
PANEEL_PROVISIONING_ROOT = Path(os.environ.get("PANEEL_TEST_PROVISIONING_ROOT") or tempfile.mkdtemp(prefix="paneel-"))
