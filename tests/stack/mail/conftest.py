"""The mail stack on loopback: Postfix, Dovecot (IMAP, LMTP, SASL, Sieve) and spamd, each started by this module
with the configuration `server_configuration` renders (what an operator installs), in a temporary directory, and
stopped at the end. A `Server` row points at them, so the services, the job runner and the real drivers
(`PostfixMailZoneDriver`, `DovecotMailboxDriver`) are what make the mailboxes and zones of the tests.

Mail is owned by Debian's `mail` user (uid 8) here, as `vmail` would own it on a real server.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import smtplib
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.test import override_settings

from apps.provisioning.drivers.base import ServerInfo
from apps.provisioning.drivers.mail import PostfixMailZoneDriver, server_configuration
from tests.stack.daemons import LOOPBACK, free_port, need, wait_for_port

MAIL_DRIVERS = {
    "mailbox": "apps.provisioning.drivers.mail.DovecotMailboxDriver",
    "mail_zone": "apps.provisioning.drivers.mail.PostfixMailZoneDriver",
}
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def _start(log: Path, *command: str) -> None:
    """Run a daemon's start command; its output goes to `log` (a pipe would be held open by the daemon)."""
    with open(log, "a") as output:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, timeout=60, check=False)
    assert done.returncode == 0, f"{' '.join(command)}: {log.read_text()[-2000:]}"


@pytest.fixture(scope="module")
def mail_stack():
    binaries = need("postfix", "postmap", "dovecot", "sievec", "/usr/sbin/spamd", "spamc")
    if os.geteuid() != 0:
        pytest.skip("the mail stack needs root: Postfix and Dovecot drop privileges to their own users")
    base = Path(tempfile.mkdtemp(prefix="paneel-mail-", dir="/tmp"))
    base.chmod(0o755)  # Postfix, Dovecot and the mail user walk into it
    root = base / "root"
    ports = {name: free_port() for name in ("smtp", "submission", "reinject", "lmtp", "imap", "sasl", "spamd")}
    services = {
        "postfix_config_directory": str(base / "postfix"),
        "postfix_queue_directory": str(base / "queue"),
        "postfix_data_directory": str(base / "data"),
        "postfix_maillog_file": str(base / "log" / "postfix.log"),
        "dovecot_config": str(base / "dovecot" / "dovecot.conf"),
        "dovecot_base_dir": str(base / "run"),
        "dovecot_state_dir": str(base / "state"),
        "dovecot_log_path": str(base / "log" / "dovecot.log"),
        "sieve_filter_directory": str(base / "sieve-filters"),
        "mail_listen_address": LOOPBACK,
        "mail_user": "mail",
        "auth_failure_delay": "0",
        "spamd_port": ports["spamd"],
        **{f"{name}_port": port for name, port in ports.items() if name != "spamd"},
    }
    server = ServerInfo(name="mail1", hostname="mail.paneel.test", root=str(root), services=services)
    for name, content in server_configuration(server, root).items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        path.chmod(0o755 if name.startswith("sieve-filters/") else 0o644)
    for directory in ("queue", "data", "log", "run", "state"):
        (base / directory).mkdir(exist_ok=True)
    shutil.chown(base / "data", "postfix")
    PostfixMailZoneDriver.for_server(server).rebuild_maps()  # empty maps, compiled, `postfix check`ed
    spamd = subprocess.Popen(
        [
            binaries["/usr/sbin/spamd"],
            f"--listen={LOOPBACK}:{ports['spamd']}",
            "--max-children=1",
            "--min-children=1",
            "-u",
            "nobody",
            "-x",
            "--syslog=stderr",
            "--pidfile",
            str(base / "spamd.pid"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=open(base / "log" / "spamd.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    try:
        _start(base / "log" / "start.log", "postfix", "-c", services["postfix_config_directory"], "start")
        _start(base / "log" / "start.log", "dovecot", "-c", services["dovecot_config"])
        for port in ("smtp", "imap", "lmtp", "spamd"):
            wait_for_port(ports[port], timeout=60)
        yield SimpleNamespace(base=base, root=root, ports=ports, services=services, server=server)
    finally:
        for stop in (
            ["postfix", "-c", services["postfix_config_directory"], "stop"],
            ["dovecot", "-c", services["dovecot_config"], "stop"],
        ):
            subprocess.run(
                stop, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
            )
        spamd.terminate()
        try:
            spamd.wait(timeout=20)
        except subprocess.TimeoutExpired:
            spamd.kill()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def mail_server(mail_stack, db, settings):
    """The `Server` row of the stack (role mail, the only one): new accounts get their mail placed on it."""
    from apps.servers.models import Server

    server = Server.objects.create(
        name="mail1",
        hostname="mail.paneel.test",
        ipv4_address=LOOPBACK,
        mail=True,
        provisioning_root=str(mail_stack.root),
        services=mail_stack.services,
    )
    with override_settings(PANEEL_DRIVERS={**settings.PANEEL_DRIVERS, **MAIL_DRIVERS}):
        yield server


# --- Talking to the stack like a mail client


def send(stack, *, sender: str, to: str, subject: str = "Hello", body: str = "Hi there.", headers=None) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    with smtplib.SMTP(LOOPBACK, stack.ports["smtp"], timeout=30) as smtp:
        smtp.send_message(message, from_addr=sender, to_addrs=[to])


def maildir_messages(stack, address: str, folder: str = "") -> list[str]:
    """The messages in a mailbox's Maildir folder (INBOX, or ".Junk" and the like), as text."""
    local, _, domain = address.partition("@")
    maildir = stack.root / "mail" / domain / local / "Maildir" / folder
    found = []
    for part in ("new", "cur"):
        directory = maildir / part
        if directory.is_dir():
            found += [path.read_text(errors="replace") for path in sorted(directory.iterdir()) if path.is_file()]
    return found


def wait_for_messages(stack, address: str, count: int, folder: str = "", timeout: float = 30.0) -> list[str]:
    """Poll until the folder holds at least `count` messages (fail the test after `timeout` s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = maildir_messages(stack, address, folder)
        if len(messages) >= count:
            return messages
        time.sleep(0.1)
    log = [
        line
        for name in ("postfix.log", "dovecot.log")
        for line in (stack.base / "log" / name).read_text(errors="replace").splitlines()[-12:]
    ]
    pytest.fail(
        f"{address}{folder} has {len(maildir_messages(stack, address, folder))} messages, not {count}:\n"
        + "\n".join(log)
    )


def settle(stack, seconds: float = 1.5) -> None:
    """Wait until Postfix has nothing in flight (no message file in its incoming or active queue; a deferred one,
    e.g. an auto-reply to an outside domain the stack cannot reach, waits minutes for its retry), then a moment
    more."""
    deadline = time.monotonic() + 30
    queue = Path(stack.services["postfix_queue_directory"])
    while time.monotonic() < deadline:
        in_flight = (path for part in ("incoming", "active") for path in (queue / part).rglob("*"))
        if not any(path.is_file() for path in in_flight):
            break
        time.sleep(0.1)
    time.sleep(seconds)


def imap_login(stack, user: str, password: str) -> imaplib.IMAP4:
    connection = imaplib.IMAP4(LOOPBACK, stack.ports["imap"], timeout=30)
    connection.login(user, password)
    return connection
