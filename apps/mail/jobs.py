"""Applying a mail zone on its server: the `mail_zone.*` jobs (registered with the runner in apps.py)."""

from __future__ import annotations

from apps.accounts.models import Status
from apps.mail.models import MailZone
from apps.provisioning.drivers.base import AssetSpec
from apps.provisioning.models import ProvisioningJob
from apps.provisioning.runner import AccountHook, driver_for, server_info


def zone_spec(zone: MailZone) -> AssetSpec:
    """What the mail zone driver needs: the zone as it is now, with its aliases and SMTP domains."""
    account = zone.account
    return AssetSpec(
        asset_type="mail_zone",
        name=zone.name,
        account_identifier=account.identifier,
        max_size=0,
        suspended=account.status == Status.SUSPENDED,
        details={
            "anti_spam": zone.anti_spam,
            "catch_all": list(zone.catch_all),
            "aliases": [
                {"email_address": alias.email_address, "destinations": list(alias.destinations)}
                for alias in zone.aliases.all()
            ],
            "smtp_domains": [
                {"hostname": smtp_domain.hostname, "enabled": smtp_domain.enabled}
                for smtp_domain in zone.smtp_domains.all()
            ],
        },
        placement={"mail": info} if (info := server_info(account.mail_server)) is not None else {},
    )


def _has_mail(account) -> bool:
    return MailZone.objects.filter(account=account).exists() or account.assets.filter(asset_type="mailbox").exists()


def zone_removal_servers(job: ProvisioningJob, account) -> set[int | None]:
    """An account's deletion runs on its mail server (as a part, when that is not its primary server) whenever mail
    was set up for its domain, even with no mailbox left there."""
    return {account.mail_server_id} if job.action == "account.delete" and _has_mail(account) else set()


def remove_zone_with_account(job: ProvisioningJob, account) -> None:
    """On an account's deletion, remove its zone's files (aliases, catch-all, SMTP domains, anti-spam step) on its
    mail server, so that nothing keeps routing mail for the domain (and a later account of it starts clean)."""
    if job.action != "account.delete" or account.mail_server_id != job.server_id or not _has_mail(account):
        return
    zone = MailZone.objects.filter(account=account).first()
    spec = (
        zone_spec(zone)
        if zone is not None
        else AssetSpec(
            asset_type="mail_zone", name=account.identifier, account_identifier=account.identifier, max_size=0
        )
    )
    driver_for(job, "mail_zone").delete(spec)


ZONE_REMOVAL = AccountHook(run=remove_zone_with_account, servers=zone_removal_servers)


def run_mail_zone_job(job: ProvisioningJob) -> list[str]:
    """Rewrite the zone's files on its server from the zone as it is when the job runs (latest state wins)."""
    zone = (
        MailZone.objects.select_related("account__mail_server")
        .prefetch_related("aliases", "smtp_domains")
        .filter(pk=job.target_id)
        .first()
    )
    if zone is None:  # its account was deleted meanwhile
        return []
    driver_for(job, "mail_zone").update(zone_spec(zone))
    return [f"/v2/mailzones/{zone.name}"]
