"""Accounts in the operator admin: every change goes through the account services and is audited as `admin`."""

from __future__ import annotations

from django.urls import reverse

from apps.accounts.models import Account, Status
from apps.assets.models import Asset
from apps.core.models import AuditEvent
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.servicepacks.models import AssetType, ServicePack, ServicePackItem
from tests.admin.conftest import form_data, form_errors, messages_of

ADD_URL = reverse("admin:accounts_account_add")
CHANGELIST_URL = reverse("admin:accounts_account_changelist")


def change_url(account) -> str:
    return reverse("admin:accounts_account_change", args=[account.pk])


def add_data(tenant, servicepack, identifier="new-shop.example", **extra) -> dict:
    return {
        "reseller": tenant["reseller"].pk,
        "servicepack": servicepack.pk,
        "identifier": identifier,
        "ftp_password": "Ftpsecret1",
        **extra,
    }


def test_add_account_creates_it_through_the_service_with_one_admin_audit_event(
    op_client, operator, tenant_a, servicepack
):
    response = op_client.post(ADD_URL, add_data(tenant_a, servicepack, identifier="New-Shop.Example"))

    assert response.status_code == 302
    account = Account.objects.get()
    assert account.identifier == "new-shop.example"  # normalized by the service
    assert account.reseller == tenant_a["reseller"]
    assert account.status == Status.PROVISIONING
    hosting = Asset.objects.get()
    assert (hosting.account, hosting.asset_type) == (account, AssetType.LINUX_HOSTING)
    assert hosting.details["ftp_password_hash"].startswith("$6$")
    job = ProvisioningJob.objects.get(action="account.create")
    assert (job.action, job.target_id, job.status) == ("account.create", str(account.pk), JobStatus.PENDING)
    event = AuditEvent.objects.get()
    assert (event.action, event.via, event.reseller, event.actor_user) == (
        "account.create",
        "admin",
        tenant_a["reseller"],
        operator,
    )
    assert event.ip == "127.0.0.1"
    assert event.request_id == response["X-Request-Id"]
    assert response["Location"] == CHANGELIST_URL
    assert any(str(job.pk) in message and "account.create" in message for message in messages_of(response))


def test_added_account_is_provisioned_once_the_save_commits(
    op_client, tenant_a, servicepack, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        op_client.post(ADD_URL, add_data(tenant_a, servicepack))

    account = Account.objects.get()
    assert account.status == Status.ACTIVE
    assert ProvisioningJob.objects.get(action="account.create").status == JobStatus.FINISHED


def test_add_account_with_a_bad_domain_shows_the_error_and_creates_nothing(op_client, tenant_a, servicepack):
    response = op_client.post(ADD_URL, add_data(tenant_a, servicepack, identifier="bad_domain!.example"))

    assert response.status_code == 200
    assert "not a valid domain name" in " ".join(form_errors(response)["identifier"])
    assert not Account.objects.exists()
    assert not Asset.objects.exists()
    assert not ProvisioningJob.objects.exists()
    assert not AuditEvent.objects.exists()


def test_add_account_with_a_bad_ftp_password_rolls_everything_back(op_client, tenant_a, servicepack):
    response = op_client.post(ADD_URL, add_data(tenant_a, servicepack, ftp_password="short"))

    assert response.status_code == 200
    assert form_errors(response)["ftp_password"]
    assert not Account.objects.exists()
    assert not AuditEvent.objects.exists()


def test_add_account_on_a_pack_restricted_to_another_reseller_is_a_servicepack_error(
    op_client, tenant_a, tenant_b, servicepack
):
    servicepack.is_restricted = True
    servicepack.save()
    servicepack.allowed_resellers.add(tenant_b["reseller"])

    response = op_client.post(ADD_URL, add_data(tenant_a, servicepack))

    assert response.status_code == 200
    assert form_errors(response)["servicepack"] == ["Servicepack not found."]
    assert not Account.objects.exists()


def test_change_servicepack_goes_through_the_service(op_client, account_a, big_servicepack):
    page = op_client.get(change_url(account_a))
    response = op_client.post(change_url(account_a), form_data(page, servicepack=big_servicepack.pk))

    assert response.status_code == 302
    account_a.refresh_from_db()
    assert account_a.servicepack == big_servicepack
    event = AuditEvent.objects.get(action="account.change_servicepack")
    assert event.via == "admin"
    assert event.changes == {"servicepack": ["Starter", "Business"]}
    job = ProvisioningJob.objects.get(action="account.change_servicepack")
    assert any(str(job.pk) in message for message in messages_of(response))


def test_change_to_a_pack_the_account_does_not_fit_is_a_servicepack_error(op_client, account_a):
    tiny = ServicePack.objects.create(name="Tiny")
    ServicePackItem.objects.create(servicepack=tiny, asset_type=AssetType.MAILBOX, max_count=1)
    page = op_client.get(change_url(account_a))
    events = AuditEvent.objects.count()

    response = op_client.post(change_url(account_a), form_data(page, servicepack=tiny.pk))

    assert response.status_code == 200
    assert "allows 0 Linux hosting assets" in form_errors(response)["servicepack"][0]
    account_a.refresh_from_db()
    assert account_a.servicepack.name == "Starter"
    assert AuditEvent.objects.count() == events


def test_identifier_reseller_and_status_cannot_be_changed(op_client, account_a, tenant_b):
    page = op_client.get(change_url(account_a))
    data = form_data(page, identifier="other.example", reseller=tenant_b["reseller"].pk, status="suspended")

    response = op_client.post(change_url(account_a), data)

    assert response.status_code == 302
    account_a.refresh_from_db()
    assert (account_a.identifier, account_a.reseller.slug, account_a.status) == (
        "alpha-shop.example",
        "alpha",
        Status.ACTIVE,
    )
    assert not ProvisioningJob.objects.exclude(action__in=("account.create", "dns_zone.sync")).exists()


def test_change_page_lists_the_assets_read_only_with_links(op_client, account_a):
    hosting = account_a.assets.get()
    page = op_client.get(change_url(account_a))
    body = page.content.decode()

    assert reverse("admin:assets_asset_change", args=[hosting.pk]) in body
    assert f"?account__id__exact={account_a.pk}" in body
    inline = page.context["inline_admin_formsets"][0]
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission


def run_action(op_client, action: str, accounts, **extra):
    return op_client.post(
        CHANGELIST_URL, {"action": action, "_selected_action": [a.pk for a in accounts], **extra}, follow=False
    )


def test_suspend_and_unsuspend_actions_use_the_services(op_client, account_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = run_action(op_client, "suspend_selected", [account_a])
    assert response.status_code == 302
    account_a.refresh_from_db()
    assert account_a.status == Status.SUSPENDED
    assert AuditEvent.objects.get(action="account.suspend").via == "admin"
    assert ProvisioningJob.objects.get(action="account.suspend").status == JobStatus.FINISHED
    assert "Suspension started for 1 account." in messages_of(response)

    with django_capture_on_commit_callbacks(execute=True):
        run_action(op_client, "unsuspend_selected", [account_a])
    account_a.refresh_from_db()
    assert account_a.status == Status.ACTIVE
    assert AuditEvent.objects.get(action="account.unsuspend").via == "admin"


def test_suspend_action_reports_each_refusal_and_counts_the_successes(op_client, account_a, account_b):
    Account.objects.filter(pk=account_b.pk).update(status=Status.SUSPENDED)

    response = run_action(op_client, "suspend_selected", [account_a, account_b])

    job = ProvisioningJob.objects.get(action="account.suspend")
    assert job.target_id == str(account_a.pk)
    texts = messages_of(response)
    assert "Suspension started for 1 account." in texts
    assert any(t.startswith("bravo-shop.example: ") and "suspended" in t for t in texts)
    assert not AuditEvent.objects.filter(action="account.suspend", object_id=str(account_b.pk)).exists()


def test_delete_asks_for_confirmation_then_starts_the_delete_job(
    op_client, account_a, django_capture_on_commit_callbacks
):
    url = reverse("admin:accounts_account_delete", args=[account_a.pk])
    confirm = op_client.get(url)
    assert confirm.status_code == 200
    assert "alpha-shop.example" in confirm.content.decode()

    response = op_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    account_a.refresh_from_db()
    assert account_a.status == Status.DELETING
    assert set(account_a.assets.values_list("status", flat=True)) == {Status.DELETING}
    assert AuditEvent.objects.get(action="account.delete").via == "admin"
    job = ProvisioningJob.objects.get(action="account.delete")
    texts = messages_of(response)
    assert "Deleting account “alpha-shop.example”." in texts
    assert any(str(job.pk) in t for t in texts)


def test_delete_job_removes_the_account(op_client, account_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        op_client.post(reverse("admin:accounts_account_delete", args=[account_a.pk]), {"post": "yes"})

    assert not Account.objects.filter(pk=account_a.pk).exists()


def test_delete_of_an_account_already_being_deleted_is_refused_with_a_message(op_client, account_a):
    Account.objects.filter(pk=account_a.pk).update(status=Status.DELETING)

    response = op_client.post(reverse("admin:accounts_account_delete", args=[account_a.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert response["Location"] == change_url(account_a)
    assert any("already being deleted" in t for t in messages_of(response))
    assert not AuditEvent.objects.filter(action="account.delete").exists()


def test_bulk_delete_confirms_then_deletes_each_through_the_service(op_client, account_a, account_b):
    Account.objects.filter(pk=account_b.pk).update(status=Status.DELETING)

    confirm = run_action(op_client, "delete_selected", [account_a, account_b])
    assert confirm.status_code == 200
    assert "Are you sure" in confirm.content.decode()

    response = run_action(op_client, "delete_selected", [account_a, account_b], post="yes")

    assert response.status_code == 302
    account_a.refresh_from_db()
    assert account_a.status == Status.DELETING
    assert ProvisioningJob.objects.filter(action="account.delete").count() == 1
    texts = messages_of(response)
    assert "Deletion started for 1 account." in texts
    assert any(t.startswith("bravo-shop.example: ") for t in texts)
    assert Account.objects.filter(pk=account_b.pk).exists()


def test_operator_chooses_the_web_server_of_a_new_account(op_client, tenant_a, servicepack):
    from apps.servers.models import Server

    Server.objects.create(name="web1", hostname="web1.example.net", web=True)
    chosen = Server.objects.create(name="web2", hostname="web2.example.net", web=True)
    Server.objects.create(name="old", hostname="old.example.net", web=True, is_active=False)
    form = op_client.get(ADD_URL).content.decode()
    assert 'name="web_server"' in form and ">web2<" in form and ">old<" not in form
    response = op_client.post(ADD_URL, add_data(tenant_a, servicepack, web_server=chosen.pk))
    assert response.status_code == 302
    account = Account.objects.get()
    assert account.web_server == chosen
    assert ProvisioningJob.objects.get(action="account.create").server == chosen  # its job runs on web2's queue


def test_without_a_choice_the_least_loaded_web_server_is_taken(op_client, tenant_a, servicepack):
    from apps.servers.models import Server

    first = Server.objects.create(name="web1", hostname="web1.example.net", web=True)
    response = op_client.post(ADD_URL, add_data(tenant_a, servicepack))
    assert response.status_code == 302
    assert Account.objects.get().web_server == first
