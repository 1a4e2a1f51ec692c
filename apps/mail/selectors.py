"""Reading a mail zone as the API and the panel show it: the zone's row if something was configured on it,
else its defaults (what the mail server applies for a domain that has only mailboxes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.accounts.models import Account
from apps.assets.models import Asset
from apps.core.principal import Principal
from apps.mail.models import AntiSpam, MailAlias, MailZone, SmtpDomain
from apps.mail.services import zone_account
from apps.servicepacks.models import AssetType


@dataclass
class ZoneView:
    name: str
    account: Account
    anti_spam: str = AntiSpam.BASIC
    catch_all: list[str] = field(default_factory=list)
    aliases: list[MailAlias] = field(default_factory=list)
    smtp_domains: list[SmtpDomain] = field(default_factory=list)
    mailboxes: list[Asset] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.account.status == "active"

    @property
    def mailbox_size(self) -> int:
        """The most MB one mailbox of the zone's account may have (its pack's limit)."""
        item = next((i for i in self.account.servicepack.items.all() if i.asset_type == AssetType.MAILBOX), None)
        return item.max_size_mb if item else 0


def mail_zone(principal: Principal, domain_name: str) -> ZoneView:
    """The principal's mail zone `domain_name` (NotFound if no account of theirs with mailboxes has that domain)."""
    account = zone_account(principal, domain_name)
    view = ZoneView(name=account.identifier, account=account)
    zone = MailZone.objects.filter(account=account).prefetch_related("aliases", "smtp_domains").first()
    if zone is not None:
        view.anti_spam, view.catch_all = zone.anti_spam, list(zone.catch_all)
        view.aliases, view.smtp_domains = list(zone.aliases.all()), list(zone.smtp_domains.all())
    view.mailboxes = list(
        account.assets.filter(asset_type=AssetType.MAILBOX).select_related("account").order_by("name")
    )
    return view
