"""Every admin page answers with its data, lists stay bounded in queries, and what must stay hidden or read-only
does."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from apps.accounts.models import Account, Status
from apps.apikeys.oauth_services import create_oauth_application
from apps.apikeys.services import create_api_key
from apps.assets.models import Asset
from apps.assets.services import create_asset
from apps.certificates.models import AcmeAccount
from apps.certificates.services import create_certificate_request
from apps.core.models import AuditEvent
from apps.domains.services import register_domain
from apps.events.models import AttemptOutcome, WebhookAttempt
from apps.events.services import create_webhook
from apps.ipwhitelist.services import add_whitelist_entry
from apps.mail import services as mail
from apps.servers.models import Server
from apps.servicepacks.models import AssetType
from apps.twofactor import totp
from apps.twofactor.services import enable_two_factor
from tests.world import REGISTRANT, csr_for, make_certificate

# A text each model's changelist shows for the objects of the `world` fixture.
EXPECTED_TEXT = {
    "resellers.reseller": "Alpha",
    "resellers.membership": "alpha-owner",
    "servicepacks.servicepack": "Starter",
    "servicepacks.servicepackitem": "Starter",
    "accounts.account": "alpha-shop.example",
    "assets.asset": "info@alpha-shop.example",
    "provisioning.provisioningjob": "mailbox.create",
    "apikeys.apikey": "deploy",
    "apikeys.resellerapplication": "Alpha dashboard",
    "ipwhitelist.ipwhitelistentry": "203.0.113.0/24",
    "core.auditevent": "api_key.create",
    "servers.server": "web1.hosting.example",
    "twofactor.twofactordevice": "alpha-owner",
    "twofactor.recoverycode": "alpha-owner",
    "events.event": "api_key.create",
    "events.webhook": "https://hooks.alpha.example/in",
    "events.webhookdelivery": "webhook.create",
    "events.webhookattempt": "Could not connect or timed out",
    "listcounts.listcount": "account",  # issue 11: read-only, kept by triggers
    "mail.mailzone": "alpha-shop.example",
    "mail.mailalias": "sales@alpha-shop.example",
    "mail.smtpdomain": "alpha-more.example",
    "dns.dnszone": "alpha-shop.example",
    "dns.dnsrecord": "v=spf1 a mx ~all",
    "certificates.certificate": "alpha-shop.example",
    "certificates.certificaterequest": "www.alpha-shop.example",
    "certificates.acmeaccount": "acme.example",
    "domains.domain": "alpha-name.example",
    "domains.domainorder": "alpha-name.example",
}


@pytest.fixture
def world(account_a, full_a, django_capture_on_commit_callbacks):
    Server.objects.create(name="web1", hostname="web1.hosting.example", web=True, mail=True)
    with django_capture_on_commit_callbacks(execute=True):
        create_asset(
            principal=full_a,
            account_id=account_a.pk,
            asset_type=AssetType.MAILBOX,
            fields={"email_address": "info@alpha-shop.example"},
            password="Mailpass1",
        )
    with django_capture_on_commit_callbacks(execute=True):
        mail.create_alias(
            principal=full_a,
            domain_name="alpha-shop.example",
            email_address="sales@alpha-shop.example",
            destinations=["info@alpha-shop.example"],
        )
        mail.create_smtp_domain(principal=full_a, domain_name="alpha-shop.example", hostname="alpha-more.example")
    api_key, secret = create_api_key(principal=full_a, level="write", name="deploy")
    add_whitelist_entry(principal=full_a, cidr="203.0.113.0/24", description="office")
    create_oauth_application(
        principal=full_a,
        name="Alpha dashboard",
        client_type="confidential",
        authorization_grant_type="client-credentials",
    )
    secret_totp = totp.generate_secret()
    enable_two_factor(user=full_a.user, secret=secret_totp, code=totp.totp(secret_totp))
    webhook, _ = create_webhook(principal=full_a, url="https://hooks.alpha.example/in", event_types=["webhook.*"])
    # As the worker records an attempt that could not connect (no test reaches the network).
    WebhookAttempt.objects.create(delivery=webhook.deliveries.get(), number=1, outcome=AttemptOutcome.NETWORK_ERROR)
    make_certificate(account_a, "alpha-shop.example")
    create_certificate_request(principal=full_a, csr=csr_for("www.alpha-shop.example"))  # its job is left pending
    AcmeAccount.objects.create(directory_url="https://acme.example/directory", key_encrypted=b"x")
    register_domain(principal=full_a, domain_name="alpha-name.example", registrant=REGISTRANT)
    return {"account": account_a, "api_key": api_key, "secret": secret}


def paneel_models():
    return [model for model in apps.get_models() if model.__module__.startswith("apps.")]


def label(model) -> str:
    return model._meta.label_lower


def test_every_paneel_model_is_registered():
    missing = [label(model) for model in paneel_models() if model not in admin.site._registry]
    assert missing == []
    assert sorted(EXPECTED_TEXT) == sorted(label(model) for model in paneel_models())


def test_every_changelist_and_change_page_answers_with_its_data(op_client, world):
    for model in paneel_models():
        opts = model._meta
        changelist = op_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200, label(model)
        assert EXPECTED_TEXT[label(model)] in changelist.content.decode(), label(model)

        obj = model._default_manager.order_by("pk").first()
        change = op_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        assert change.status_code == 200, label(model)
        assert str(obj.pk) in change.content.decode() or str(obj) in change.content.decode(), label(model)


def test_add_pages_answer_where_adding_is_allowed(op_client, world):
    for name in ("resellers_reseller", "resellers_membership", "servicepacks_servicepack", "accounts_account"):
        assert op_client.get(reverse(f"admin:{name}_add")).status_code == 200, name
    for name in ("assets_asset", "ipwhitelist_ipwhitelistentry", "servicepacks_servicepackitem"):
        assert op_client.get(reverse(f"admin:{name}_add")).status_code == 200, name
    for name in ("apikeys_apikey", "apikeys_resellerapplication", "provisioning_provisioningjob", "core_auditevent"):
        assert op_client.get(reverse(f"admin:{name}_add")).status_code == 403, name


def test_site_header_names_the_operator_admin(op_client):
    response = op_client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "Paneel operator admin" in response.content.decode()


def test_admin_needs_a_staff_login(client, tenant_a):
    client.force_login(tenant_a["owner"])
    response = client.get(reverse("admin:accounts_account_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def make_accounts(tenant: dict, servicepack, count: int) -> None:
    """`count` active accounts with three assets each, written directly (no jobs): list-page data only."""
    reseller = tenant["reseller"]
    start = Account.objects.count()
    accounts = Account.objects.bulk_create(
        Account(reseller=reseller, servicepack=servicepack, identifier=f"site{start + i}.example", status=Status.ACTIVE)
        for i in range(count)
    )
    Asset.objects.bulk_create(
        Asset(
            reseller=reseller,
            account=account,
            asset_type=asset_type,
            name=f"{asset_type}-{account.identifier}",
            max_size=100,
            actual_size=25,
            status=Status.ACTIVE,
        )
        for account in accounts
        for asset_type in (AssetType.LINUX_HOSTING, AssetType.MYSQL, AssetType.MAILBOX)
    )


def make_rows(tenant: dict, servicepack, rows: int) -> None:
    """`rows` of everything the lists show: accounts with assets, resellers with a member, packs with items,
    memberships, jobs, audit events, API keys and whitelist entries."""
    from apps.apikeys.models import ApiKey
    from apps.core import audit
    from apps.core.principal import Principal
    from apps.ipwhitelist.models import IpWhitelistEntry
    from apps.provisioning.jobs import record_job
    from apps.resellers.models import Membership, Reseller
    from apps.servicepacks.models import ServicePack, ServicePackItem
    from tests.conftest import make_user

    make_accounts(tenant, servicepack, rows)
    for i in range(rows):
        reseller = Reseller.objects.create(name=f"Reseller {i}", slug=f"reseller-{i}")
        Membership.objects.create(user=make_user(f"member-{i}"), reseller=reseller, level="full")
        pack = ServicePack.objects.create(name=f"Pack {i}")
        ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.LINUX_HOSTING)
        ServicePackItem.objects.create(servicepack=pack, asset_type=AssetType.MAILBOX)
        ApiKey.objects.create(reseller=reseller, key=f"key{i:040d}", secret_encrypted=b"x", created_by=tenant["owner"])
        IpWhitelistEntry.objects.create(reseller=reseller, cidr=f"10.0.{i}.0/24", created_by=tenant["owner"])
    for account in Account.objects.select_related("reseller")[:rows]:
        principal = Principal.system(account.reseller)
        audit.record(principal, "account.touch", account)
        record_job(principal=principal, action="account.suspend", target=account)


# Queries per changelist: session, user, the page's count, the page itself, and the filters' choices (resellers,
# servicepacks; distinct actions and dates for the audit log). The same bound holds at 5 rows and at 50.
LISTS = {
    "accounts_account": 6,
    "assets_asset": 5,
    "resellers_reseller": 5,
    "resellers_membership": 6,
    "servicepacks_servicepack": 6,
    "servicepacks_servicepackitem": 6,
    "provisioning_provisioningjob": 6,
    "apikeys_apikey": 5,
    "ipwhitelist_ipwhitelistentry": 6,
    "core_auditevent": 8,
}


@pytest.mark.parametrize("changelist", sorted(LISTS))
@pytest.mark.parametrize("rows", [5, 50])
def test_changelist_queries_do_not_grow_with_rows(
    op_client, tenant_a, servicepack, django_assert_max_num_queries, changelist, rows
):
    make_rows(tenant_a, servicepack, rows)
    with django_assert_max_num_queries(LISTS[changelist]):
        response = op_client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= rows


def test_account_and_asset_lists_skip_the_full_count(op_client, tenant_a, servicepack):
    make_accounts(tenant_a, servicepack, 5)
    for name in ("accounts_account", "assets_asset"):
        response = op_client.get(reverse(f"admin:{name}_changelist"), {"status__exact": "active"})
        assert response.context["cl"].show_full_result_count is False
        assert response.context["cl"].full_result_count is None


def test_asset_count_column_counts_each_accounts_assets(op_client, tenant_a, servicepack):
    make_accounts(tenant_a, servicepack, 2)
    response = op_client.get(reverse("admin:accounts_account_changelist"))
    rows = list(response.context["cl"].result_list)
    assert [row.asset_count for row in rows] == [3, 3]


def test_api_key_pages_never_show_the_secret(op_client, world):
    api_key, secret = world["api_key"], world["secret"]
    encrypted = bytes(api_key.secret_encrypted)
    pages = [
        op_client.get(reverse("admin:apikeys_apikey_changelist")),
        op_client.get(reverse("admin:apikeys_apikey_change", args=[api_key.pk])),
    ]
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert api_key.key in body
        assert secret not in body
        assert encrypted.decode() not in body
        assert "secret" not in body.lower()
    # No form on the key's page: nothing to change, nothing to save.
    assert 'name="_save"' not in pages[1].content.decode()


def test_audit_log_cannot_be_added_to_changed_or_deleted(op_client, world):
    event = AuditEvent.objects.order_by("pk").first()
    before = AuditEvent.objects.count()
    changelist = op_client.get(reverse("admin:core_auditevent_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:core_auditevent_add") not in changelist.content.decode()
    assert 'value="delete_selected"' not in changelist.content.decode()

    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    page = op_client.get(change_url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert reverse("admin:core_auditevent_delete", args=[event.pk]) not in page.content.decode()

    assert op_client.get(reverse("admin:core_auditevent_add")).status_code == 403
    assert op_client.post(reverse("admin:core_auditevent_add"), {"action": "x"}).status_code == 403
    assert op_client.post(change_url, {"action": "forged"}).status_code == 403
    assert op_client.get(reverse("admin:core_auditevent_delete", args=[event.pk])).status_code == 403
    assert op_client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action != "forged"
    assert AuditEvent.objects.count() == before


def test_audit_log_filters_and_searches(op_client, world):
    url = reverse("admin:core_auditevent_changelist")
    by_action = op_client.get(url, {"action": "api_key.create"})
    assert [e.action for e in by_action.context["cl"].result_list] == ["api_key.create"]
    by_actor = op_client.get(url, {"q": "alpha-owner"})
    assert by_actor.context["cl"].result_list
    assert {e.actor_repr for e in by_actor.context["cl"].result_list} == {"alpha-owner"}
    by_via = op_client.get(url, {"via__exact": "admin"})
    assert list(by_via.context["cl"].result_list) == []
    assert op_client.get(url, {"at__year": "2020"}).status_code == 200
