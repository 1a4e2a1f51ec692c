"""The panel's main flows in a real browser."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.accounts.models import Account, Status
from apps.accounts.services import create_account
from apps.apikeys.models import ApiKey
from apps.core.crypto import decrypt
from apps.core.principal import Principal, Via
from apps.ipwhitelist.models import IpWhitelistEntry
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.resellers.models import Reseller

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def owner_principal(user) -> Principal:
    membership = user.memberships.select_related("reseller").get()
    return Principal.for_user(user, membership.reseller, membership.level, via=Via.PANEL)


@pytest.fixture
def account(reseller_owner, servicepack):
    """An active account; its job runs when create_account's transaction commits."""
    account, _ = create_account(
        principal=owner_principal(reseller_owner), identifier="shop.example", servicepack=servicepack
    )
    account.refresh_from_db()
    assert account.status == Status.ACTIVE
    return account


def test_sign_in_and_out(page, reseller_owner):
    sign_in(page, password="wrong-password", succeeds=False)
    expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password")
    sign_in(page)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_create_an_account_and_watch_its_job_finish(page, reseller_owner, servicepack):
    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    expect(page.get_by_text("No accounts yet")).to_be_visible()
    page.get_by_role("link", name="New account").first.click()
    page.get_by_label("Domain name").fill("new-shop.example")
    page.get_by_label("Servicepack").select_option(label="Starter")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("new-shop.example")
    expect(page.get_by_role("status")).to_contain_text("Account new-shop.example is being created.")
    page.get_by_role("link", name="Create account").click()
    expect(page.locator(".job-state")).to_contain_text("Finished")
    page.get_by_role("link", name="Go to new-shop.example").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Active")
    assert Account.objects.get(identifier="new-shop.example").status == Status.ACTIVE


def test_running_job_page_updates_itself_when_the_job_ends(page, reseller_owner, account):
    job = ProvisioningJob.objects.create(
        reseller=Reseller.objects.get(slug="alpha"),
        action="account.suspend",
        target_type="account",
        target_id=str(account.pk),
        target_repr=str(account),
        status=JobStatus.RUNNING,
    )
    sign_in(page)
    page.goto(f"/jobs/{job.pk}/")
    expect(page.locator(".job-state")).to_contain_text("Running")
    expect(page.get_by_role("link", name="Refresh", exact=True)).to_be_visible()
    url_before = page.url
    ProvisioningJob.objects.filter(pk=job.pk).update(status=JobStatus.FINISHED, finished_at=timezone.now())
    expect(page.locator(".job-state")).to_contain_text("Finished", timeout=10_000)  # no click, no reload
    assert page.url == url_before
    expect(page.get_by_role("link", name="Refresh", exact=True)).to_have_count(0)


def test_add_a_mysql_database(page, account):
    sign_in(page)
    page.goto(f"/accounts/{account.pk}/")
    page.get_by_role("link", name="Add asset").click()
    expect(page.get_by_text("All 1 that servicepack 'Starter' allows are in use.")).to_be_visible()
    page.get_by_role("link", name="Add MySQL database").click()
    page.get_by_label("Database name").fill("shop")
    page.get_by_label("Database user's password").fill("Dbsecret12")
    page.get_by_label("Maximum size (MB)").fill("250")
    page.get_by_role("button", name="Add MySQL database").click()

    expect(page.get_by_role("status")).to_contain_text("is being created")
    row = page.get_by_role("region", name="Assets").get_by_role("row").filter(has_text=f"pn{account.pk}_shop")
    expect(row).to_contain_text("MySQL database")
    expect(row).to_contain_text("Active")
    expect(page.get_by_text("1 of 2")).to_be_visible()


def test_mysql_form_errors_are_shown_next_to_the_field(page, account):
    sign_in(page)
    page.goto(f"/assets/new/{account.pk}/mysql/")
    page.get_by_label("Database name").fill("Bad Name")
    page.get_by_label("Database user's password").fill("short")
    page.get_by_role("button", name="Add MySQL database").click()
    name = page.get_by_label("Database name")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_database_name_error")).to_contain_text("Use lowercase letters")
    expect(name).to_have_attribute("aria-describedby", re.compile("id_database_name_error"))
    page.get_by_label("Database name").fill("shop")
    page.get_by_label("Database user's password").fill("short")
    page.get_by_role("button", name="Add MySQL database").click()
    expect(page.locator("#id_password_error")).to_contain_text("between 8 and 20")
    expect(page.get_by_label("Database name")).not_to_have_attribute("aria-invalid", "true")


def test_create_an_api_key_and_see_the_secret_once(page, reseller_owner):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page)
    page.get_by_role("link", name="API keys").click()
    page.get_by_role("link", name="New API key").first.click()
    page.get_by_label("Name").fill("billing")
    page.get_by_label("Level").select_option("write")
    page.get_by_role("button", name="Create API key").click()

    expect(page.get_by_role("alert")).to_contain_text("This is the only time it is shown")
    secret = page.locator("#api-secret").inner_text().strip()
    assert decrypt(ApiKey.objects.get(name="billing").secret_encrypted) == secret
    copy = page.locator('button[data-copy="#api-secret"]')  # not by its name: the name changes when clicked
    expect(copy).to_have_text("Copy secret")
    expect(copy).to_be_visible()  # shown by JavaScript only
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == secret

    page.get_by_role("link", name="I have stored the secret").click()
    expect(page.get_by_role("cell", name="billing", exact=True)).to_be_visible()
    assert secret not in page.content()
    # Post/redirect/get: going back (or reloading) loads the key's page again, without the secret, and makes no
    # second key.
    page.go_back()
    expect(page.get_by_role("status").first).to_contain_text("The secret was shown once")
    assert secret not in page.content()
    page.reload()
    assert secret not in page.content()
    assert ApiKey.objects.count() == 1


def test_add_a_whitelist_entry(page, reseller_owner):
    sign_in(page)
    page.get_by_role("link", name="IP whitelist").click()
    expect(page.get_by_text("Your address is 127.0.0.1")).to_be_visible()
    page.get_by_label("Address or network").fill("not an address")
    page.get_by_role("button", name="Add to whitelist").click()
    expect(page.locator("#id_cidr_error")).to_contain_text("is not an IP address")

    page.get_by_label("Address or network").fill("203.0.113.0/24")
    page.get_by_label("Description").fill("office")
    page.get_by_role("button", name="Add to whitelist").click()
    expect(page.get_by_role("status")).to_contain_text("API requests from 203.0.113.0/24 are allowed.")
    expect(page.get_by_role("row").filter(has_text="203.0.113.0/24")).to_contain_text("office")

    page.get_by_role("button", name="Allow 127.0.0.1").click()
    expect(page.get_by_role("row").filter(has_text="127.0.0.1")).to_be_visible()
    assert set(IpWhitelistEntry.objects.values_list("cidr", flat=True)) == {"203.0.113.0/24", "127.0.0.1"}


def test_delete_an_account_through_its_confirmation(page, account):
    sign_in(page)
    page.goto("/accounts/")
    page.get_by_role("link", name="shop.example").click()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete shop.example?")
    expect(page.get_by_text("cannot be undone")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("shop.example")
    assert Account.objects.filter(pk=account.pk).exists()

    page.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete account shop.example").click()
    expect(page.get_by_role("status")).to_contain_text("is being deleted")
    expect(page.get_by_text("No accounts yet")).to_be_visible()
    assert not Account.objects.filter(pk=account.pk).exists()


def test_keyboard_user_can_skip_to_the_content_and_sees_focus(page, reseller_owner):
    sign_in(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))


def test_create_an_account_then_add_a_host_header_and_an_ssh_key(page, reseller_owner, servicepack):
    """Issue 8: create + host header + SSH key, every step through the panel."""
    from apps.assets.models import Asset
    from tests.world import ssh_public_key

    sign_in(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="New account").first.click()
    page.get_by_label("Domain name").fill("web-shop.example")
    page.get_by_label("Servicepack").select_option(label="Starter")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("web-shop.example")

    page.get_by_role("link", name="web-shop.example", exact=True).first.click()
    connection = page.locator("#connection-details")
    expect(connection).to_contain_text("http://web-shop.example/")
    expect(connection).to_contain_text(Asset.objects.get(name="web-shop.example").details["system_user"])

    page.get_by_label("Add host header").first.fill("alias.example.org")
    page.get_by_role("button", name="Add", exact=True).first.click()
    expect(page.get_by_role("status")).to_contain_text("The host header is being added.")
    expect(page.locator(".host-headers").first).to_contain_text("alias.example.org")

    page.get_by_label("Add host header").first.fill("www.web-shop.example")
    page.get_by_role("button", name="Add", exact=True).first.click()
    expect(page.get_by_text("www.web-shop.example is already served by a site.")).to_be_visible()

    public_key = ssh_public_key("dev@laptop")
    page.get_by_label("Public key").fill(public_key)
    page.get_by_role("button", name="Add key").click()
    expect(page.get_by_role("status")).to_contain_text("The SSH key is being added.")
    hosting = Asset.objects.get(name="web-shop.example")
    fingerprint = hosting.details["ssh_keys"][0]["fingerprint"]
    expect(page.get_by_role("cell", name=fingerprint, exact=True)).to_be_visible()
    assert "alias.example.org" in [h["name"] for h in hosting.details["sites"][0]["host_headers"]]
    assert ProvisioningJob.objects.filter(action="linux_hosting.update", status=JobStatus.FINISHED).exists()

    page.get_by_role("button", name=f"Remove key {fingerprint}").click()
    expect(page.get_by_role("status")).to_contain_text("The SSH key is being removed.")
    hosting.refresh_from_db()
    assert hosting.details["ssh_keys"] == []
