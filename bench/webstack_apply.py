"""How long the web-stack driver takes per hosting on real daemons: create, an update that changes nothing, an
update that reloads nginx and PHP-FPM, delete; and whether a reload slows with many hostings on the server.

Runs as root (it creates system users named pnh8a_*, removed at the end), starts its own nginx and PHP-FPM on
loopback with the `stack` suite's set-up (tests/stack/web/conftest.py), and prints medians; it asserts nothing.

    .venv/bin/python bench/webstack_apply.py --hostings 50
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import django  # noqa: E402

django.setup()

from apps.provisioning.drivers.webstack import WebStackDriver  # noqa: E402
from tests.stack.web.conftest import WebStack, make_spec, remove_test_users, with_details  # noqa: E402


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hostings", type=int, default=20)
    options = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("run as root: the driver creates system users")
    base = Path(tempfile.mkdtemp(prefix="paneel-bench-webstack-", dir="/tmp"))
    base.chmod(0o755)
    stack = WebStack(base)
    try:
        stack.start_web()
        driver = WebStackDriver.for_server(stack.server)
        specs = [make_spec(stack) for _ in range(options.hostings)]
        creates = [timed(lambda spec=spec: driver.create(spec)) for spec in specs]
        noops = [timed(lambda spec=spec: driver.update(spec)) for spec in specs]
        changes = [timed(lambda spec=spec: driver.update(with_details(spec, php_memory_limit=256))) for spec in specs]
        deletes = [timed(lambda spec=spec: driver.delete(spec)) for spec in specs]
        for name, values in (("create", creates), ("update, nothing changed", noops),
                             ("update, nginx + PHP-FPM reload", changes), ("delete", deletes)):  # fmt: skip
            print(f"{name:32} median {statistics.median(values) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms")
        first, last = creates[0] * 1000, creates[-1] * 1000
        print(f"first create {first:.1f} ms, last create {last:.1f} ms ({options.hostings} hostings)")
    finally:
        stack.stop()
        remove_test_users()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
