"""Writes on SSL certificates: a certificate request from a CSR (reference `POST /sslcertificaterequests`), its
re-verification, and Let's Encrypt / https redirect per host name of a Linux hosting. Each checks the level,
validates, audits once and queues the ACME job."""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.db import transaction

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.certificates.acme_driver import new_private_key_pem
from apps.certificates.models import Certificate, CertificateRequest, CertificateType, Challenge, RequestStatus
from apps.certificates.sites import site_index, sites_of, with_site_flags
from apps.core import audit, crypto
from apps.core.errors import FieldProblem, NotFound, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level
from apps.provisioning.jobs import record_job
from apps.provisioning.models import UNFINISHED, ProvisioningJob

ISSUE = "ssl_request.issue"


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


def csr_names(csr_pem: str) -> tuple[str, list[str]]:
    """The common name and every DNS name (CN first, then the SANs) of a PEM CSR whose signature holds."""
    try:
        csr = x509.load_pem_x509_csr(csr_pem.encode())
    except (ValueError, TypeError):
        raise invalid("csr", "Not a PEM certificate signing request.") from None
    if not csr.is_signature_valid:
        raise invalid("csr", "The CSR's signature does not match its key.")
    common = [a.value for a in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
            x509.DNSName
        )
    except x509.ExtensionNotFound:
        sans = []
    names = []
    for name in [*common, *sans]:
        name = str(name).strip().lower().rstrip(".")
        if name and name not in names:
            names.append(name)
    if not names:
        raise invalid("csr", "The CSR names no domain (CN or subjectAltName).")
    return names[0], names


def account_of_names(principal: Principal, names: list[str]) -> Account:
    """The principal's account whose domain holds every name (the name itself or a subdomain of it)."""
    candidates = {name.removeprefix("*.") for name in names}
    accounts = Account.objects.for_principal(principal).exclude(status=Status.DELETING)
    found: Account | None = None
    for name in sorted(candidates):
        labels = name.split(".")
        suffixes = [".".join(labels[i:]) for i in range(len(labels) - 1)]
        account = accounts.filter(identifier__in=suffixes).order_by("-identifier").first()
        if account is None:  # as any foreign or unknown id in a body: not found (DESIGN 5)
            raise NotFound(f"{name} is not a domain of your accounts.", field="csr")
        if found is not None and account.pk != found.pk:
            raise invalid("csr", "All names of a certificate must belong to one account.")
        found = account
    return found


def queue_issue(principal: Principal, request: CertificateRequest) -> ProvisioningJob:
    return record_job(principal=principal, action=ISSUE, target=request)


@transaction.atomic
def create_certificate_request(
    *,
    principal: Principal,
    csr: str,
    certificate_type: str = CertificateType.STANDARD,
    validation_level: str = "domain_validated",
    challenge: str | None = None,
) -> CertificateRequest:
    """Order a domain-validated certificate for the CSR's names over ACME (HTTP-01 by default, DNS-01 for wildcards
    or when asked). Paneel never sees the CSR's key."""
    require_level(principal, Level.WRITE)
    if validation_level != "domain_validated":
        raise invalid("validation_level", "Paneel's ACME CA issues domain-validated certificates only.")
    if certificate_type not in CertificateType.values:
        raise invalid("certificate_type", f"One of {', '.join(CertificateType.values)}.")
    if challenge not in (None, *Challenge.values):
        raise invalid("challenge", "http-01 or dns-01.")
    common_name, names = csr_names(csr)
    wildcard = any(name.startswith("*.") for name in names)
    if wildcard != (certificate_type == CertificateType.WILDCARD):
        raise invalid("certificate_type", "A wildcard certificate names *.domain; only it may.")
    if certificate_type == CertificateType.STANDARD and len(names) > 2:
        raise invalid("certificate_type", "A standard certificate names one domain (and its www); use multi_domain.")
    account = account_of_names(principal, names)
    request = CertificateRequest.objects.create(
        account=account,
        common_name=common_name,
        subject_alt_names=names,
        certificate_type=certificate_type,
        csr_pem=csr,
        challenge=Challenge.DNS01 if wildcard else (challenge or Challenge.HTTP01),
    )
    audit.record(principal, "ssl_request.create", request, {"names": names, "challenge": request.challenge})
    queue_issue(principal, request)
    return request


def lock_request(principal: Principal, request_id: int) -> CertificateRequest:
    return (
        CertificateRequest.objects.select_for_update(of=("self",))
        .select_related("account")
        .get_for_principal(principal, pk=request_id)
    )


@transaction.atomic
def verify_certificate_request(*, principal: Principal, request_id: int) -> tuple[CertificateRequest, ProvisioningJob]:
    """Try the validations of a pending request again (after the client fixed its DNS or site). Returns the job:
    the one already running, or a new one."""
    require_level(principal, Level.WRITE)
    request = lock_request(principal, request_id)
    running = (
        ProvisioningJob.objects.filter(
            action=ISSUE, target_type="certificaterequest", target_id=str(request.pk), status__in=UNFINISHED
        )
        .order_by("-created_at")
        .first()
    )
    audit.record(principal, "ssl_request.verify", request, {"status": request.status})
    if request.status != RequestStatus.PENDING or running is not None:
        return request, running
    return request, queue_issue(principal, request)


def lock_hosting(principal: Principal, domain_name: str) -> Asset:
    hosting = (
        Asset.objects.for_principal(principal)
        .select_for_update(of=("self",))
        .select_related("account")
        .filter(asset_type="linux_hosting", name=str(domain_name).strip().lower())
        .first()
    )
    if hosting is None:
        raise NotFound(f"Linux hosting {domain_name} not found.")
    return hosting


def checked_hostname(hosting: Asset, hostname: str) -> str:
    name = str(hostname).strip().lower().rstrip(".")
    if site_index(sites_of(hosting.details, hosting.name), name) is None:
        raise NotFound(f"{hostname} is not a site or host header of {hosting.name}.")
    return name


def hosting_request(principal: Principal, hosting: Asset, hostname: str) -> CertificateRequest:
    """A request for `hostname` with a key Paneel makes (encrypted at rest), installed on the hosting once issued."""
    key_pem = new_private_key_pem()
    from acme import crypto_util

    csr = crypto_util.make_csr(key_pem.encode(), [hostname]).decode()
    request = CertificateRequest.objects.create(
        account=hosting.account,
        common_name=hostname,
        subject_alt_names=[hostname],
        csr_pem=csr,
        private_key_encrypted=crypto.encrypt(key_pem),
        challenge=Challenge.HTTP01,
        hosting=hosting,
        hostname=hostname,
    )
    queue_issue(principal, request)
    return request


@transaction.atomic
def set_letsencrypt(*, principal: Principal, domain_name: str, hostname: str, enabled: bool) -> Asset:
    """Enabled: get a Let's Encrypt (ACME) certificate for the host name and serve the site over https with it,
    renewed before expiry. Disabled: stop serving https for the site and stop renewing."""
    require_level(principal, Level.WRITE)
    hosting = lock_hosting(principal, domain_name)
    name = checked_hostname(hosting, hostname)
    if enabled:
        pending = CertificateRequest.objects.filter(hosting=hosting, hostname=name, status=RequestStatus.PENDING)
        if not pending.exists():
            hosting_request(principal, hosting, name)
    else:
        Certificate.objects.filter(hosting=hosting, hostname=name).update(auto_renew=False)
        CertificateRequest.objects.filter(hosting=hosting, hostname=name, status=RequestStatus.PENDING).update(
            status=RequestStatus.FAILED, error="Let's Encrypt was switched off."
        )
        hosting.details = with_site_flags(hosting.details, hosting.name, name, ssl_enabled=False)
        hosting.save(update_fields=["details", "updated_at"])
        record_job(principal=principal, action="linux_hosting.update", target=hosting)
    audit.record(principal, "linux_hosting.set_letsencrypt", hosting, {"hostname": name, "enabled": enabled})
    return hosting


@transaction.atomic
def set_https_redirect(*, principal: Principal, domain_name: str, hostname: str, enabled: bool) -> Asset:
    """Answer http with a redirect to https for the site of `hostname` (the web server applies it)."""
    require_level(principal, Level.WRITE)
    hosting = lock_hosting(principal, domain_name)
    name = checked_hostname(hosting, hostname)
    hosting.details = with_site_flags(hosting.details, hosting.name, name, https_redirect_enabled=enabled)
    hosting.save(update_fields=["details", "updated_at"])
    audit.record(principal, "linux_hosting.set_https_redirect", hosting, {"hostname": name, "enabled": enabled})
    record_job(principal=principal, action="linux_hosting.update", target=hosting)
    return hosting
