"""The worker's side of certificates: the ACME issuance job and the renewal sweep.

`ssl_request.issue` runs on the account's web server: HTTP-01 answers are files in `<root>/acme-challenges/`
(every nginx server block serves that directory at `/.well-known/acme-challenge/`, web-stack contract), DNS-01
answers are TXT records applied to the account's zone through its DNS driver. An issued certificate with a key
Paneel holds is written to `<root>/ssl/<host name>/{fullchain,privkey}.pem` (0600), the site's `ssl_enabled` is set
and the hosting's driver `update` re-applies the site (the nginx driver then listens on 443 with those files).
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.assets.models import Asset
from apps.certificates import acme_driver
from apps.certificates.models import AcmeAccount, Certificate, CertificateRequest, Challenge, RequestStatus
from apps.certificates.sites import with_site_flags
from apps.core import audit, crypto
from apps.core.principal import Principal
from apps.dns.drivers import get_zone_driver
from apps.dns.models import DnsZone
from apps.dns.records import WireRecord, quoted_txt
from apps.dns.zones import zone_spec
from apps.provisioning.drivers import get_driver
from apps.provisioning.drivers.base import DriverError
from apps.provisioning.models import ProvisioningJob
from apps.provisioning.runner import register_handler, register_sweep, server_info, spec_of

logger = logging.getLogger(__name__)


def provisioning_root(job: ProvisioningJob) -> Path:
    info = server_info(job.server)
    return Path(info.root if info is not None and info.root else settings.PANEEL_PROVISIONING_ROOT).absolute()


class PaneelSolver(acme_driver.ChallengeSolver):
    """HTTP-01 through the web server's challenge directory, DNS-01 through the account's zone."""

    def __init__(self, *, root: Path, zone: DnsZone | None) -> None:
        self.challenges = root / "acme-challenges"
        self.zone = zone
        self.files: list[Path] = []
        self.txt: list[WireRecord] = []

    def present(self, validation: acme_driver.Validation) -> None:
        if validation.challenge == Challenge.HTTP01:
            if "/" in validation.token or validation.token.startswith("."):
                raise DriverError("A malformed ACME token.", code="acme_error")
            self.challenges.mkdir(parents=True, exist_ok=True)
            path = self.challenges / validation.token
            path.write_text(validation.key_authorization)
            os.chmod(path, 0o644)
            self.files.append(path)
        else:
            if self.zone is None:
                raise DriverError("DNS-01 needs the account's DNS zone.", code="acme_error")
            self.txt.append(WireRecord(f"{validation.txt_name}.", "TXT", 60, quoted_txt(validation.txt_value)))

    def apply_zone(self, extra: tuple[WireRecord, ...]) -> None:
        zone = DnsZone.objects.select_related("account__dns_server").get(pk=self.zone.pk)
        get_zone_driver(server_info(zone.account.dns_server)).apply(zone_spec(zone, extra))

    def commit(self) -> None:
        if self.txt:
            self.apply_zone(tuple(self.txt))

    def cleanup(self) -> None:
        for path in self.files:
            path.unlink(missing_ok=True)
        if self.txt:
            try:
                self.apply_zone(())
            except DriverError:  # the zone's next sync removes them anyway
                logger.exception("Could not remove the ACME TXT records of %s", self.zone)


def acme_account() -> AcmeAccount:
    directory = settings.PANEEL_ACME_DIRECTORY
    account = AcmeAccount.objects.filter(directory_url=directory).first()
    if account is None:
        account, _ = AcmeAccount.objects.get_or_create(
            directory_url=directory, defaults={"key_encrypted": crypto.encrypt(acme_driver.new_account_key_pem())}
        )
    return account


def certificate_facts(fullchain_pem: str) -> dict:
    leaf = x509.load_pem_x509_certificates(fullchain_pem.encode())[0]
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName
        )
    except x509.ExtensionNotFound:
        names = []
    common = [a.value for a in leaf.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)]
    return {
        "sha1_fingerprint": leaf.fingerprint(hashes.SHA1()).hex(),  # noqa: S303 (the reference names certificates so)
        "common_name": str(common[0]) if common else (names[0] if names else ""),
        "subject_alt_names": list(names),
        "not_before": leaf.not_valid_before_utc,
        "expires_after": leaf.not_valid_after_utc,
    }


def install(job: ProvisioningJob, certificate: Certificate, key_pem: str) -> None:
    """Write the chain and key where the web server reads them, switch https on for the site, re-apply it."""
    directory = provisioning_root(job) / "ssl" / certificate.hostname
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("fullchain.pem", certificate.fullchain_pem), ("privkey.pem", key_pem)):
        temporary = directory / f".{name}.new"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(text)
        os.replace(temporary, directory / name)
    with transaction.atomic():
        hosting = Asset.objects.select_for_update().select_related("account").get(pk=certificate.hosting_id)
        hosting.details = with_site_flags(hosting.details, hosting.name, certificate.hostname, ssl_enabled=True)
        hosting.save(update_fields=["details", "updated_at"])
    # The hosting's driver applies the site again (nginx: a 443 server block with these files, then a reload).
    get_driver(hosting.asset_type, server_info(job.server)).update(spec_of(hosting))


def issue_request(job: ProvisioningJob) -> list[str]:
    request = CertificateRequest.objects.select_related("account", "certificate").filter(pk=job.target_id).first()
    if request is None:
        return []
    if request.status == RequestStatus.ISSUED and request.certificate is not None:
        return [f"/v2/sslcertificates/{request.certificate.sha1_fingerprint}"]
    if request.status == RequestStatus.FAILED:
        raise DriverError(request.error or "The request failed.", code="acme_validation_failed")
    account = acme_account()
    zone = DnsZone.objects.filter(account=request.account).first()

    def shown(validations: list[acme_driver.Validation]) -> None:
        CertificateRequest.objects.filter(pk=request.pk).update(validations=[v.__dict__ for v in validations])

    # The order goes to the directory configured now, whatever it was when the request was made.
    CertificateRequest.objects.filter(pk=request.pk).update(vendor=acme_driver.vendor_of(account.directory_url))

    try:
        result = acme_driver.issue(
            directory_url=account.directory_url,
            account_key_pem=crypto.decrypt(account.key_encrypted),
            account_uri=account.uri,
            csr_pem=request.csr_pem,
            challenge=request.challenge,
            solver=PaneelSolver(root=provisioning_root(job), zone=zone),
            email=settings.PANEEL_ACME_EMAIL,
            ca_bundle=settings.PANEEL_ACME_CA_BUNDLE or None,
            on_validations=shown,
        )
    except acme_driver.AcmeRefused as refused:
        CertificateRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.FAILED, error=refused.detail[:2000], updated_at=timezone.now()
        )
        raise
    if not account.uri:
        AcmeAccount.objects.filter(pk=account.pk).update(uri=result.account_uri)
    facts = certificate_facts(result.fullchain_pem)
    with transaction.atomic():
        certificate, _ = Certificate.objects.update_or_create(
            sha1_fingerprint=facts["sha1_fingerprint"],
            defaults={
                **facts,
                "account": request.account,
                "certificate_type": request.certificate_type,
                "fullchain_pem": result.fullchain_pem,
                "private_key_encrypted": request.private_key_encrypted,
                "hosting_id": request.hosting_id,
                "hostname": request.hostname,
                "auto_renew": request.private_key_encrypted is not None,
            },
        )
        CertificateRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.ISSUED, certificate=certificate, order_url=result.order_url, updated_at=timezone.now()
        )
        if request.renews_id:
            Certificate.objects.filter(pk=request.renews_id).update(replaced_by=certificate, auto_renew=False)
    if certificate.hosting_id and request.private_key_encrypted:
        install(job, certificate, crypto.decrypt(request.private_key_encrypted))
    return [f"/v2/sslcertificates/{certificate.sha1_fingerprint}"]


def renew_due_certificates() -> int:
    """Start the renewal of every certificate Paneel holds the key of that expires within PANEEL_SSL_RENEW_DAYS
    (once: a renewal in progress is not started again). Returns how many were started."""
    from apps.certificates.services import hosting_request

    due = Certificate.objects.filter(
        auto_renew=True,
        replaced_by__isnull=True,
        hosting__isnull=False,
        expires_after__lt=timezone.now() + timedelta(days=settings.PANEEL_SSL_RENEW_DAYS),
    ).values_list("pk", flat=True)
    started = 0
    for pk in list(due[:200]):
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update().select_related("hosting__account__reseller").get(pk=pk)
            )
            if CertificateRequest.objects.filter(renews=certificate, status=RequestStatus.PENDING).exists():
                continue
            reseller = certificate.hosting.account.reseller
            principal = Principal.system(reseller, actor_repr="certificate renewal")
            request = hosting_request(principal, certificate.hosting, certificate.hostname)
            CertificateRequest.objects.filter(pk=request.pk).update(renews=certificate)
            audit.record(principal, "ssl_certificate.renew", certificate, {"request": request.pk})
            started += 1
    return started


register_handler("ssl_request.issue", issue_request)
register_sweep(renew_due_certificates)
