"""Customer contact, connection details and the welcome e-mail, CSV export and bulk suspend in the panel."""

from __future__ import annotations

import csv
import io

import pytest
from django.core import mail

from apps.accounts.models import Account, Status
from apps.accounts.services import update_account_contact
from apps.assets.services import create_asset
from apps.core.models import AuditEvent
from apps.provisioning.models import ProvisioningJob

from .conftest import messages_of

pytestmark = pytest.mark.django_db

CONTACT = {
    "contact_name": "Jo Baker",
    "contact_company": "Bakery Demo BV",
    "contact_email": "Jo@Bakery-Demo.example",
    "contact_phone": "+32 9 123 45 67",
    "contact_notes": "Prefers calls before noon.",
}


def test_contact_is_edited_on_its_page_and_shown_on_the_account(writer, account_a):
    url = f"/accounts/{account_a.pk}/contact/"
    assert writer.get(url).status_code == 200
    response = writer.post(url, CONTACT)
    assert response.status_code == 302 and response["Location"] == f"/accounts/{account_a.pk}/"
    account_a.refresh_from_db()
    assert (account_a.contact_name, account_a.contact_email) == ("Jo Baker", "jo@bakery-demo.example")
    html = writer.get(f"/accounts/{account_a.pk}/").content.decode()
    assert "Bakery Demo BV" in html and "+32 9 123 45 67" in html and "Prefers calls before noon." in html
    event = AuditEvent.objects.get(action="account.update_contact")
    assert event.changes["contact_company"] == ["", "Bakery Demo BV"]


def test_bad_contact_input_is_a_form_error_and_changes_nothing(writer, account_a):
    response = writer.post(
        f"/accounts/{account_a.pk}/contact/", {**CONTACT, "contact_email": "not-an-address", "contact_phone": "call me"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "contact_email" in errors
    response = writer.post(f"/accounts/{account_a.pk}/contact/", {**CONTACT, "contact_phone": "call me"})
    assert "contact_phone" in response.context["form"].errors
    account_a.refresh_from_db()
    assert account_a.contact_name == ""
    assert not AuditEvent.objects.filter(action="account.update_contact").exists()


def test_a_reader_cannot_edit_the_contact(reader, account_a):
    assert reader.get(f"/accounts/{account_a.pk}/contact/").status_code == 403
    assert reader.post(f"/accounts/{account_a.pk}/contact/", CONTACT).status_code == 403


def test_another_resellers_account_contact_is_not_found(writer, account_b):
    assert writer.get(f"/accounts/{account_b.pk}/contact/").status_code == 404
    assert writer.post(f"/accounts/{account_b.pk}/contact/", CONTACT).status_code == 404
    account_b.refresh_from_db()
    assert account_b.contact_name == ""


# ---------------------------------------------------------------------------------------------------------------
# Search and filters


@pytest.fixture
def bakery(full_a, servicepack, django_capture_on_commit_callbacks):
    from apps.accounts.services import create_account

    with django_capture_on_commit_callbacks(execute=True):
        account, _ = create_account(principal=full_a, identifier="bakery-demo.example", servicepack=servicepack)
    update_account_contact(principal=full_a, account_id=account.pk, **CONTACT)
    return account


def listed(client, query: str) -> str:
    return client.get(f"/accounts/?{query}").content.decode()


@pytest.mark.parametrize("query", ["q=demo", "q=DEMO", "q=akery-de", "q=Jo+Baker", "q=bakery+demo+bv", "q=jo%40bakery"])
def test_search_finds_any_part_of_the_domain_or_the_contact(reader, bakery, account_a, query):
    html = listed(reader, query)
    assert "bakery-demo.example" in html and "alpha-shop.example" not in html


def test_filters_on_contact_company_and_email(reader, bakery, account_a):
    assert "bakery-demo.example" in listed(reader, "contact_company=demo+bv")
    assert "bakery-demo.example" in listed(reader, "contact_email=JO%40bakery-demo.example")
    assert "bakery-demo.example" not in listed(reader, "contact_email=jo%40elsewhere.example")


def test_search_does_not_reach_another_resellers_accounts(reader, bakery, account_b):
    assert "bravo-shop.example" not in listed(reader, "q=shop")


def test_the_api_filters_with_the_same_filterset(bakery, account_a):
    from apps.accounts.filters import AccountFilterSet

    filterset = AccountFilterSet({"q": "demo"}, queryset=Account.objects.all())
    assert list(filterset.qs) == [bakery]


# ---------------------------------------------------------------------------------------------------------------
# Connection details and the welcome e-mail


def test_connection_details_show_hosts_ports_and_users_but_no_password(writer, account_a, full_a, settings):
    settings.PANEEL_MAIL_HOSTNAME = ""
    create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password="Dbsecret12",
    )
    create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mailbox",
        fields={"email_address": "info@alpha-shop.example"},
        password="Mailsecret1",
    )
    html = writer.get(f"/accounts/{account_a.pk}/").content.decode()
    assert "Connection details" in html
    for text in (
        "FTP (explicit TLS)",
        "SFTP",
        ">21<",
        ">22<",
        "alpha-shop.example",
        f"pn{account_a.pk}_shop",
        ">3306<",
        "mail.alpha-shop.example",
        ">993<",
        ">587<",
    ):
        assert text in html, text
    assert "Dbsecret12" not in html and "Mailsecret1" not in html and "$6$" not in html


def test_welcome_email_goes_to_the_contact_with_the_details_and_no_password(writer, account_a, full_a):
    update_account_contact(principal=full_a, account_id=account_a.pk, **CONTACT)
    url = f"/accounts/{account_a.pk}/welcome-email/"
    preview = writer.get(url)
    assert preview.status_code == 200 and "Your hosting account alpha-shop.example is ready" in preview.content.decode()
    response = writer.post(url, {"to": ""})
    assert response.status_code == 302
    assert "sent to jo@bakery-demo.example" in " ".join(messages_of(writer.get(f"/accounts/{account_a.pk}/")))
    [message] = mail.outbox
    assert message.to == ["jo@bakery-demo.example"]
    assert message.subject == "Your hosting account alpha-shop.example is ready"
    assert "Hello Jo Baker" in message.body and "FTP (explicit TLS): alpha-shop.example, port 21" in message.body
    assert "Ftpsecret1" not in message.body and "$6$" not in message.body
    event = AuditEvent.objects.get(action="account.send_welcome_email")
    assert event.changes == {"to": "jo@bakery-demo.example"}


def test_welcome_email_to_another_address_and_without_any(writer, account_a):
    url = f"/accounts/{account_a.pk}/welcome-email/"
    response = writer.post(url, {"to": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["to"] == ["The account has no contact e-mail: enter the address to send to."]
    assert mail.outbox == []
    response = writer.post(url, {"to": "owner@customer.example"})
    assert response.status_code == 302 and mail.outbox[0].to == ["owner@customer.example"]


def test_welcome_email_needs_write_and_stays_in_the_tenant(reader, writer, account_b, account_a):
    assert reader.post(f"/accounts/{account_a.pk}/welcome-email/", {"to": "x@example.test"}).status_code == 403
    assert writer.post(f"/accounts/{account_b.pk}/welcome-email/", {"to": "x@example.test"}).status_code == 404
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------------------------
# CSV export and bulk actions


def rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_has_the_lists_filters(reader, bakery, account_a, account_b):
    response = reader.get("/accounts/export.csv?q=demo")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="accounts-')
    header, *data = rows(response)
    assert header[:4] == ["id", "identifier", "servicepack", "status"]
    assert [row[1] for row in data] == ["bakery-demo.example"]
    assert data[0][5:7] == ["Bakery Demo BV", "jo@bakery-demo.example"]
    everything = [row[1] for row in rows(reader.get("/accounts/export.csv"))[1:]]
    assert sorted(everything) == ["alpha-shop.example", "bakery-demo.example"]  # never B's


def test_csv_cells_cannot_become_formulas(reader, account_a, full_a):
    update_account_contact(principal=full_a, account_id=account_a.pk, contact_name='=HYPERLINK("x")')
    [_, row] = rows(reader.get("/accounts/export.csv"))
    assert row[4] == '\'=HYPERLINK("x")'


def test_csv_export_with_bad_filters_goes_back_with_a_message(reader, account_a):
    response = reader.get("/accounts/export.csv?status=sleeping")
    assert response.status_code == 302


def test_bulk_suspend_and_unsuspend(writer, run_jobs, bakery, account_a, account_b):
    with run_jobs():
        response = writer.post(
            "/accounts/bulk/",
            {"action": "suspend", "account_id": [bakery.pk, account_a.pk, account_b.pk], "back": "?q=a"},
        )
    assert response.status_code == 302 and response["Location"] == "/accounts/?q=a"
    assert set(Account.objects.filter(status=Status.SUSPENDED).values_list("identifier", flat=True)) == {
        "bakery-demo.example",
        "alpha-shop.example",
    }
    account_b.refresh_from_db()
    assert account_b.status == Status.ACTIVE  # another reseller's id is simply not found
    assert AuditEvent.objects.filter(action="account.suspend").count() == 2
    assert ProvisioningJob.objects.filter(action="account.suspend").count() == 2

    # Already suspended: refused per account, with its reason; the others go ahead.
    response = writer.post("/accounts/bulk/", {"action": "suspend", "account_id": [bakery.pk]}, follow=True)
    assert any("is suspended" in text for text in messages_of(response))
    with run_jobs():
        writer.post("/accounts/bulk/", {"action": "unsuspend", "account_id": [bakery.pk, account_a.pk]})
    assert not Account.objects.filter(status=Status.SUSPENDED).exists()


def test_bulk_needs_write_and_a_known_action(reader, writer, account_a):
    assert reader.post("/accounts/bulk/", {"action": "suspend", "account_id": [account_a.pk]}).status_code == 403
    response = writer.post("/accounts/bulk/", {"action": "delete", "account_id": [account_a.pk]}, follow=True)
    assert "Choose Suspend or Unsuspend." in messages_of(response)
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE


def test_asset_list_and_its_csv_have_the_same_filters(reader, account_a, account_b, full_a):
    create_asset(
        principal=full_a,
        account_id=account_a.pk,
        asset_type="mysql",
        fields={"database_name": "shop"},
        password="Dbsecret12",
    )
    html = reader.get("/assets/?asset_type=mysql").content.decode()
    assert f"pn{account_a.pk}_shop" in html and "bravo-shop.example" not in html
    [header, *data] = rows(reader.get("/assets/export.csv?asset_type=mysql"))
    assert header == ["id", "account", "type", "name", "max_size_mb", "actual_size_mb", "status", "created_at"]
    assert [(row[1], row[2], row[3]) for row in data] == [
        ("alpha-shop.example", "MySQL database", f"pn{account_a.pk}_shop")
    ]
    everything = rows(reader.get("/assets/export.csv"))[1:]
    assert {row[1] for row in everything} == {"alpha-shop.example"}  # never B's
    assert reader.get("/assets/export.csv?status=sleeping").status_code == 302
