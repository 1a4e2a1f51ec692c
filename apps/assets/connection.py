"""What a customer needs to connect to their account: hosts, ports and user names per service (never a password).

Hosts come from settings (`PANEEL_FTP_HOSTNAME`, `PANEEL_SSH_HOSTNAME`, `PANEEL_MYSQL_HOSTNAME`,
`PANEEL_MAIL_HOSTNAME`); an empty one means the account's own domain (with `mail.` for mail), which is what
a customer's DNS points at.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.servicepacks.models import AssetType


@dataclass(frozen=True)
class Endpoint:
    label: str  # what it is for, in words: "FTP (explicit TLS)"
    host: str
    port: int
    user: str = ""  # the login, where it is not the customer's choice
    note: str = ""


@dataclass
class Section:
    title: str
    endpoints: list[Endpoint] = field(default_factory=list)
    lines: list[tuple[str, str]] = field(default_factory=list)  # (term, description)


def _host(setting: str, default: str) -> str:
    return getattr(settings, setting, "") or default


def connection_details(account: Account, assets: list[Asset] | None = None) -> list[Section]:
    """The sections of the account's connection details, one per kind of service it has (deleting ones left out)."""
    if assets is None:
        assets = list(account.assets.exclude(status=Status.DELETING).order_by("asset_type", "name"))
    assets = [asset for asset in assets if asset.status != Status.DELETING]
    sections: list[Section] = []
    for hosting in (a for a in assets if a.asset_type == AssetType.LINUX_HOSTING):
        domain = hosting.name
        ftp_host = _host("PANEEL_FTP_HOSTNAME", domain)
        ssh_host = _host("PANEEL_SSH_HOSTNAME", domain)
        section = Section(title=f"Website {domain}")
        section.lines.append(("Address", f"https://{domain}/ (point the domain's DNS at the hosting server)"))
        section.lines.append(("PHP version", hosting.details.get("php_version", "")))
        ftp_note = "" if hosting.details.get("ftp_password_hash") else "No FTP password set yet."
        section.endpoints.append(Endpoint("FTP (explicit TLS)", ftp_host, settings.PANEEL_FTP_PORT, domain, ftp_note))
        section.endpoints.append(Endpoint("SFTP", ssh_host, settings.PANEEL_SSH_PORT, domain, ftp_note))
        sections.append(section)
    databases = [a for a in assets if a.asset_type == AssetType.MYSQL]
    if databases:
        section = Section(title="MySQL databases")
        for database in databases:
            users = ", ".join(user["name"] for user in database.details.get("users", []) if user.get("enabled", True))
            section.endpoints.append(
                Endpoint(
                    f"Database {database.name}",
                    settings.PANEEL_MYSQL_HOSTNAME,
                    settings.PANEEL_MYSQL_PORT,
                    users,
                )
            )
        sections.append(section)
    mailboxes = [a for a in assets if a.asset_type == AssetType.MAILBOX]
    if mailboxes:
        mail_host = _host("PANEEL_MAIL_HOSTNAME", f"mail.{account.identifier}")
        section = Section(title="E-mail")
        section.lines.append(("Mailboxes (the login is the address)", ", ".join(m.name for m in mailboxes)))
        section.endpoints += [
            Endpoint("Incoming: IMAP (TLS)", mail_host, 993),
            Endpoint("Incoming: POP3 (TLS)", mail_host, 995),
            Endpoint("Outgoing: SMTP submission (STARTTLS, with sign-in)", mail_host, 587),
            Endpoint("Outgoing: SMTP (TLS, with sign-in)", mail_host, 465),
        ]
        sections.append(section)
    return sections
