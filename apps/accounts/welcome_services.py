"""The welcome e-mail: an account's connection details, sent to its customer contact (or another address).

Templated (`accounts/welcome_email_subject.txt`, `accounts/welcome_email.txt`), sent with Django's mail backend
(the console in development), and never holding a password: Paneel does not know any in clear.
"""

from __future__ import annotations

import smtplib

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string

from apps.accounts.models import Account, Status
from apps.assets.connection import connection_details
from apps.core import audit
from apps.core.errors import InvalidState, ValidationFailed
from apps.core.principal import Level, Principal
from apps.core.tenancy import require_level


def render_welcome_email(account: Account) -> tuple[str, str]:
    """The subject and body of `account`'s welcome e-mail."""
    context = {
        "account": account,
        "reseller": account.reseller,
        "contact_name": account.contact_name,
        "sections": connection_details(account),
    }
    subject = " ".join(render_to_string("accounts/welcome_email_subject.txt", context).split())
    return subject, render_to_string("accounts/welcome_email.txt", context)


def send_welcome_email(*, principal: Principal, account_id: int, to: str = "") -> str:
    """Send the account's welcome e-mail to `to`, or to its contact e-mail; returns the address it went to."""
    require_level(principal, Level.WRITE)
    with transaction.atomic():
        account = Account.objects.select_related("reseller", "servicepack").get_for_principal(principal, pk=account_id)
        recipient = (to or account.contact_email or "").strip().lower()
        if not recipient:
            raise ValidationFailed("The account has no contact e-mail: enter the address to send to.", field="to")
        try:
            validate_email(recipient)
        except DjangoValidationError:
            raise ValidationFailed("Enter an e-mail address such as jo@example.com.", field="to") from None
        if account.status not in {Status.ACTIVE, Status.SUSPENDED}:
            raise InvalidState(f"Account {account} is {account.get_status_display().lower()}; wait until it is active.")
        subject, body = render_welcome_email(account)
        audit.record(principal, "account.send_welcome_email", account, {"to": recipient})
        try:
            EmailMessage(subject=subject, body=body, to=[recipient]).send()
        except (OSError, smtplib.SMTPException):
            # The audit event is rolled back with the transaction: no record of a mail that was not sent.
            raise InvalidState("The mail server did not accept the message; try again later.") from None
    return recipient
