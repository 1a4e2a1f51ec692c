"""Issuing a certificate over ACME with the `acme` library (certbot's), as plain data in and out.

`issue` registers (once) Paneel's ACME account, orders a certificate for a CSR, has a `ChallengeSolver` put each
challenge in place (HTTP-01: a file the web server serves under `/.well-known/acme-challenge/`; DNS-01: a TXT
record `_acme-challenge.<name>` in the zone), answers the challenges, waits for the order and returns the chain.
Any refusal of the CA is an `AcmeRefused`; the solver's `cleanup` always runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import josepy as jose
import requests
from acme import challenges, client, errors, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from apps.provisioning.drivers.base import DriverError


class AcmeRefused(DriverError):
    """The CA refused the order or a validation failed (the request is then failed: 410)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, code="acme_validation_failed")


# The CAs whose ACME directories Paneel recognises, by the domain of the directory's host.
VENDORS = {"letsencrypt.org": "letsencrypt", "sectigo.com": "sectigo"}


def vendor_of(directory_url: str) -> str:
    """The vendor (CA) behind an ACME directory: `sectigo` (the reference's one vendor) for Sectigo's ACME,
    `letsencrypt` for Let's Encrypt's, else the directory's host name (e.g. a private CA or Pebble)."""
    host = (urlsplit(directory_url).hostname or "").lower()
    for domain, vendor in VENDORS.items():
        if host == domain or host.endswith("." + domain):
            return vendor
    return host[:64] or "acme"


@dataclass
class Validation:
    """One name's challenge, as the request shows it while pending (reference `SslCertificateRequestValidation`)."""

    dns_name: str
    challenge: str  # "http-01" | "dns-01"
    token: str = ""
    key_authorization: str = ""
    txt_name: str = ""
    txt_value: str = ""


class ChallengeSolver:
    """Puts challenges in place and removes them. `present` is called for every name, then `commit` once."""

    def present(self, validation: Validation) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        """Make what `present` prepared visible to the CA (e.g. apply the zone once with all TXT records)."""

    def cleanup(self) -> None:
        raise NotImplementedError


@dataclass
class IssueResult:
    fullchain_pem: str
    account_uri: str
    order_url: str
    validations: list[Validation] = field(default_factory=list)


def new_private_key_pem() -> str:
    """An ECDSA P-256 key (what the certificate is for), PEM, unencrypted (the caller encrypts it at rest)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def new_account_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def issue(
    *,
    directory_url: str,
    account_key_pem: str,
    account_uri: str,
    csr_pem: str,
    challenge: str,
    solver: ChallengeSolver,
    email: str = "",
    ca_bundle: str | None = None,
    timeout_seconds: int = 90,
    on_validations=None,
) -> IssueResult:
    """Order and fetch a certificate for `csr_pem`, proving each name with `challenge` ("http-01" or "dns-01";
    wildcard names always use DNS-01)."""
    key = jose.JWKRSA(key=serialization.load_pem_private_key(account_key_pem.encode(), password=None))
    net = client.ClientNetwork(key, user_agent="paneel", verify_ssl=ca_bundle or True)
    try:
        directory = client.ClientV2.get_directory(directory_url, net)
        acme = client.ClientV2(directory, net)
        if account_uri:
            net.account = messages.RegistrationResource(uri=account_uri, body=messages.Registration())
        else:
            registration = messages.NewRegistration.from_data(email=email or None, terms_of_service_agreed=True)
            try:
                account_uri = acme.new_account(registration).uri
            except errors.ConflictError as exc:  # the key is registered already
                account_uri = exc.location
                net.account = messages.RegistrationResource(uri=account_uri, body=messages.Registration())
        order = acme.new_order(csr_pem.encode())
        answers, validations = [], []
        try:
            for authorization in order.authorizations:
                body = authorization.body
                if body.status == messages.STATUS_VALID:
                    continue
                name = body.identifier.value
                wanted = challenges.DNS01 if challenge == "dns-01" or body.wildcard else challenges.HTTP01
                chosen = next((c for c in body.challenges if isinstance(c.chall, wanted)), None)
                if chosen is None:
                    raise AcmeRefused(f"The CA offers no {wanted.typ} challenge for {name}.")
                response, validation = chosen.response_and_validation(key)
                if wanted is challenges.HTTP01:
                    item = Validation(name, "http-01", token=chosen.chall.encode("token"), key_authorization=validation)
                else:
                    item = Validation(
                        name, "dns-01", txt_name=chosen.chall.validation_domain_name(name), txt_value=validation
                    )
                solver.present(item)
                validations.append(item)
                answers.append((chosen, response))
            if on_validations is not None:
                on_validations(validations)
            solver.commit()
            for chosen, response in answers:
                acme.answer_challenge(chosen, response)
            deadline = dt.datetime.now() + dt.timedelta(seconds=timeout_seconds)
            order = acme.poll_and_finalize(order, deadline=deadline)
        finally:
            solver.cleanup()
    except errors.ValidationError as exc:
        problems = [
            f"{a.body.identifier.value}: {c.error.detail if c.error else c.status}"
            for a in exc.failed_authzrs
            for c in a.body.challenges
            if c.status == messages.STATUS_INVALID
        ]
        raise AcmeRefused("Validation failed: " + ("; ".join(problems) or "the CA refused the names.")) from None
    except errors.TimeoutError:
        raise AcmeRefused("The CA did not validate the names in time.") from None
    except messages.Error as exc:
        raise AcmeRefused(f"The CA refused: {exc.detail or exc.typ}") from None
    except (errors.Error, requests.RequestException) as exc:
        raise DriverError(f"ACME failed: {exc}", code="acme_error") from None
    return IssueResult(order.fullchain_pem, account_uri, order.uri, validations)
