"""Mail drivers: mailboxes (Dovecot passwd-file, Maildir, Sieve) and mail zones (Postfix virtual maps, anti-spam).

Files under the provisioning root of the mail server (the local drivers write the same files, for a sysadmin to
point the daemons at; the Postfix/Dovecot drivers also compile, check and reload)::

    <root>/mail/
      passwd                                   Dovecot passwd-file (local.MailboxDriver): auth, home, quota
      <domain>/<local part>/Maildir/           the mailbox (usage is measured here)
      <domain>/<local part>/.dovecot.sieve     auto-reply (vacation) and auto-forward (redirect), if any
      zones/<domain>/virtual                   the zone's Postfix virtual alias lines: aliases, catch-all, SMTP domains
      zones/<domain>/alias_domains             its enabled extra SMTP domains
      zones/<domain>/before.sieve              its anti-spam step (SpamAssassin through spamc), run before the
                                               mailbox's own script (Dovecot `sieve_before`)
      postfix/{domains,mailboxes,aliases,alias_domains}   Postfix hash maps, rebuilt from all of the above

Why SpamAssassin and not rspamd: Debian's `spamassassin`/`spamd` need no Redis and no web UI, their GTUBE and
rules work offline, and `spamc` plugs into Dovecot's Sieve `filter` (Pigeonhole's extprograms), which is where
the per-zone choice lives: the zone's before-script runs the filter only when the zone asks for it. rspamd would
need a milter on Postfix with its own per-domain settings store.

Every file is written atomically; the maps are rebuilt under an exclusive lock, each compiled by `postmap` into
a temporary file first and renamed into place after it, then `postfix check` runs before `postfix reload`. Sieve
scripts are compiled by `sievec` before they replace the old ones: a script that does not compile changes
nothing.
"""

from __future__ import annotations

import datetime
import fcntl
import grp
import math
import os
import pwd
import re
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from apps.provisioning.drivers.base import AssetSpec, DriverError, ServerInfo
from apps.provisioning.drivers.local import (
    CONFIG_FILE_MODE,
    CREDENTIAL_FILE_MODE,
    PUBLIC_DIR_MODE,
    LocalDriver,
    MailboxDriver,
    checked_address,
    checked_domain,
)

ANTI_SPAM_TYPES = ("none", "basic", "advanced")
DEFAULT_ANTI_SPAM = "basic"
SPAM_FILTER = "spamc"  # the program name in Dovecot's sieve_filter_bin_dir (server_configuration writes it)
MAX_SUBJECT = 200
MAX_MESSAGE = 4000
DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
COMMAND_TIMEOUT = 60


def sieve_string(value: str) -> str:
    """A Sieve quoted string (RFC 5228 2.4.2): backslash and double quote escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def checked_addresses(value: Any, what: str) -> list[str]:
    if not isinstance(value, list | tuple):
        raise DriverError(f"{what} must be a list of e-mail addresses.", code="invalid_spec")
    for address in value:
        checked_address(address)
    return list(value)


# --- What the files say


def zone_virtual_lines(spec: AssetSpec) -> tuple[list[str], list[str]]:
    """(virtual alias lines, alias domain lines) of a zone spec, validated."""
    domain = checked_domain(spec.name)
    details = spec.details
    lines: list[str] = []
    for alias in details.get("aliases") or []:
        if not isinstance(alias, dict):
            raise DriverError("details.aliases holds objects.", code="invalid_spec")
        local, alias_domain = checked_address(alias.get("email_address"))
        if alias_domain != domain:
            raise DriverError(f"Alias {local}@{alias_domain} is not on {domain}.", code="invalid_spec")
        destinations = checked_addresses(alias.get("destinations"), "An alias's destinations")
        if destinations:
            lines.append(f"{local}@{domain} {', '.join(destinations)}")
    catch_all = checked_addresses(details.get("catch_all") or [], "details.catch_all")
    if catch_all:
        lines.append(f"@{domain} {', '.join(catch_all)}")
    alias_domains: list[str] = []
    for smtp_domain in details.get("smtp_domains") or []:
        if not isinstance(smtp_domain, dict):
            raise DriverError("details.smtp_domains holds objects.", code="invalid_spec")
        host = checked_domain(smtp_domain.get("hostname"), "SMTP domain")
        if smtp_domain.get("enabled", True):
            lines.append(f"@{host} @{domain}")
            alias_domains.append(f"{host} OK")
    return lines, alias_domains


def anti_spam_script(anti_spam: str) -> str | None:
    """The zone's before-script: None for `none`; `basic` marks spam; `advanced` also files it into Junk."""
    if anti_spam not in ANTI_SPAM_TYPES:
        raise DriverError(f"details.anti_spam must be one of {', '.join(ANTI_SPAM_TYPES)}.", code="invalid_spec")
    if anti_spam == "none":
        return None
    head = "# Managed by Paneel: the zone's anti-spam step, before each mailbox's own script.\n"
    if anti_spam == "basic":
        return head + f'require ["vnd.dovecot.filter"];\nfilter {sieve_string(SPAM_FILTER)};\n'
    return head + (
        'require ["vnd.dovecot.filter", "fileinto", "mailbox"];\n'
        f"filter {sieve_string(SPAM_FILTER)};\n"
        'if header :is "X-Spam-Flag" "YES" {\n    fileinto :create "Junk";\n    stop;\n}\n'
    )


def mailbox_script(spec: AssetSpec) -> str | None:
    """The mailbox's own Sieve script from its auto-reply and auto-forward, or None when neither is on."""
    address = spec.name
    reply = spec.details.get("auto_reply") or {}
    forward = spec.details.get("auto_forward") or {}
    if not isinstance(reply, dict) or not isinstance(forward, dict):
        raise DriverError("details.auto_reply and auto_forward are objects.", code="invalid_spec")
    replying, forwarding = bool(reply.get("enabled")), bool(forward.get("enabled"))
    targets = checked_addresses(forward.get("email_addresses") or [], "auto_forward.email_addresses")
    forwarding = forwarding and bool(targets)
    if not replying and not forwarding:
        return None
    needs = []
    lines = [
        f"# Managed by Paneel: auto-reply and auto-forward of {address}. Rewritten on every change.",
        "# Spam (marked by the zone's anti-spam step) is kept, never answered or forwarded.",
        'if header :is "X-Spam-Flag" "YES" {\n    keep;\n    stop;\n}',
    ]
    if replying:
        subject, message = reply.get("subject") or "", reply.get("message") or ""
        if not isinstance(subject, str) or "\n" in subject or "\r" in subject or len(subject) > MAX_SUBJECT:
            raise DriverError("auto_reply.subject must be one short line.", code="invalid_spec")
        if not isinstance(message, str) or not message.strip() or len(message) > MAX_MESSAGE:
            raise DriverError("auto_reply.message must be a text.", code="invalid_spec")
        needs.append("vacation")
        vacation = (
            f"vacation :days 1 :from {sieve_string(address)} :addresses [{sieve_string(address)}]"
            + (f" :subject {sieve_string(subject)}" if subject else "")
            + f" {sieve_string(message)};"
        )
        window = []
        for key, relation in (("start_date", "ge"), ("end_date", "le")):
            value = reply.get(key)
            if value in (None, ""):
                continue
            if not isinstance(value, str) or not DATE.match(value):
                raise DriverError(f"auto_reply.{key} must be a date (YYYY-MM-DD).", code="invalid_spec")
            datetime.date.fromisoformat(value)
            window.append(f'currentdate :value "{relation}" "date" {sieve_string(value)}')
        if window:
            needs += ["date", "relational"]
            lines.append(f"if allof({', '.join(window)}) {{\n    {vacation}\n}}")
        else:
            lines.append(vacation)
    if forwarding:
        copy = bool(forward.get("copy_to_myself"))
        if copy:
            needs.append("copy")
        lines += [f"redirect {':copy ' if copy else ''}{sieve_string(target)};" for target in targets]
    requires = [f"require [{', '.join(sieve_string(name) for name in needs)}];"] if needs else []
    return "\n".join([lines[0], lines[1], *requires, *lines[2:], ""])


class MailFilesMixin:
    """The mail tree of one server and the rebuild of Postfix's maps from it (shared by both mail drivers)."""

    root: Path
    real = False  # the Postfix/Dovecot drivers also compile, check and reload

    @property
    def mail_root(self) -> Path:
        return self.root / "mail"

    @property
    def postfix_maps(self) -> Path:
        return self.mail_root / "postfix"

    def zone_path(self, domain: str) -> Path:
        return self.mail_root / "zones" / checked_domain(domain)

    # -- the maps

    def rebuild_maps(self) -> None:
        """Write Postfix's maps from the passwd-file and every zone, under an exclusive lock."""
        maps = self._directory(self.postfix_maps, PUBLIC_DIR_MODE)
        lock = os.open(maps / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, CREDENTIAL_FILE_MODE)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            mailboxes = self._mailbox_addresses()
            domains = {address.rpartition("@")[2] for address in mailboxes}
            virtual = [f"{address} {address}" for address in mailboxes]  # before any catch-all of their domain
            alias_domains: list[str] = []
            zones = self.mail_root / "zones"
            for zone in sorted(zones.iterdir()) if zones.is_dir() else []:
                virtual_file = zone / "virtual"
                if not virtual_file.is_file():
                    continue
                domains.add(zone.name)
                virtual += [line for line in virtual_file.read_text().splitlines() if line.strip()]
                if (zone / "alias_domains").is_file():
                    alias_domains += [line for line in (zone / "alias_domains").read_text().splitlines() if line]
            self._publish_map(maps / "domains", [f"{domain} OK" for domain in sorted(domains)])
            self._publish_map(maps / "mailboxes", [f"{address} OK" for address in mailboxes])
            self._publish_map(maps / "aliases", virtual)
            self._publish_map(maps / "alias_domains", sorted(set(alias_domains)))
            self._maps_changed()
        finally:
            os.close(lock)

    def _mailbox_addresses(self) -> list[str]:
        passwd = self.mail_root / "passwd"
        try:
            lines = passwd.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return sorted({line.split(":", 1)[0] for line in lines if line and not line.startswith("#")})

    def _publish_map(self, path: Path, lines: list[str]) -> None:
        self._write_file(path, "".join(f"{line}\n" for line in lines), CONFIG_FILE_MODE)

    def _maps_changed(self) -> None:
        pass

    # -- the zone's defaults, for a domain whose first mailbox comes before any zone setting

    def ensure_zone(self, domain: str) -> None:
        zone = self.zone_path(domain)
        if (zone / "virtual").exists():
            return
        self._write_zone(domain, [], [], anti_spam_script(DEFAULT_ANTI_SPAM))

    def _write_zone(self, domain: str, virtual: list[str], alias_domains: list[str], before: str | None) -> None:
        zones = self._directory(self.mail_root / "zones", PUBLIC_DIR_MODE)
        zone = self._directory(zones / checked_domain(domain), PUBLIC_DIR_MODE)
        # The script first: a zone whose script does not compile keeps its old files.
        self._place_sieve(zone / "before.sieve", before)
        self._write_file(zone / "alias_domains", "".join(f"{line}\n" for line in alias_domains), CONFIG_FILE_MODE)
        self._write_file(zone / "virtual", "".join(f"{line}\n" for line in virtual), CONFIG_FILE_MODE)

    def _place_sieve(self, path: Path, script: str | None, *, owner: bool = False) -> None:
        """Write (or with None remove) a Sieve script and its compiled form."""
        compiled = path.with_suffix(".svbin")
        if script is None:
            path.unlink(missing_ok=True)
            compiled.unlink(missing_ok=True)
            return
        self._write_file(path, script, CONFIG_FILE_MODE)
        compiled.unlink(missing_ok=True)  # Dovecot compiles the new script (the real driver: sievec did)


class MailZoneDriver(MailFilesMixin, LocalDriver):
    """A mail zone: the domain's aliases, catch-all, extra SMTP domains and anti-spam step.

    details: ``{"anti_spam": "none"|"basic"|"advanced", "catch_all": [addr], "aliases": [{"email_address",
    "destinations": [addr]}], "smtp_domains": [{"hostname", "enabled"}]}``.
    """

    asset_type = "mail_zone"

    def _checked(self, spec: AssetSpec) -> AssetSpec:
        spec = super()._checked(spec)
        zone_virtual_lines(spec)
        anti_spam_script(spec.details.get("anti_spam", DEFAULT_ANTI_SPAM))
        return spec

    def _apply(self, spec: AssetSpec) -> None:
        virtual, alias_domains = zone_virtual_lines(spec)
        self._write_zone(spec.name, virtual, alias_domains, anti_spam_script(spec.details.get("anti_spam", "basic")))
        self.rebuild_maps()

    def _remove(self, spec: AssetSpec) -> None:
        self._remove_tree(self.zone_path(spec.name))
        self.rebuild_maps()

    def _measured_path(self, spec: AssetSpec) -> Path:
        return self.zone_path(spec.name)


class LocalMailboxDriver(MailFilesMixin, MailboxDriver):
    """A mailbox: its passwd-file line and Maildir (local.MailboxDriver), its Sieve script, and the maps."""

    def _checked(self, spec: AssetSpec) -> AssetSpec:
        spec = super()._checked(spec)
        mailbox_script(spec)
        return spec

    def _apply(self, spec: AssetSpec) -> None:
        super()._apply(spec)
        home = self.home_path(spec.name)
        self._place_sieve(home / ".dovecot.sieve", mailbox_script(spec), owner=True)
        self._own_mailbox(home)
        self.ensure_zone(spec.name.rpartition("@")[2])
        self.rebuild_maps()

    def _remove(self, spec: AssetSpec) -> None:
        super()._remove(spec)
        self.rebuild_maps()

    def _measured_path(self, spec: AssetSpec) -> Path:
        return self.home_path(spec.name) / "Maildir"

    def _own_mailbox(self, home: Path) -> None:
        pass


class DaemonsMixin:
    """What the Postfix/Dovecot drivers add to the local ones: the mail user owns the mail, `sievec` compiles,
    `postmap` builds the maps, `postfix check` before `postfix reload`. Paths come from the server's `services`
    (README, "Mail"), with Debian's defaults."""

    real = True
    services: Mapping[str, Any] = MappingProxyType({})

    @classmethod
    def for_server(cls, server: ServerInfo | None):
        driver = cls(root=Path(server.root) if server is not None and server.root else None)
        driver.services = dict(server.services) if server is not None else {}
        return driver

    @property
    def postfix_config(self) -> str:
        return str(self.services.get("postfix_config_directory") or "/etc/postfix")

    @property
    def dovecot_config(self) -> str:
        return str(self.services.get("dovecot_config") or "/etc/dovecot/dovecot.conf")

    def _run(self, *command: str) -> subprocess.CompletedProcess:
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)  # noqa: S603 (argv list, no shell)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DriverError(f"{command[0]} could not run: {exc}", code="mail_error") from exc
        return done

    def _must(self, *command: str) -> None:
        done = self._run(*command)
        if done.returncode != 0:
            output = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise DriverError(f"{Path(command[0]).name} failed: {' '.join(output)[:500]}", code="mail_error")

    # -- maps: compiled beside, renamed into place

    def _publish_map(self, path: Path, lines: list[str]) -> None:
        content = "".join(f"{line}\n" for line in lines)
        database = path.with_name(path.name + ".db")
        if database.exists() and path.exists() and path.read_text() == content:
            return
        temporary = path.with_name(f".{path.name}.new")
        self._write_file(temporary, content, CONFIG_FILE_MODE)
        try:
            self._must("postmap", "-c", self.postfix_config, f"hash:{temporary}")
            os.replace(temporary.with_name(temporary.name + ".db"), database)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
            temporary.with_name(temporary.name + ".db").unlink(missing_ok=True)

    def _maps_changed(self) -> None:
        self._must("postfix", "-c", self.postfix_config, "check")
        if self._run("postfix", "-c", self.postfix_config, "status").returncode == 0:
            self._must("postfix", "-c", self.postfix_config, "reload")

    # -- Sieve: compiled before it replaces anything

    def _place_sieve(self, path: Path, script: str | None, *, owner: bool = False) -> None:
        compiled = path.with_suffix(".svbin")
        if script is None:
            path.unlink(missing_ok=True)
            compiled.unlink(missing_ok=True)
            return
        temporary = path.with_name(f".{path.stem}.new.sieve")
        temporary_compiled = temporary.with_suffix(".svbin")
        self._write_file(temporary, script, CONFIG_FILE_MODE)
        try:
            self._must("sievec", "-c", self.dovecot_config, str(temporary), str(temporary_compiled))
            os.chmod(temporary_compiled, CONFIG_FILE_MODE)
            if owner:
                for made in (temporary, temporary_compiled):
                    self._chown(made)
            os.replace(temporary, path)
            os.replace(temporary_compiled, compiled)  # after the script, so it is the newer of the two
        finally:
            temporary.unlink(missing_ok=True)
            temporary_compiled.unlink(missing_ok=True)

    # -- ownership: the mail user reads and writes the mailboxes

    def mail_owner(self) -> tuple[int, int]:
        """(uid, gid) of `services.mail_user` ("vmail", or "uid:gid")."""
        user = str(self.services.get("mail_user") or "vmail")
        if re.fullmatch(r"[0-9]+:[0-9]+", user):
            uid, gid = user.split(":")
            return int(uid), int(gid)
        try:
            entry = pwd.getpwnam(user)
        except KeyError:
            raise DriverError(f"The mail user {user!r} does not exist on this server.", code="mail_error") from None
        group = self.services.get("mail_group")
        return entry.pw_uid, grp.getgrnam(group).gr_gid if group else entry.pw_gid

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            uid, gid = self.mail_owner()
            os.chown(path, uid, gid, follow_symlinks=False)

    def _own_mailbox(self, home: Path) -> None:
        # The mail processes traverse mail/ (never list it: the passwd-file stays the auth process's).
        # Set-group-id: the passwd-file (rewritten by rename) is always created in Dovecot's group, whose auth
        # process reads it; others only traverse.
        if os.geteuid() == 0:
            auth_group = grp.getgrnam(str(self.services.get("dovecot_group") or "dovecot")).gr_gid
            os.chown(self.mail_root, -1, auth_group)
            passwd = self.mail_root / "passwd"
            if passwd.exists():
                os.chown(passwd, -1, auth_group)
        os.chmod(self.mail_root, 0o2711)  # noqa: S103 (traverse only: no listing, no reading)
        self._chown(home.parent)
        for path in (home, home / "Maildir", *[home / "Maildir" / part for part in ("cur", "new", "tmp")]):
            self._chown(path)


class PostfixMailZoneDriver(DaemonsMixin, MailZoneDriver):
    """The mail zone on a Postfix + Dovecot server."""


class DovecotMailboxDriver(DaemonsMixin, LocalMailboxDriver):
    """The mailbox on a Postfix + Dovecot server."""

    def _apply(self, spec: AssetSpec) -> None:
        self.mail_owner()  # refuse before anything is written when the mail user is missing
        super()._apply(spec)

    def _set_line(self, path: Path, key: str, line: str | None) -> bool:
        """Dovecot looks at its passwd-file at most once a second (at the first lookup of each second): a change
        written in the second of its last look is seen from the next second on. Waiting into that second before
        the job ends makes a new mailbox, password or suspension live when its job says it is finished."""
        changed = super()._set_line(path, key, line)
        if changed:
            written = time.time()
            time.sleep(max(0.0, math.floor(written) + 1 - written))
        return changed


# --- The daemons' own configuration, rendered from a server's services (tests start exactly this)


def server_configuration(server: ServerInfo, root: Path) -> dict[str, str]:
    """Postfix's main.cf and master.cf, Dovecot's dovecot.conf and the spam filter wrapper for `server`,
    by file name relative to a configuration directory the operator installs them from (README, "Mail")."""
    s = dict(server.services)
    mail = Path(root) / "mail"
    postfix_dir = s.get("postfix_config_directory", "/etc/postfix")
    listen = s.get("mail_listen_address", "*")
    smtp, submission = s.get("smtp_port", 25), s.get("submission_port", 587)
    lmtp, imap, auth = s.get("lmtp_port", 24), s.get("imap_port", 143), s.get("sasl_port", 12345)
    reinject = s.get("reinject_port", 10025)
    user = str(s.get("mail_user", "vmail"))
    uid, gid = (user.split(":") + [""])[:2] if ":" in user else (user, s.get("mail_group", user))
    filters = s.get("sieve_filter_directory", "/etc/dovecot/sieve-filters")
    bind = "" if listen == "*" else f"{listen}:"
    maps = mail / "postfix"
    main_cf = {
        "compatibility_level": "3.6",
        "config_directory": postfix_dir,
        "queue_directory": s.get("postfix_queue_directory", "/var/spool/postfix"),
        "data_directory": s.get("postfix_data_directory", "/var/lib/postfix"),
        "mail_owner": "postfix",
        "setgid_group": "postdrop",
        "myhostname": server.hostname,
        "mydestination": "",
        "inet_interfaces": "all" if listen == "*" else listen,
        "inet_protocols": "all" if listen == "*" else "ipv4",
        "mynetworks": "127.0.0.0/8",
        # Port 25 relays for nobody (mail for our domains only); Dovecot's own replies and forwards come in on
        # the loopback reinjection port, the only one that relays for mynetworks.
        "smtpd_relay_restrictions": "permit_sasl_authenticated, reject_unauth_destination",
        "virtual_mailbox_domains": f"hash:{maps}/domains",
        "virtual_mailbox_maps": f"hash:{maps}/mailboxes",
        "virtual_alias_domains": f"hash:{maps}/alias_domains",
        "virtual_alias_maps": f"hash:{maps}/aliases",
        "virtual_transport": f"lmtp:inet:127.0.0.1:{lmtp}",
        "smtpd_sasl_type": "dovecot",
        "smtpd_sasl_path": f"inet:127.0.0.1:{auth}",
        "alias_maps": "",
        "alias_database": "",
        "biff": "no",
        "smtputf8_enable": "no",
    }
    if s.get("postfix_maillog_file"):
        main_cf["maillog_file"] = s["postfix_maillog_file"]
        main_cf["maillog_file_prefixes"] = str(Path(s["postfix_maillog_file"]).parent)
    services = [
        ("pickup", "unix", "n", "n", "60", "1", "pickup"),
        ("cleanup", "unix", "n", "n", "-", "0", "cleanup"),
        ("qmgr", "unix", "n", "n", "300", "1", "qmgr"),
        ("tlsmgr", "unix", "-", "n", "1000?", "1", "tlsmgr"),
        ("rewrite", "unix", "-", "n", "-", "-", "trivial-rewrite"),
        ("bounce", "unix", "-", "n", "-", "0", "bounce"),
        ("defer", "unix", "-", "n", "-", "0", "bounce"),
        ("trace", "unix", "-", "n", "-", "0", "bounce"),
        ("verify", "unix", "-", "n", "-", "1", "verify"),
        ("flush", "unix", "n", "n", "1000?", "0", "flush"),
        ("proxymap", "unix", "-", "n", "-", "-", "proxymap"),
        ("smtp", "unix", "-", "n", "-", "-", "smtp"),
        ("relay", "unix", "-", "n", "-", "-", "smtp"),
        ("showq", "unix", "n", "n", "-", "-", "showq"),
        ("error", "unix", "-", "n", "-", "-", "error"),
        ("retry", "unix", "-", "n", "-", "-", "error"),
        ("discard", "unix", "-", "n", "-", "-", "discard"),
        ("lmtp", "unix", "-", "n", "-", "-", "lmtp"),
        ("anvil", "unix", "-", "n", "-", "1", "anvil"),
        ("scache", "unix", "-", "n", "-", "1", "scache"),
        ("postlog", "unix-dgram", "n", "n", "-", "1", "postlogd"),
    ]
    master_cf = [
        "# Managed by Paneel (apps/provisioning/drivers/mail.py server_configuration).",
        f"{bind}{smtp} inet n - n - - smtpd",
        f"{bind}{submission} inet n - n - - smtpd",
        "  -o smtpd_sasl_auth_enable=yes",
        "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject",
        f"127.0.0.1:{reinject} inet n - n - - smtpd",
        "  -o smtpd_relay_restrictions=permit_mynetworks,reject",
        *[
            f"{name} {kind} {private} - {chroot} {wake} {limit} {command}"
            for name, kind, private, chroot, wake, limit, command in services
        ],
    ]
    passwd = mail / "passwd"
    dovecot = f"""# Managed by Paneel (apps/provisioning/drivers/mail.py server_configuration).
protocols = imap lmtp
listen = {listen}
base_dir = {s.get("dovecot_base_dir", "/run/dovecot")}
state_dir = {s.get("dovecot_state_dir", "/var/lib/dovecot")}
{f"log_path = {s['dovecot_log_path']}" if s.get("dovecot_log_path") else ""}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = {s.get("auth_failure_delay", "2 secs")}
mail_location = maildir:~/Maildir
mail_uid = {uid}
mail_gid = {gid}
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = dovecot
default_login_user = dovenull
mail_plugins = $mail_plugins quota
passdb {{
  driver = passwd-file
  args = scheme=SHA512-CRYPT {passwd}
}}
userdb {{
  driver = passwd-file
  args = {passwd}
}}
service imap-login {{
  inet_listener imap {{
    port = {imap}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp}
  }}
}}
service auth {{
  inet_listener sasl {{
    address = 127.0.0.1
    port = {auth}
  }}
}}
protocol imap {{
  mail_plugins = $mail_plugins imap_quota
}}
protocol lmtp {{
  mail_plugins = $mail_plugins sieve
  postmaster_address = postmaster@{server.hostname}
}}
lmtp_rcpt_check_quota = yes
quota_full_tempfail = no
submission_host = 127.0.0.1:{reinject}
plugin {{
  quota = maildir:User quota
  quota_exceeded_message = 5.2.2 Mailbox is full: the mailbox has reached its quota.
  sieve = file:~/sieve;active=~/.dovecot.sieve
  sieve_before = {mail}/zones/%d/before.sieve
  sieve_plugins = sieve_extprograms
  sieve_global_extensions = +vnd.dovecot.filter
  sieve_filter_bin_dir = {filters}
  sieve_vacation_dont_check_recipient = yes
}}
"""
    spamc = (
        "#!/bin/sh\n# Managed by Paneel: the SpamAssassin step of a zone's anti-spam (Sieve `filter`).\n"
        f"exec /usr/bin/spamc -d {s.get('spamd_host', '127.0.0.1')} -p {s.get('spamd_port', 783)}\n"
    )
    return {
        "postfix/main.cf": "".join(f"{key} = {value}\n" for key, value in main_cf.items()),
        "postfix/master.cf": "\n".join(master_cf) + "\n",
        "dovecot/dovecot.conf": dovecot,
        f"sieve-filters/{SPAM_FILTER}": spamc,
    }
