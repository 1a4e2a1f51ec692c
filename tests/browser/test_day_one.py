"""Issue 13 in a real browser: the welcome e-mail, two-factor set-up and sign-in, and the 390 px phone layout."""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.accounts.models import Status
from apps.accounts.services import create_account
from apps.apikeys.services import create_api_key
from apps.core.principal import Principal, Via
from apps.ipwhitelist.services import add_whitelist_entry
from apps.resellers.models import Membership
from apps.twofactor import totp
from apps.twofactor.models import TwoFactorDevice
from tests.conftest import make_user

from .conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def owner_principal(user) -> Principal:
    membership = user.memberships.select_related("reseller").get()
    return Principal.for_user(user, membership.reseller, membership.level, via=Via.PANEL)


@pytest.fixture
def account(reseller_owner, servicepack):
    account, _ = create_account(
        principal=owner_principal(reseller_owner),
        identifier="bakery-demo.example",
        servicepack=servicepack,
        ftp_password="Ftpsecret1",
    )
    account.refresh_from_db()
    assert account.status == Status.ACTIVE
    return account


def test_welcome_email_with_the_connection_details(page, account):
    sign_in(page)
    page.goto(f"/accounts/{account.pk}/")
    expect(page.get_by_role("heading", name="Connection details")).to_be_visible()
    expect(page.get_by_text("FTP (explicit TLS)")).to_be_visible()
    page.get_by_role("link", name="Edit contact").click()
    expect(page.get_by_label("Contact name")).to_be_focused()  # the form page focuses its first field
    page.get_by_label("Contact name").fill("Jo Baker")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_label("E-mail")).to_be_focused()  # after the invalid submit: the field in error
    page.get_by_label("E-mail").fill("jo@bakery-demo.example")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("status").first).to_contain_text("The contact of bakery-demo.example is saved.")

    page.get_by_role("link", name="Welcome e-mail").click()
    expect(page.locator("#welcome-preview")).to_contain_text("Hello Jo Baker")
    page.get_by_role("button", name="Send welcome e-mail").click()
    expect(page.get_by_role("status").first).to_contain_text("sent to jo@bakery-demo.example")
    [message] = mail.outbox
    assert message.to == ["jo@bakery-demo.example"]
    assert "bakery-demo.example, port 21" in message.body and "Ftpsecret1" not in message.body


def test_two_factor_set_up_and_sign_in(page, reseller_owner):
    sign_in(page)
    page.get_by_role("link", name="Two-factor").click()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    page.get_by_label("Code from your app").fill(totp.totp(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    assert TwoFactorDevice.objects.filter(user=reseller_owner).exists()
    page.get_by_role("button", name="Sign out").click()

    # Password, then the code: a wrong one first, then the app's next code.
    sign_in(page, succeeds=False)
    expect(page).to_have_url(re.compile(r"/login/two-factor/$"))
    expect(page.get_by_label("Code")).to_be_focused()
    page.get_by_label("Code").fill("000000" if totp.totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.get_by_label("Code").fill(totp.totp(secret, time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")

    # A recovery code works instead of the app, once.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, succeeds=False)
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha")


@pytest.fixture
def busy_reseller(reseller_owner, account):
    """Enough on every page that a narrow screen has something to overflow: long names, keys, networks."""
    principal = owner_principal(reseller_owner)
    reseller = principal.reseller
    for number in range(3):
        user = make_user(f"a-member-with-a-rather-long-username-{number}")
        Membership.objects.create(user=user, reseller=reseller, level="read")
    for name in ("deployment pipeline of the web shop", "nightly billing synchronisation"):
        create_api_key(principal=principal, level="write", name=name)
    add_whitelist_entry(principal=principal, cidr="2001:db8:1234:5678:9abc:def0:1234:0/112", description="office v6")
    add_whitelist_entry(principal=principal, cidr="198.51.100.0/24", description="the data centre in Ghent")
    return reseller


@pytest.mark.parametrize("path", ["/", "/members/", "/api-access/whitelist/", "/api-access/keys/", "/accounts/"])
def test_phone_layout_has_no_horizontal_scroll_and_every_navigation_entry_shows(
    browser, live_server, busy_reseller, path
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    try:
        sign_in(page)
        page.goto(path)
        page.wait_for_load_state()
        ARTIFACTS.mkdir(exist_ok=True)
        name = path.strip("/").replace("/", "-") or "dashboard"
        page.screenshot(path=str(ARTIFACTS / f"phone-390-{name}.png"), full_page=True)
        widths = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
        assert max(widths[:2]) <= widths[2] == PHONE["width"], f"{path} scrolls sideways: {widths}"
        nav = page.get_by_role("navigation", name="Main")
        links = nav.get_by_role("link").all()
        assert len(links) == 12  # 7 for everyone, 5 for a full member
        for link in links:
            box = link.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
            expect(link).to_be_visible()
    finally:
        context.close()
