"""`/v2/mailzones/{domain_name}` and a mailbox's `/autoreply` and `/autoforward`, through signed requests: what is
configured shows in the zone, changes are applied on the mail server's files by their jobs (local drivers here;
the real daemons in tests/stack/mail), bad input is a clear 400, another reseller's zone is 404."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from apps.mail.models import MailAlias, MailZone
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api.conftest import assert_problem
from tests.world import build_world


@pytest.fixture
def world(tenant_a, account_a):
    return build_world(tenant_a, account_a)


def zone_files(domain: str) -> Path:
    return Path(settings.PANEEL_PROVISIONING_ROOT) / "mail" / "zones" / domain


def test_the_zone_lists_what_is_configured(writer, world):
    response = writer.get(f"/v2/mailzones/{world.account.identifier}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == world.account.identifier and body["enabled"] is True
    assert body["catch_all"] == {"email_addresses": [world.mailbox.name]}
    assert body["aliases"] == [{"email_address": world.alias.email_address, "destinations": [world.mailbox.name]}]
    assert body["smtp_domains"] == [{"hostname": world.smtp_domain.hostname, "enabled": True}]
    assert body["anti_spam"] == {"type": "basic", "allowed_types": ["none", "basic", "advanced"]}
    assert body["available_accounts"] == [{"account_id": world.account.pk, "size": 2048}]
    # ... and so do the server's files, which the zone's jobs wrote.
    virtual = (zone_files(world.account.identifier) / "virtual").read_text()
    assert f"{world.alias.email_address} {world.mailbox.name}" in virtual
    assert f"@{world.account.identifier} {world.mailbox.name}" in virtual
    assert f"@{world.smtp_domain.hostname} @{world.account.identifier}" in virtual
    aliases = (Path(settings.PANEEL_PROVISIONING_ROOT) / "mail" / "postfix" / "aliases").read_text()
    assert f"{world.mailbox.name} {world.mailbox.name}\n" in aliases  # before the catch-all: it keeps its mail


def test_anti_spam_change_rewrites_the_zones_sieve_step(writer, world, run_jobs):
    domain = world.account.identifier
    with run_jobs():
        response = writer.put(f"/v2/mailzones/{domain}/antispam", {"type": "advanced"})
    assert response.status_code == 204, response.content
    script = (zone_files(domain) / "before.sieve").read_text()
    assert 'filter "spamc"' in script and 'fileinto :create "Junk"' in script
    with run_jobs():
        assert writer.put(f"/v2/mailzones/{domain}/antispam", {"type": "none"}).status_code == 204
    assert not (zone_files(domain) / "before.sieve").exists()
    assert writer.get(f"/v2/mailzones/{domain}").json()["anti_spam"]["type"] == "none"
    assert_problem(writer.put(f"/v2/mailzones/{domain}/antispam", {"type": "max"}), 400, "validation_failed", "type")


def test_alias_create_update_delete(writer, world, run_jobs):
    domain = world.account.identifier
    with run_jobs():
        created = writer.post(
            f"/v2/mailzones/{domain}/aliases", {"email_address": f"Team@{domain}", "destinations": ["a@b.example"]}
        )
    assert created.status_code == 201, created.content
    assert created["Location"] == f"/v2/mailzones/{domain}/aliases/team@{domain}"
    with run_jobs():
        updated = writer.put(f"/v2/mailzones/{domain}/aliases/team@{domain}", {"destinations": ["c@d.example"]})
    assert updated.status_code == 202
    job = ProvisioningJob.objects.get(pk=updated["Location"].rsplit("/", 1)[1])
    assert (job.action, job.status) == ("mail_zone.update", JobStatus.FINISHED)
    assert MailAlias.objects.get(email_address=f"team@{domain}").destinations == ["c@d.example"]
    assert f"team@{domain} c@d.example" in (zone_files(domain) / "virtual").read_text()
    with run_jobs():
        assert writer.delete(f"/v2/mailzones/{domain}/aliases/team@{domain}").status_code == 204
    assert f"team@{domain}" not in (zone_files(domain) / "virtual").read_text()


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"email_address": "x@elsewhere.example", "destinations": ["a@b.example"]}, 400, "validation_failed", None),
        ({"email_address": "{mailbox}", "destinations": ["a@b.example"]}, 409, "duplicate", "email_address"),
        ({"email_address": "x@{domain}", "destinations": []}, 400, "validation_failed", "destinations"),
        ({"email_address": "x@{domain}", "destinations": ["not an address"]}, 400, "validation_failed", None),
        ({"email_address": "x@{domain}"}, 400, "validation_failed", "destinations"),
    ],
)
def test_bad_aliases_are_refused_clearly_and_change_nothing(body, status, code, field, writer, world):
    filled = {
        key: value.format(domain=world.account.identifier, mailbox=world.mailbox.name)
        if isinstance(value, str)
        else value
        for key, value in body.items()
    }
    before = list(MailAlias.objects.values())
    response = writer.post(f"/v2/mailzones/{world.account.identifier}/aliases", filled)
    assert_problem(response, status, code, field)
    assert list(MailAlias.objects.values()) == before


def test_smtp_domain_of_another_account_is_refused(writer, world, account_b):
    response = writer.post(f"/v2/mailzones/{world.account.identifier}/smtpdomains", {"hostname": account_b.identifier})
    assert_problem(response, 409, "duplicate", "hostname")


def test_auto_reply_and_forward_show_in_the_mailbox_and_its_sieve_script(writer, world, run_jobs):
    mailbox = world.mailbox.name
    with run_jobs():
        reply = writer.put(
            f"/v2/mailboxes/{mailbox}/autoreply",
            {"enabled": True, "subject": 'Away "now"', "message": "Back\non Monday.", "end_date": "2030-01-31"},
        )
    with run_jobs():  # a second change of the mailbox waits until the first one's job has ended
        forward = writer.put(
            f"/v2/mailboxes/{mailbox}/autoforward",
            {"enabled": True, "email_addresses": ["Me@Elsewhere.example"], "copy_to_myself": True},
        )
    assert (reply.status_code, forward.status_code) == (204, 204), (reply.content, forward.content)
    detail = writer.get(f"/v2/mailboxes/{mailbox}").json()
    assert detail["auto_reply"] == {"enabled": True, "subject": 'Away "now"', "message": "Back\non Monday."}
    assert detail["auto_forward"] == {
        "enabled": True,
        "email_addresses": ["me@elsewhere.example"],
        "copy_to_myself": True,
    }
    local, _, domain = mailbox.partition("@")
    script = (Path(settings.PANEEL_PROVISIONING_ROOT) / "mail" / domain / local / ".dovecot.sieve").read_text()
    assert ':subject "Away \\"now\\""' in script
    assert 'currentdate :value "le" "date" "2030-01-31"' in script
    assert 'redirect :copy "me@elsewhere.example";' in script


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("autoreply", {"enabled": True, "subject": "Away", "message": " "}, "message"),
        ("autoreply", {"enabled": True, "subject": "Two\nlines", "message": "x"}, "subject"),
        ("autoreply", {"enabled": "perhaps"}, "enabled"),
        ("autoreply", {"enabled": True, "message": "x", "start_date": "2030-02-01", "end_date": "2030-01-01"}, None),
        ("autoforward", {"enabled": True, "email_addresses": []}, "email_addresses"),
        ("autoforward", {"enabled": True, "email_addresses": ["{mailbox}"]}, "email_addresses"),
    ],
)
def test_bad_auto_settings_are_refused_clearly(route, body, field, writer, world):
    filled = {
        key: [item.format(mailbox=world.mailbox.name) for item in value] if isinstance(value, list) else value
        for key, value in body.items()
    }
    response = writer.put(f"/v2/mailboxes/{world.mailbox.name}/{route}", filled)
    assert_problem(response, 400, "validation_failed", field)


def test_another_resellers_zone_is_not_found_and_a_read_key_cannot_change_it(other, reader, world):
    domain = world.account.identifier
    assert_problem(other.get(f"/v2/mailzones/{domain}"), 404, "not_found")
    assert_problem(other.put(f"/v2/mailzones/{domain}/antispam", {"type": "none"}), 404, "not_found")
    assert_problem(reader.put(f"/v2/mailzones/{domain}/antispam", {"type": "none"}), 403, "insufficient_level")
    assert MailZone.objects.get(name=domain).anti_spam == "basic"


def test_a_domain_without_mailboxes_in_its_pack_has_no_mail_zone(writer, tenant_a, db):
    from tests.world import make_account, make_pack

    pack = make_pack("Web only", ("linux_hosting", 1, 100, True))
    account = make_account(tenant_a, "web-only.example", pack, ftp_password="Ftpsecret1")
    assert_problem(writer.get(f"/v2/mailzones/{account.identifier}"), 404, "not_found")


def test_deleting_the_account_removes_its_zones_files(writer, world, run_jobs):
    domain = world.account.identifier
    assert (zone_files(domain) / "virtual").exists()
    with run_jobs():
        assert writer.delete(f"/v2/accounts/{world.account.pk}").status_code == 202
    assert not zone_files(domain).exists()
    aliases = (Path(settings.PANEEL_PROVISIONING_ROOT) / "mail" / "postfix" / "aliases").read_text()
    assert domain not in aliases
    assert not MailZone.objects.filter(name=domain).exists()
