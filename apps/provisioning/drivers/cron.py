"""Scheduled tasks as the site user's crontab (Debian cron).

The crontab is written straight into cron's spool directory (`cron_spool_dir`, Debian: /var/spool/cron/crontabs),
as `crontab(1)` would leave it: owned by the user and group ``crontab``, mode 0600, replaced atomically (cron
notices the directory's new modification time and rereads it). Schedules are checked here, field by field, so cron
never sees a line it would reject; a disabled task stays in the file as a comment, and a suspended hosting or one
without enabled tasks has no crontab at all.
"""

from __future__ import annotations

import grp
import os
import re
import shlex
import tempfile
from pathlib import Path

from apps.provisioning.drivers.base import DriverError

MACROS = {"@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"}
MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
DAYS = {name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
# (low, high, names) per field: minute, hour, day of month, month, day of week (0 and 7 are Sunday).
FIELDS = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, MONTHS), (0, 7, DAYS))
ITEM = re.compile(r"^(?P<range>\*|[0-9a-z]+(?:-[0-9a-z]+)?)(?:/(?P<step>[0-9]+))?$")


def _value(text: str, low: int, high: int, names: dict[str, int]) -> int:
    if text.isdigit():
        value = int(text)
    elif text in names:
        value = names[text]
    else:
        raise ValueError(text)
    if not low <= value <= high:
        raise ValueError(text)
    return value


def checked_cron_expression(expression: object) -> str:
    """`expression` normalised (single spaces, lowercase) if cron accepts it, else `DriverError` (invalid_spec).

    Five fields (minute hour day-of-month month day-of-week) of ``*``, numbers, ranges, lists and steps, month and
    day names, or a macro such as ``@daily`` (not ``@reboot``: a hosting has no boot).
    """
    if not isinstance(expression, str) or len(expression) > 100:
        raise DriverError("The schedule must be a cron expression.", code="invalid_spec")
    text = expression.strip().lower()
    if text in MACROS:
        return text
    fields = text.split()
    if len(fields) != 5:
        raise DriverError(
            f"The schedule {expression[:100]!r} must have 5 fields: minute hour day month weekday.", code="invalid_spec"
        )
    for field, (low, high, names) in zip(fields, FIELDS, strict=True):
        try:
            for item in field.split(","):
                match = ITEM.match(item)
                if match is None:
                    raise ValueError(item)
                step = match.group("step")
                if step is not None and not 1 <= int(step) <= high:
                    raise ValueError(item)
                if match.group("range") != "*":
                    first, _, last = match.group("range").partition("-")
                    start = _value(first, low, high, names)
                    if last and _value(last, low, high, names) < start:
                        raise ValueError(item)
        except ValueError:
            raise DriverError(
                f"The schedule {expression[:100]!r} is not a valid cron expression.", code="invalid_spec"
            ) from None
    return " ".join(fields)


def render_crontab(*, domain: str, home: str, php_binary: str, tasks) -> str | None:
    """The user's crontab, or None when nothing is to run. Each task runs from the home directory; a ``.php``
    script runs with the hosting's PHP version, anything else is executed itself (its ``#!`` line decides)."""
    lines = [
        f"# Managed by Paneel: scheduled tasks of linux_hosting {domain}. Rewritten on every change.",
        "SHELL=/bin/sh",
        f"HOME={home}",
        'MAILTO=""',
    ]
    if not any(task.enabled for task in tasks):
        return None
    for task in tasks:
        script = home + task.script_location
        command = f"{shlex.quote(php_binary)} {shlex.quote(script)}" if script.endswith(".php") else shlex.quote(script)
        line = f"{task.cron_expression} cd {shlex.quote(home)} && {command}"
        lines.append(f"# task {task.id}")
        lines.append(line if task.enabled else f"# disabled: {line}")
    return "\n".join(lines) + "\n"


def write_crontab(spool_dir: Path, user: str, uid: int, content: str | None) -> bool:
    """Install (or with None remove) `user`'s crontab in `spool_dir`; True if anything changed."""
    path = spool_dir / user
    if content is None:
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True
    data = content.encode()
    try:
        if path.read_bytes() == data and path.stat().st_uid == uid:
            return False
    except FileNotFoundError:
        pass
    try:
        gid = grp.getgrnam("crontab").gr_gid
    except KeyError:
        gid = -1
    # A dot name: cron skips it while it is being written.
    descriptor, temporary = tempfile.mkstemp(dir=spool_dir, prefix=".paneel-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), 0o600)
            os.fchown(stream.fileno(), uid, gid)
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        raise DriverError(f"Could not install the crontab of {user}: {exc.strerror}.", code="cron_error") from exc
    finally:
        Path(temporary).unlink(missing_ok=True)
    return True
