"""The audit log, the dashboard and the job pages show words, not internal codes (issue 13, item 7)."""

from __future__ import annotations

import pytest

from apps.panel.templatetags.paneel_words import action_words, change_words, job_action_words, key_words
from apps.resellers.services import change_member_level

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("account.change_servicepack", "Changed the servicepack of account"),
        ("mysql.create", "Created MySQL database"),
        ("linux_hosting.set_php_version", "Changed the PHP version of Linux hosting"),
        ("member.change_level", "Changed the level of member"),
        ("whitelist_entry.add", "Added IP whitelist entry"),
        ("two_factor.enable", "Turned on two-factor sign-in"),
        ("gadget.polish", "Polish gadget"),  # unknown: still words, not a crash
    ],
)
def test_actions_read_as_words(code, words):
    assert action_words(code) == words


def test_job_actions_read_as_instructions():
    assert job_action_words("mailbox.delete") == "Delete Mailbox"
    assert job_action_words("account.create") == "Create account"


def test_changes_read_as_words():
    assert change_words(["read", "write"]) == "Read → Write"
    assert change_words([False, True]) == "no → yes"
    assert change_words({"Linux hosting a.example": [1024, 10240]}) == "Linux hosting a.example: 1024 → 10240"
    assert change_words("") == "—"
    assert key_words("contact_email") == "Contact e-mail" and key_words("max_size") == "Maximum size (MB)"


def test_the_audit_log_page_shows_words(owner, full_a, tenant_a):
    from apps.resellers.models import Membership

    membership = Membership.objects.get(user=tenant_a["reader"])
    change_member_level(principal=full_a, membership_id=membership.pk, level="write")
    html = owner.get("/audit/").content.decode()
    assert "Changed the level of member" in html
    assert "Read → Write" in html
    assert "[&#x27;read&#x27;, &#x27;write&#x27;]" not in html and "['read', 'write']" not in html


def test_the_job_page_names_the_action_in_words(owner, account_a):
    from apps.provisioning.models import ProvisioningJob

    job = ProvisioningJob.objects.filter(action="account.create").first()
    html = owner.get(f"/jobs/{job.pk}/").content.decode()
    assert "Create account" in html and "(account " not in html
