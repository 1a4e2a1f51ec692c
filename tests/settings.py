"""Test settings: the real settings, with a fast password hasher and jobs run in-process on commit."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The least SHA-512-crypt allows: asset password hashes are pure Python, and the suite makes hundreds of them.
PANEEL_CRYPT_ROUNDS = 1000
# Unit tests run jobs in-process when a transaction commits; tests/integration runs a real worker instead.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
if os.environ.get("PANEEL_TEST_PROVISIONING_ROOT"):  # a worker process of tests/integration, in its test's directory
    PANEEL_PROVISIONING_ROOT = Path(os.environ["PANEEL_TEST_PROVISIONING_ROOT"])
else:
    PANEEL_PROVISIONING_ROOT = Path(tempfile.mkdtemp(prefix="paneel-"))
    atexit.register(shutil.rmtree, PANEEL_PROVISIONING_ROOT, ignore_errors=True)
# Webhook deliveries made by the suite (a live server commits, and the immediate backend then delivers) never leave
# this machine: only the networks a test allows (its loopback receiver) are reached.
PANEEL_WEBHOOK_ALLOW_PUBLIC = False
