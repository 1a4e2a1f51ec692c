"""The panel's mail page of an account and a mailbox's auto-reply and forward page."""

from __future__ import annotations

import pytest

from apps.assets.models import Asset
from apps.mail.models import MailAlias, MailZone
from apps.servers.models import Server
from tests.world import build_world


@pytest.fixture
def world(tenant_a, account_a):
    return build_world(tenant_a, account_a)


def test_mail_page_shows_mailboxes_with_usage_zone_settings_and_connection_details(owner, world):
    Asset.objects.filter(pk=world.mailbox.pk).update(actual_size=12)
    response = owner.get(f"/mail/accounts/{world.account.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert world.mailbox.name in html and "12 MB of 2048 MB" in html
    assert world.alias.email_address in html and world.smtp_domain.hostname in html
    assert "IMAP server" in html and "port <code>143</code>" in html and "port <code>587</code>" in html
    assert "Add alias" in html


def test_connection_details_name_the_accounts_mail_server(owner, world):
    server = Server.objects.create(name="mx1", hostname="mx1.example.net", mail=True, services={"imap_port": 1143})
    world.account.mail_server = server
    world.account.save(update_fields=["mail_server"])
    html = owner.get(f"/mail/accounts/{world.account.pk}/").content.decode()
    assert "<code>mx1.example.net</code> port <code>1143</code>" in html


def test_reader_sees_the_page_without_forms(reader, world):
    html = reader.get(f"/mail/accounts/{world.account.pk}/").content.decode()
    assert world.alias.email_address in html and "Add alias" not in html


def test_adding_an_alias_from_the_panel(owner, world, run_jobs):
    domain = world.account.identifier
    with run_jobs():
        response = owner.post(
            f"/mail/accounts/{world.account.pk}/change/",
            {"action": "add_alias", "email_address": f"desk@{domain}", "destinations": "a@b.example\nc@d.example"},
        )
    assert response.status_code == 302
    assert MailAlias.objects.get(email_address=f"desk@{domain}").destinations == ["a@b.example", "c@d.example"]


def test_a_bad_alias_is_a_form_error(owner, world):
    response = owner.post(
        f"/mail/accounts/{world.account.pk}/change/",
        {"action": "add_alias", "email_address": "desk@elsewhere.example", "destinations": "a@b.example"},
    )
    assert response.status_code == 400
    assert f"An alias must be an address of {world.account.identifier}." in response.content.decode()
    assert not MailAlias.objects.filter(email_address="desk@elsewhere.example").exists()


def test_anti_spam_from_the_panel(owner, world, run_jobs):
    with run_jobs():
        owner.post(f"/mail/accounts/{world.account.pk}/change/", {"action": "anti_spam", "type": "advanced"})
    assert MailZone.objects.get(account=world.account).anti_spam == "advanced"


def test_auto_reply_and_forward_from_the_panel(owner, world, run_jobs):
    url = f"/mail/mailboxes/{world.mailbox.pk}/"
    with run_jobs():
        saved = owner.post(
            url, {"save": "reply", "reply_enabled": "on", "subject": "Away", "message": "Back soon.", "end_date": ""}
        )
    assert saved.status_code == 302
    with run_jobs():
        owner.post(url, {"save": "forward", "forward_enabled": "on", "email_addresses": "x@y.example"})
    world.mailbox.refresh_from_db()
    assert world.mailbox.details["auto_reply"]["subject"] == "Away"
    assert world.mailbox.details["auto_forward"] == {
        "enabled": True,
        "email_addresses": ["x@y.example"],
        "copy_to_myself": False,
    }
    refused = owner.post(url, {"save": "reply", "reply_enabled": "on", "subject": "Away", "message": ""})
    assert refused.status_code == 400 and "An auto-reply needs a message." in refused.content.decode()
