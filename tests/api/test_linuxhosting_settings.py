"""The Linux hosting routes beyond the detail (PHP memory limit and APCu, gzip, subsites, host headers, HTTP/2, FTP,
SSH and its keys, scheduled tasks, `GET /v2/ssh`), through HMAC-signed requests: the reference's statuses and
bodies, the details the services store (the web-stack contract), the job that applies them (run here by the local
driver, whose files show the change), validation naming the field, and nothing changed by a refused request."""

from __future__ import annotations

import pytest

from apps.assets.models import Asset
from apps.provisioning.models import JobStatus, ProvisioningJob
from tests.api.conftest import assert_problem, row_json
from tests.world import ssh_public_key

HOSTING = "alpha-shop.example"
BASE = f"/v2/linuxhostings/{HOSTING}"


@pytest.fixture
def hosting(account_a) -> Asset:
    return Asset.objects.get(account=account_a, asset_type="linux_hosting")


def details(hosting: Asset) -> dict:
    hosting.refresh_from_db()
    return hosting.details


def vhost(provisioning_root) -> str:
    return (provisioning_root / "vhosts" / f"{HOSTING}.conf").read_text()


def assert_applied(hosting: Asset) -> None:
    job = ProvisioningJob.objects.filter(action="linux_hosting.update", target_id=str(hosting.pk)).latest("created_at")
    assert job.status == JobStatus.FINISHED, job.error


# --- PHP settings, gzip


def test_memory_limit_and_apcu_are_stored_and_shown(writer, hosting, run_jobs):
    with run_jobs():
        assert writer.put(f"{BASE}/phpsettings/memorylimit", {"memory_limit": 512}).status_code == 204
    with run_jobs():
        assert writer.put(f"{BASE}/phpsettings/apcu", {"apcu_size": 64, "enabled": True}).status_code == 204
    assert_applied(hosting)
    stored = details(hosting)
    assert (stored["php_memory_limit"], stored["apcu_enabled"], stored["apcu_size"]) == (512, True, 64)
    shown = writer.get(BASE).json()
    assert (shown["php_memory_limit"], shown["apcu_enabled"], shown["apcu_size"]) == (512, True, 64)
    # Turning APCu off keeps its size.
    assert writer.put(f"{BASE}/phpsettings/apcu", {"enabled": False}).status_code == 204
    assert (details(hosting)["apcu_enabled"], details(hosting)["apcu_size"]) == (False, 64)


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("/phpsettings/memorylimit", {"memory_limit": 100}, "memory_limit"),
        ("/phpsettings/memorylimit", {"memory_limit": "lots"}, "memory_limit"),
        ("/phpsettings/memorylimit", {}, "memory_limit"),
        ("/phpsettings/apcu", {"enabled": True, "apcu_size": 1}, "apcu_size"),
        ("/phpsettings/apcu", {"apcu_size": 64}, "enabled"),
        ("/settings/gzipcompression", {"enabled": "maybe"}, "enabled"),
        ("/ftp/configuration", {}, "enabled"),
        ("/ssh/configuration", {"enabled": 3}, "enabled"),
        (f"/sites/{HOSTING}/http2/configuration", {"enabled": None}, "enabled"),
    ],
)
def test_invalid_settings_are_400_naming_the_field_and_change_nothing(writer, hosting, route, body, field):
    before = row_json(hosting)
    assert_problem(writer.put(BASE + route, body), 400, "validation_failed", field)
    assert row_json(hosting) == before
    assert not ProvisioningJob.objects.filter(action="linux_hosting.update").exists()


def test_gzip_off_reaches_the_server_block(writer, hosting, run_jobs, provisioning_root):
    assert "gzip on;" in vhost(provisioning_root)
    with run_jobs():
        assert writer.put(f"{BASE}/settings/gzipcompression", {"enabled": False}).status_code == 204
    assert details(hosting)["gzip_enabled"] is False
    assert "gzip off;" in vhost(provisioning_root)
    assert writer.get(BASE).json()["gzip_enabled"] is False


def test_available_versions_follow_the_web_servers_services(writer, hosting, account_a):
    from apps.servers.models import Server

    server = Server.objects.create(
        name="web9", hostname="web9.example.net", web=True, services={"php_versions": ["8.2"]}
    )
    account_a.web_server = server
    account_a.save(update_fields=["web_server"])
    assert writer.get(f"{BASE}/phpsettings/availableversions").json() == [{"version": "8.2"}]
    assert_problem(writer.put(f"{BASE}/phpsettings/version", {"version": "8.4"}), 400, "validation_failed", "version")
    assert writer.put(f"{BASE}/phpsettings/version", {"version": "8.2"}).status_code == 204


# --- Connection details


def test_detail_shows_the_web_servers_address_and_host(writer, hosting, account_a):
    from apps.servers.models import Server

    server = Server.objects.create(name="web7", hostname="web7.example.net", ipv4_address="192.0.2.7", web=True)
    account_a.web_server = server
    account_a.save(update_fields=["web_server"])
    shown = writer.get(BASE).json()
    assert (shown["ip"], shown["ip_type"], shown["ssh_host"]) == ("192.0.2.7", "shared", "web7.example.net")
    assert shown["ssh_username"] == details(hosting)["system_user"] == f"w{account_a.pk}_alpha_shop_example"


# --- Subsites and host headers


def test_subsite_is_created_with_its_default_path_and_served(writer, hosting, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.post(f"{BASE}/subsites", {"domain_name": "Blog.Alpha-Shop.example"})
    assert response.status_code == 201 and response.content == b""
    assert response["Location"] == f"{BASE}/subsites/blog.alpha-shop.example"
    site = details(hosting)["sites"][1]
    assert (site["name"], site["path"], site["host_headers"]) == (
        "blog.alpha-shop.example",
        "/subsites/blog.alpha-shop.example",
        [],
    )
    assert "server_name blog.alpha-shop.example;" in vhost(provisioning_root)
    assert (provisioning_root / "sites" / HOSTING / "subsites" / "blog.alpha-shop.example").is_dir()
    assert [s["name"] for s in writer.get(BASE).json()["sites"]] == [HOSTING, "blog.alpha-shop.example"]

    with run_jobs():
        assert writer.delete(f"{BASE}/subsites/blog.alpha-shop.example").status_code == 204
    assert [s["name"] for s in details(hosting)["sites"]] == [HOSTING]
    assert "blog.alpha-shop.example" not in vhost(provisioning_root)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"domain_name": "no spaces.example"}, "domain_name"),
        ({"domain_name": "ok.example", "path": "/../../etc"}, "path"),
        ({"domain_name": "ok.example", "path": "relative"}, "path"),
        ({"domain_name": "ok.example", "path": "/a b"}, "path"),
        ({"path": "/x"}, "domain_name"),
    ],
)
def test_invalid_subsite_is_400(writer, hosting, body, field):
    before = row_json(hosting)
    assert_problem(writer.post(f"{BASE}/subsites", body), 400, "validation_failed", field)
    assert row_json(hosting) == before


def test_main_site_cannot_be_deleted_and_unknown_site_is_404(writer, hosting):
    assert_problem(writer.delete(f"{BASE}/subsites/{HOSTING}"), 400, "validation_failed", "site_name")
    assert_problem(writer.delete(f"{BASE}/subsites/nothing.example"), 404, "not_found")


def test_host_header_is_added_to_the_site_and_served(writer, hosting, run_jobs, provisioning_root):
    with run_jobs():
        response = writer.post(f"{BASE}/sites/{HOSTING}/hostheaders", {"domain_name": "alias.example.org"})
    assert response.status_code == 201 and response["Location"] == BASE
    assert {"name": "alias.example.org", "enabled": True} in details(hosting)["sites"][0]["host_headers"]
    assert f"server_name {HOSTING} www.{HOSTING} alias.example.org;" in vhost(provisioning_root)


def test_host_name_served_anywhere_is_409(writer, hosting, account_b):
    # The hosting's own names, and another reseller's hosting's: nginx must never serve a name twice.
    for name in (f"www.{HOSTING}", HOSTING, "bravo-shop.example", "www.bravo-shop.example"):
        response = writer.post(f"{BASE}/sites/{HOSTING}/hostheaders", {"domain_name": name})
        assert_problem(response, 409, "duplicate", "domain_name")
    assert_problem(writer.post(f"{BASE}/subsites", {"domain_name": "bravo-shop.example"}), 409, "duplicate")


def test_host_header_on_an_unknown_site_is_404(writer, hosting):
    response = writer.post(f"{BASE}/sites/nothing.example/hostheaders", {"domain_name": "alias.example.org"})
    assert_problem(response, 404, "not_found")


def test_http2_per_site(writer, hosting, run_jobs):
    with run_jobs():
        assert writer.put(f"{BASE}/sites/{HOSTING}/http2/configuration", {"enabled": False}).status_code == 204
    assert_applied(hosting)
    assert details(hosting)["sites"][0]["http2_enabled"] is False
    assert writer.get(BASE).json()["sites"][0]["http2_enabled"] is False
    response = writer.put(f"{BASE}/sites/nothing.example/http2/configuration", {"enabled": True})
    assert_problem(response, 404, "not_found")


# --- FTP and SSH


def test_ftp_off_removes_the_login(writer, hosting, run_jobs, provisioning_root):
    passwd = provisioning_root / "ftp" / "passwd"
    assert HOSTING in passwd.read_text()
    with run_jobs():
        assert writer.put(f"{BASE}/ftp/configuration", {"enabled": False}).status_code == 204
    assert HOSTING not in passwd.read_text()
    assert writer.get(BASE).json()["ftp_enabled"] is False


def test_ssh_configuration_and_keys(writer, hosting, run_jobs):
    assert writer.put(f"{BASE}/ssh/configuration", {"enabled": True}).status_code == 204
    assert details(hosting)["ssh_enabled"] is True
    public_key = ssh_public_key("dev@laptop")
    with run_jobs():
        response = writer.post(f"{BASE}/ssh/keys", {"public_key": public_key + "\t "})
    assert response.status_code == 201
    keys = writer.get(f"{BASE}/ssh/keys").json()
    assert len(keys) == 1 and keys[0]["public_key"] == public_key
    fingerprint = keys[0]["fingerprint"]
    assert fingerprint.startswith("SHA256:") and response["Location"] == f"{BASE}/ssh/keys/{fingerprint}"
    assert details(hosting)["ssh_keys"] == [{"fingerprint": fingerprint, "public_key": public_key}]
    assert_problem(writer.post(f"{BASE}/ssh/keys", {"public_key": public_key}), 409, "duplicate", "public_key")

    everyone = writer.get("/v2/ssh")
    assert everyone.status_code == 200 and everyone["X-Paging-TotalResults"] == "1"
    assert everyone.json() == [{"fingerprint": fingerprint, "public_key": public_key, "linux_hostings": [HOSTING]}]

    with run_jobs():
        assert writer.delete(f"{BASE}/ssh/keys/{fingerprint}").status_code == 204
    assert writer.get(f"{BASE}/ssh/keys").json() == []
    assert_problem(writer.delete(f"{BASE}/ssh/keys/{fingerprint}"), 404, "not_found")


def test_ssh_key_fingerprint_matches_ssh_keygen():
    import base64
    import hashlib

    from apps.assets.hosting import checked_public_key

    public_key = ssh_public_key()
    blob = base64.b64decode(public_key.split()[1])
    expected = "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert checked_public_key(public_key)["fingerprint"] == expected


def test_ssh_key_delete_takes_the_fingerprint_without_its_prefix(writer, hosting):
    response = writer.post(f"{BASE}/ssh/keys", {"public_key": ssh_public_key()})
    fingerprint = response["Location"].rpartition("/ssh/keys/")[2]
    assert writer.delete(f"{BASE}/ssh/keys/{fingerprint.removeprefix('SHA256:')}").status_code == 204
    assert details(hosting)["ssh_keys"] == []


@pytest.mark.parametrize(
    "public_key",
    [
        "",
        "ssh-ed25519",
        "ssh-ed25519 notbase64!!",
        "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
        "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIDf0",  # the blob names another type
        'command="rm -rf /" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDf0',
    ],
)
def test_invalid_ssh_keys_are_400(writer, hosting, public_key):
    before = row_json(hosting)
    assert_problem(writer.post(f"{BASE}/ssh/keys", {"public_key": public_key}), 400, "validation_failed")
    assert row_json(hosting) == before


def test_ssh_key_with_a_second_line_or_a_short_rsa_key_is_400(writer, hosting):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    short = (
        rsa.generate_private_key(public_exponent=65537, key_size=1024)
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    for public_key in (short, ssh_public_key() + "\nssh-ed25519 AAAA second"):
        assert_problem(writer.post(f"{BASE}/ssh/keys", {"public_key": public_key}), 400, "validation_failed")


# --- Scheduled tasks


def test_scheduled_task_crud(writer, hosting, run_jobs):
    body = {"id": "ignored", "enabled": True, "cron_expression": "*/5 * * * *", "script_location": "/scripts/a.sh"}
    with run_jobs():
        response = writer.post(f"{BASE}/scheduledtasks", body)
    assert response.status_code == 201
    task_id = response["Location"].rpartition("/")[2]
    assert len(task_id) == 32 and task_id != "ignored"
    task = {**body, "id": task_id}
    assert writer.get(f"{BASE}/scheduledtasks").json() == [task]
    assert writer.get(f"{BASE}/scheduledtasks/{task_id}").json() == task
    assert details(hosting)["scheduled_tasks"] == [task]

    changed = {"enabled": False, "cron_expression": "30 2 * * 7", "script_location": "/scripts/b.sh"}
    with run_jobs():
        assert writer.put(f"{BASE}/scheduledtasks/{task_id}", changed).status_code == 204
    assert writer.get(f"{BASE}/scheduledtasks/{task_id}").json() == {**changed, "id": task_id}
    with run_jobs():
        assert writer.delete(f"{BASE}/scheduledtasks/{task_id}").status_code == 204
    assert writer.get(f"{BASE}/scheduledtasks").json() == []
    assert_problem(writer.get(f"{BASE}/scheduledtasks/{task_id}"), 404, "not_found")
    assert_applied(hosting)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cron_expression": "* * * *"}, "cron_expression"),
        ({"cron_expression": "*/7 * * * *"}, "cron_expression"),
        ({"cron_expression": "60 * * * *"}, "cron_expression"),
        ({"cron_expression": "0 0 0 * *"}, "cron_expression"),
        ({"cron_expression": "0 0 * * 8"}, "cron_expression"),
        ({"cron_expression": "@reboot"}, "cron_expression"),
        ({"script_location": "scripts/a.sh"}, "script_location"),
        ({"script_location": "/scripts/../../etc/passwd"}, "script_location"),
        ({"script_location": "/a.sh; rm -rf ~"}, "script_location"),
        ({"script_location": "/a.sh\n* * * * * evil"}, "script_location"),
        ({"script_location": "/scripts/"}, "script_location"),
        ({"enabled": "sometimes"}, "enabled"),
    ],
)
def test_invalid_scheduled_task_is_400_naming_the_field(writer, hosting, change, field):
    body = {"enabled": True, "cron_expression": "0 3 * * *", "script_location": "/scripts/a.sh", **change}
    before = row_json(hosting)
    assert_problem(writer.post(f"{BASE}/scheduledtasks", body), 400, "validation_failed", field)
    assert row_json(hosting) == before


def test_scheduled_task_with_a_stale_if_match_is_412(writer, hosting):
    response = writer.post(
        f"{BASE}/scheduledtasks", {"enabled": True, "cron_expression": "0 3 * * *", "script_location": "/a.sh"}
    )
    target = response["Location"]
    body = {"enabled": False, "cron_expression": "0 4 * * *", "script_location": "/a.sh"}
    stale = writer.put(target, body, headers={"If-Match": '"stale"'})
    assert_problem(stale, 412, "precondition_failed")
    etag = writer.get(target)["ETag"]
    assert writer.put(target, body, headers={"If-Match": etag}).status_code == 204


# --- Across resellers, levels, states


def test_another_resellers_hosting_is_404_on_every_new_route(other, hosting):
    before = row_json(hosting)
    for method, route, body in [
        ("PUT", "/phpsettings/memorylimit", {"memory_limit": 256}),
        ("PUT", "/phpsettings/apcu", {"enabled": True}),
        ("PUT", "/settings/gzipcompression", {"enabled": False}),
        ("POST", "/subsites", {"domain_name": "x.alpha-shop.example"}),
        ("POST", f"/sites/{HOSTING}/hostheaders", {"domain_name": "x.example.org"}),
        ("PUT", f"/sites/{HOSTING}/http2/configuration", {"enabled": False}),
        ("PUT", "/ftp/configuration", {"enabled": False}),
        ("PUT", "/ssh/configuration", {"enabled": True}),
        ("GET", "/ssh/keys", None),
        ("POST", "/ssh/keys", {"public_key": ssh_public_key()}),
        ("GET", "/scheduledtasks", None),
        ("POST", "/scheduledtasks", {"enabled": True, "cron_expression": "0 3 * * *", "script_location": "/a.sh"}),
    ]:
        assert_problem(other.request(method, BASE + route, body), 404, "not_found")
    assert row_json(hosting) == before
    assert other.get("/v2/ssh").json() == [] or HOSTING not in str(other.get("/v2/ssh").json())


def test_changes_wait_until_the_hosting_exists(writer, hosting):
    Asset.objects.filter(pk=hosting.pk).update(status="provisioning")
    assert_problem(writer.put(f"{BASE}/settings/gzipcompression", {"enabled": False}), 409, "invalid_state")


def test_a_hosting_from_before_sites_still_owns_its_names(writer, hosting, account_b):
    from tests.api.conftest import add_asset_rows

    add_asset_rows("linux_hosting", [(account_b, "legacy.bravo-shop.example", {"php_version": "8.3"})])
    for name in ("legacy.bravo-shop.example", "www.legacy.bravo-shop.example"):
        response = writer.post(f"{BASE}/sites/{HOSTING}/hostheaders", {"domain_name": name})
        assert_problem(response, 409, "duplicate", "domain_name")
    assert (
        writer.post(f"{BASE}/sites/{HOSTING}/hostheaders", {"domain_name": "shop.bravo-shop.example"}).status_code
        == 201
    )


def test_a_legacy_hostings_details_get_the_defaults(writer, hosting):
    Asset.objects.filter(pk=hosting.pk).update(details={"domain_name": HOSTING, "php_version": "8.1"})
    shown = writer.get(BASE).json()
    assert shown["php_version"] == "8.1" and shown["sites"][0]["name"] == HOSTING
    assert (shown["php_memory_limit"], shown["gzip_enabled"], shown["ftp_enabled"]) == (128, True, False)
    assert writer.get(f"{BASE}/ssh/keys").json() == [] and writer.get(f"{BASE}/scheduledtasks").json() == []
    assert writer.put(f"{BASE}/settings/gzipcompression", {"enabled": False}).status_code == 204
    assert details(hosting)["gzip_enabled"] is False and details(hosting)["php_version"] == "8.1"
