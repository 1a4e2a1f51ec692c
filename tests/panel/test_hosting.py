"""The Linux hosting part of the asset page: connection details, and each setting's form (one action, one
service). Changes land in the hosting's details and its job rewrites the files; bad input is a form error on the
page, never a 500; another reseller's hosting is 404 and a read member cannot change anything."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.assets.models import Asset
from apps.core.models import AuditEvent
from apps.servers.models import Server
from tests.world import ssh_public_key

from .conftest import messages_of

HOSTING = "alpha-shop.example"


@pytest.fixture
def hosting(account_a) -> Asset:
    return Asset.objects.get(account=account_a, asset_type="linux_hosting")


def page(hosting: Asset) -> str:
    return reverse("assets:detail", kwargs={"asset_id": hosting.pk})


def change(hosting: Asset, action: str) -> str:
    return reverse("assets:hosting_change", kwargs={"asset_id": hosting.pk, "action": action})


def details(hosting: Asset) -> dict:
    hosting.refresh_from_db()
    return hosting.details


def test_page_shows_the_connection_details_from_the_web_server(owner, hosting, account_a):
    server = Server.objects.create(
        name="web3", hostname="web3.example.net", ipv4_address="192.0.2.3", web=True, services={"ssh_port": 2222}
    )
    account_a.web_server = server
    account_a.save(update_fields=["web_server"])
    html = owner.get(page(hosting)).content.decode()
    connection = html[html.index('id="connection-details"') :][:3000]
    assert f"http://{HOSTING}/" in connection
    assert "web3.example.net" in connection and "port 2222" in connection and "port 21" in connection
    assert details(hosting)["system_user"] in connection
    assert "192.0.2.3" in connection and "8.3" in connection


def test_reader_sees_settings_but_no_forms(reader, hosting):
    html = reader.get(page(hosting)).content.decode()
    assert "Connection details" in html and "SSH keys" in html
    assert "hosting/gzip/" not in html and "Add key" not in html


@pytest.mark.parametrize(
    ("action", "data", "check"),
    [
        ("php_version", {"php-version": "8.2"}, lambda d: d["php_version"] == "8.2"),
        ("memory_limit", {"memory-memory_limit": "256"}, lambda d: d["php_memory_limit"] == 256),
        (
            "apcu",
            {"apcu-enabled": "true", "apcu-apcu_size": "64"},
            lambda d: (d["apcu_enabled"], d["apcu_size"]) == (True, 64),
        ),
        ("gzip", {"gzip-enabled": "false"}, lambda d: d["gzip_enabled"] is False),
        ("ftp", {"ftp-enabled": "false"}, lambda d: d["ftp_enabled"] is False),
        ("ssh", {"ssh-enabled": "true"}, lambda d: d["ssh_enabled"] is True),
        ("http2", {"http2-site_name": HOSTING, "http2-enabled": "false"}, lambda d: not d["sites"][0]["http2_enabled"]),
        ("subsite", {"subsite-domain_name": f"blog.{HOSTING}"}, lambda d: d["sites"][1]["name"] == f"blog.{HOSTING}"),
        (
            "host_header",
            {"host_header-site_name": HOSTING, "host_header-domain_name": "alias.example.org"},
            lambda d: "alias.example.org" in [h["name"] for h in d["sites"][0]["host_headers"]],
        ),
        (
            "host_header_delete",
            {"host_header_delete-site_name": HOSTING, "host_header_delete-domain_name": f"www.{HOSTING}"},
            lambda d: d["sites"][0]["host_headers"] == [],
        ),
        ("ssh_key", {"ssh_key-public_key": ssh_public_key("me@laptop")}, lambda d: len(d["ssh_keys"]) == 1),
        (
            "task",
            {"task-enabled": "true", "task-cron_expression": "*/5 * * * *", "task-script_location": "/cron.sh"},
            lambda d: d["scheduled_tasks"][0]["script_location"] == "/cron.sh",
        ),
    ],
)
def test_each_setting_changes_the_hosting_once_audited(owner, hosting, run_jobs, action, data, check):
    with run_jobs():
        response = owner.post(change(hosting, action), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith(page(hosting))
    assert check(details(hosting))
    assert AuditEvent.objects.filter(object_id=str(hosting.pk), action__startswith="linux_hosting.").count() == 1
    assert messages_of(owner.get(page(hosting)))


def test_subsite_key_and_task_can_be_removed(owner, hosting, run_jobs):
    key = ssh_public_key()
    with run_jobs():
        owner.post(change(hosting, "subsite"), {"subsite-domain_name": f"blog.{HOSTING}"})
    with run_jobs():
        owner.post(change(hosting, "ssh_key"), {"ssh_key-public_key": key})
    with run_jobs():
        owner.post(
            change(hosting, "task"),
            {"task-enabled": "true", "task-cron_expression": "0 1 * * *", "task-script_location": "/a.sh"},
        )
    current = details(hosting)
    task_id, fingerprint = current["scheduled_tasks"][0]["id"], current["ssh_keys"][0]["fingerprint"]
    html = owner.get(page(hosting)).content.decode()
    assert fingerprint in html and f"blog.{HOSTING}" in html and "/a.sh" in html
    edit = {
        "task_edit-task_id": task_id,
        "task_edit-enabled": "false",
        "task_edit-cron_expression": "0 1 * * *",
        "task_edit-script_location": "/a.sh",
    }
    with run_jobs():
        assert owner.post(change(hosting, "task_edit"), edit).status_code == 302
    assert details(hosting)["scheduled_tasks"][0]["enabled"] is False
    for action, data in [
        ("subsite_delete", {"subsite_delete-site_name": f"blog.{HOSTING}"}),
        ("ssh_key_delete", {"ssh_key_delete-fingerprint": fingerprint}),
        ("task_delete", {"task_delete-task_id": task_id}),
    ]:
        with run_jobs():
            assert owner.post(change(hosting, action), data).status_code == 302, action
    current = details(hosting)
    assert (len(current["sites"]), current["ssh_keys"], current["scheduled_tasks"]) == (1, [], [])


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("ssh_key", {"ssh_key-public_key": "ssh-ed25519 nonsense"}, "not a valid OpenSSH public key"),
        (
            "task",
            {"task-enabled": "true", "task-cron_expression": "*/7 * * * *", "task-script_location": "/a"},
            "minute",
        ),
        (
            "task",
            {"task-enabled": "true", "task-cron_expression": "0 1 * * *", "task-script_location": "/../x"},
            "Must",
        ),
        ("subsite", {"subsite-domain_name": "bravo-shop.example"}, "already served"),
        ("host_header", {"host_header-site_name": HOSTING, "host_header-domain_name": f"www.{HOSTING}"}, "already"),
        ("apcu", {"apcu-enabled": "true", "apcu-apcu_size": "9999"}, "between"),
    ],
)
def test_bad_input_is_shown_on_the_page_and_changes_nothing(owner, hosting, account_b, action, data, message):
    before = details(hosting)
    response = owner.post(change(hosting, action), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert details(hosting) == before
    assert not AuditEvent.objects.filter(object_id=str(hosting.pk), action__startswith="linux_hosting.").exists()


def test_unknown_action_or_another_resellers_hosting_is_404(owner, owner_b, hosting):
    assert owner.post(change(hosting, "reboot"), {}).status_code == 404
    before = details(hosting)
    assert owner_b.post(change(hosting, "ssh"), {"ssh-enabled": "true"}).status_code == 404
    assert owner_b.get(page(hosting)).status_code == 404
    assert details(hosting) == before


def test_reader_cannot_change_a_setting(reader, hosting):
    before = details(hosting)
    assert reader.post(change(hosting, "gzip"), {"gzip-enabled": "false"}).status_code == 403
    assert details(hosting) == before
