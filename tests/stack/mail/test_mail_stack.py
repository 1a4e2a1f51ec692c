"""Real mail end to end: mailboxes and zones made through the services, applied by the real drivers on the
loopback stack (conftest.py), then used as a mail client would: SMTP in, IMAP out."""

from __future__ import annotations

import imaplib
import itertools
import re
import smtplib

import pytest

from apps.accounts import services as accounts
from apps.accounts.models import Account
from apps.assets import services as assets
from apps.mail import services as mail
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.usage import measure_usage
from apps.servicepacks.models import AssetType
from tests.conftest import principal
from tests.stack.daemons import LOOPBACK
from tests.stack.mail.conftest import GTUBE, imap_login, maildir_messages, send, settle, wait_for_messages
from tests.world import make_pack

pytestmark = [pytest.mark.stack, pytest.mark.django_db]
PASSWORD = "Secret123abc"
DOMAIN_NUMBERS = itertools.count(1)


@pytest.fixture
def owner(tenant_a):
    return principal(tenant_a, "owner")


@pytest.fixture
def make_domain(mail_server, owner, django_capture_on_commit_callbacks, request):
    """An active account on the stack's mail server, for a domain of this test alone."""
    pack = make_pack("Mail", (AssetType.MAILBOX, 10, 100, False))

    def make(label: str = "") -> str:
        name = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[5:35].strip("-")
        domain = f"t{next(DOMAIN_NUMBERS)}-{name}{label}.test"  # the stack's files outlive each test's database
        with django_capture_on_commit_callbacks(execute=True):
            account, _ = accounts.create_account(principal=owner, identifier=domain, servicepack=pack)
        account.refresh_from_db()
        assert account.mail_server_id == mail_server.pk and account.status == "active"
        return domain

    return make


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run the jobs it records, as the worker would; the jobs must finish."""

    def call(service, **arguments):
        since = set(ProvisioningJob.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            result = service(**arguments)
        for job in ProvisioningJob.objects.exclude(pk__in=since):
            assert job.status == JobStatus.FINISHED, (job.action, job.error)
        return result

    return call


@pytest.fixture
def mailbox(run, owner):
    def make(address: str, *, max_size: int = 100):
        account_id = Account.objects.get(identifier=address.partition("@")[2]).pk
        asset, _ = run(
            assets.create_asset,
            principal=owner,
            account_id=account_id,
            asset_type=AssetType.MAILBOX,
            fields={"email_address": address},
            password=PASSWORD,
            max_size=max_size,
        )
        asset.refresh_from_db()
        assert asset.status == "active"
        return asset

    return make


def test_mail_sent_over_smtp_lands_in_the_maildir_and_reads_back_over_imap(mail_stack, make_domain, mailbox):
    domain = make_domain()
    box = mailbox(f"alice@{domain}")
    send(mail_stack, sender="someone@elsewhere.test", to=box.name, subject="Greetings", body="First message.")
    [message] = wait_for_messages(mail_stack, box.name, 1)
    assert "Subject: Greetings" in message and "First message." in message

    connection = imap_login(mail_stack, box.name, PASSWORD)
    connection.select("INBOX")
    _, found = connection.search(None, "ALL")
    _, data = connection.fetch(found[0].split()[0], "(RFC822)")
    assert b"First message." in data[0][1]
    _, quota = connection.getquotaroot("INBOX")
    assert b"STORAGE" in quota[1][0] and b"102400" in quota[1][0]  # 100 MB from the asset's max_size, in KB
    connection.logout()

    # The usage the listings show is measured by the driver in the Maildir.
    assert measure_usage([box]) == {box.pk: 1}


def test_a_wrong_password_is_refused(mail_stack, make_domain, mailbox):
    box = mailbox(f"bob@{make_domain()}")
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap_login(mail_stack, box.name, "Wrong123abc")
    with (
        smtplib.SMTP(LOOPBACK, mail_stack.ports["submission"], timeout=30) as smtp,
        pytest.raises(smtplib.SMTPAuthenticationError),
    ):
        smtp.login(box.name, "Wrong123abc")
    with smtplib.SMTP(LOOPBACK, mail_stack.ports["submission"], timeout=30) as smtp:
        smtp.login(box.name, PASSWORD)  # the mail client sends with the mailbox password


def test_an_alias_delivers_to_all_its_destinations(mail_stack, make_domain, mailbox, run, owner):
    domain = make_domain()
    first, second = mailbox(f"one@{domain}"), mailbox(f"two@{domain}")
    run(
        mail.create_alias,
        principal=owner,
        domain_name=domain,
        email_address=f"team@{domain}",
        destinations=[first.name, second.name],
    )
    send(mail_stack, sender="client@elsewhere.test", to=f"team@{domain}", body="For the whole team.")
    assert "For the whole team." in wait_for_messages(mail_stack, first.name, 1)[0]
    assert "For the whole team." in wait_for_messages(mail_stack, second.name, 1)[0]


def test_the_catch_all_catches_an_unknown_local_part(mail_stack, make_domain, mailbox, run, owner):
    domain = make_domain()
    catcher, other = mailbox(f"catcher@{domain}"), mailbox(f"other@{domain}")
    with (
        smtplib.SMTP(LOOPBACK, mail_stack.ports["smtp"], timeout=30) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):  # unknown before the catch-all exists
        smtp.sendmail("x@elsewhere.test", [f"nobody@{domain}"], "Subject: x\n\nx")
    run(mail.create_catch_all, principal=owner, domain_name=domain, email_address=catcher.name)
    send(mail_stack, sender="x@elsewhere.test", to=f"nobody@{domain}", body="To a typo.")
    send(mail_stack, sender="x@elsewhere.test", to=other.name, body="To other.")
    assert "To a typo." in wait_for_messages(mail_stack, catcher.name, 1)[0]
    assert "To other." in wait_for_messages(mail_stack, other.name, 1)[0]
    settle(mail_stack)
    assert len(maildir_messages(mail_stack, catcher.name)) == 1  # a real mailbox keeps its own mail


def test_an_extra_smtp_domain_delivers_to_the_same_local_part(mail_stack, make_domain, mailbox, run, owner):
    domain = make_domain()
    box = mailbox(f"sales@{domain}")
    run(mail.create_smtp_domain, principal=owner, domain_name=domain, hostname=f"extra-{domain}")
    send(mail_stack, sender="x@elsewhere.test", to=f"sales@extra-{domain}", body="Via the extra domain.")
    assert "Via the extra domain." in wait_for_messages(mail_stack, box.name, 1)[0]
    run(mail.update_smtp_domain, principal=owner, domain_name=domain, hostname=f"extra-{domain}", enabled=False)
    with (
        smtplib.SMTP(LOOPBACK, mail_stack.ports["smtp"], timeout=30) as smtp,
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        smtp.sendmail("x@elsewhere.test", [f"sales@extra-{domain}"], "Subject: x\n\nx")


def test_auto_reply_answers_once_per_sender(mail_stack, make_domain, mailbox, run, owner):
    domain = make_domain()
    away, sender = mailbox(f"away@{domain}"), mailbox(f"sender@{domain}")
    run(
        mail.set_auto_reply,
        principal=owner,
        asset_id=away.pk,
        enabled=True,
        subject="Out of office",
        message="Back on Monday.",
    )
    for number in range(2):
        send(mail_stack, sender=sender.name, to=away.name, subject=f"Question {number}")
    wait_for_messages(mail_stack, away.name, 2)
    [reply] = wait_for_messages(mail_stack, sender.name, 1)
    assert "Subject: Out of office" in reply and "Back on Monday." in reply
    settle(mail_stack)
    assert len(maildir_messages(mail_stack, sender.name)) == 1  # once per sender, not once per message

    run(mail.set_auto_reply, principal=owner, asset_id=away.pk, enabled=False, subject="", message="")
    assert not (mail_stack.root / "mail" / domain / "away" / ".dovecot.sieve").exists()


@pytest.mark.parametrize("copy", [True, False], ids=["with copy", "without copy"])
def test_auto_forward_forwards_and_keeps_a_copy_when_asked(copy, mail_stack, make_domain, mailbox, run, owner):
    domain = make_domain()
    source, target = mailbox(f"source@{domain}"), mailbox(f"target@{domain}")
    run(
        mail.set_auto_forward,
        principal=owner,
        asset_id=source.pk,
        enabled=True,
        email_addresses=[target.name],
        copy_to_myself=copy,
    )
    send(mail_stack, sender="x@elsewhere.test", to=source.name, body="Pass it on.")
    assert "Pass it on." in wait_for_messages(mail_stack, target.name, 1)[0]
    settle(mail_stack)
    assert len(maildir_messages(mail_stack, source.name)) == (1 if copy else 0)


def test_gtube_is_spam_when_anti_spam_is_on_and_not_when_off(mail_stack, make_domain, mailbox, run, owner):
    domain = make_domain()
    box = mailbox(f"spam@{domain}")
    run(mail.set_anti_spam, principal=owner, domain_name=domain, anti_spam="advanced")
    send(mail_stack, sender="spammer@elsewhere.test", to=box.name, subject="Cheap", body=GTUBE)
    [junk] = wait_for_messages(mail_stack, box.name, 1, folder=".Junk")
    assert "X-Spam-Flag: YES" in junk
    assert maildir_messages(mail_stack, box.name) == []

    run(mail.set_anti_spam, principal=owner, domain_name=domain, anti_spam="basic")  # marked, kept in the inbox
    send(mail_stack, sender="spammer@elsewhere.test", to=box.name, subject="Cheap again", body=GTUBE)
    [marked] = wait_for_messages(mail_stack, box.name, 1)
    assert "X-Spam-Flag: YES" in marked

    run(mail.set_anti_spam, principal=owner, domain_name=domain, anti_spam="none")
    send(mail_stack, sender="spammer@elsewhere.test", to=box.name, subject="Unchecked", body=GTUBE)
    messages = wait_for_messages(mail_stack, box.name, 2)
    unchecked = next(message for message in messages if "Subject: Unchecked" in message)
    assert "X-Spam" not in unchecked
    assert len(maildir_messages(mail_stack, box.name, ".Junk")) == 1


def login_succeeds(stack, address: str) -> bool:
    try:
        imap_login(stack, address, PASSWORD).logout()
    except imaplib.IMAP4.error:
        return False
    return True


def test_a_suspended_accounts_mailbox_refuses_login(mail_stack, make_domain, mailbox, run, owner):
    """Each change is live when its job has finished (Dovecot looks at its passwd-file once a second; the driver
    waits for that)."""
    domain = make_domain()
    box = mailbox(f"paused@{domain}")
    assert login_succeeds(mail_stack, box.name)
    run(accounts.suspend_account, principal=owner, account_id=box.account_id)
    with pytest.raises(imaplib.IMAP4.error, match="suspended"):  # the reason Dovecot gives the client
        imap_login(mail_stack, box.name, PASSWORD)
    send(mail_stack, sender="someone@elsewhere.test", to=box.name, subject="Still here", body="Kept for later.")
    assert "Kept for later." in wait_for_messages(mail_stack, box.name, 1)[0]  # suspended, mail still arrives

    run(accounts.unsuspend_account, principal=owner, account_id=box.account_id)
    assert login_succeeds(mail_stack, box.name)


def test_a_new_password_works_at_once_and_the_old_one_stops(mail_stack, make_domain, mailbox, run, owner):
    """Each change is live when its job ends, though every hash has the same length (the passwd-file's mtime
    always moves on a second, so Dovecot sees the file changed)."""
    box = mailbox(f"rotate@{make_domain()}")
    assert login_succeeds(mail_stack, box.name)
    run(assets.change_asset_password, principal=owner, asset_id=box.pk, password="Interim123abc")
    run(assets.change_asset_password, principal=owner, asset_id=box.pk, password="Rotated123abc")
    assert not login_succeeds(mail_stack, box.name)
    imap_login(mail_stack, box.name, "Rotated123abc").logout()
    with pytest.raises(imaplib.IMAP4.error):
        imap_login(mail_stack, box.name, "Interim123abc")


def test_a_mailbox_over_quota_refuses_delivery_with_a_clear_bounce(mail_stack, make_domain, mailbox):
    domain = make_domain()
    small, sender = mailbox(f"small@{domain}", max_size=1), mailbox(f"writer@{domain}")
    send(mail_stack, sender=sender.name, to=small.name, subject="Too big", body="x" * 75 + ("\n" + "y" * 75) * 20000)
    [bounce] = wait_for_messages(mail_stack, sender.name, 1)
    assert "Undelivered Mail Returned to Sender" in bounce
    assert "Mailbox is full" in bounce and "quota" in bounce
    assert maildir_messages(mail_stack, small.name) == []


# --- Nothing half-written: a map or script that the daemons' tools refuse leaves the old one in place


def test_a_sieve_script_that_does_not_compile_changes_nothing(mail_stack, tmp_path):
    from apps.provisioning.drivers.base import DriverError
    from apps.provisioning.drivers.mail import DovecotMailboxDriver

    driver = DovecotMailboxDriver.for_server(mail_stack.server)
    (mail_stack.base / "refused").mkdir()
    script = mail_stack.base / "refused" / "refused.sieve"
    script.write_text('require ["vacation"];\nvacation "old";\n')
    with pytest.raises(DriverError, match="sievec failed"):
        driver._place_sieve(script, "this is not sieve;\n")
    assert script.read_text() == 'require ["vacation"];\nvacation "old";\n'
    assert sorted(path.name for path in script.parent.iterdir()) == ["refused.sieve"]


def test_a_map_that_postmap_refuses_changes_nothing(mail_stack):
    from dataclasses import replace

    from apps.provisioning.drivers.base import DriverError
    from apps.provisioning.drivers.mail import PostfixMailZoneDriver

    broken = replace(
        mail_stack.server, services={**mail_stack.services, "postfix_config_directory": str(mail_stack.base / "none")}
    )
    driver = PostfixMailZoneDriver.for_server(broken)
    maps = mail_stack.root / "mail" / "postfix"
    before = {path.name: path.read_bytes() for path in maps.iterdir() if path.name != ".lock"}
    with pytest.raises(DriverError, match="postmap failed"):
        driver._publish_map(maps / "aliases", ["new@example.test other@example.test"])
    assert {path.name: path.read_bytes() for path in maps.iterdir() if path.name != ".lock"} == before
