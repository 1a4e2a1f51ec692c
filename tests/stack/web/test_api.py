"""The whole path: an account created through the API is placed on the stack's server, its job runs the web-stack
driver, and the site answers through nginx; changes made through the API's Linux hosting routes reach the daemons."""

from __future__ import annotations

import ftplib
import io
import os
import pwd
import re
import secrets
import subprocess
from pathlib import Path

import pytest

from apps.assets.models import Asset
from apps.provisioning.drivers.webstack import WebStackDriver
from apps.provisioning.runner import spec_of
from apps.provisioning.usage import measure_usage
from apps.servers.models import Server
from tests.stack.daemons import LOOPBACK
from tests.stack.web.conftest import PHP_VERSION, curl

pytestmark = [pytest.mark.stack, pytest.mark.django_db]

FTP_PASSWORD = "Ftp-Secret-9"


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    """`with run_jobs(): ...` runs the jobs the block records when it ends, as the worker would after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def stack_server(settings, web_stack, ftp_server, ssh_server, servicepack):
    settings.PANEEL_DRIVERS = {
        **settings.PANEEL_DRIVERS,
        "linux_hosting": "apps.provisioning.drivers.webstack.WebStackDriver",
    }
    settings.PANEEL_PROVISIONING_ROOT = web_stack.root
    return Server.objects.create(
        name=web_stack.server.name,
        hostname="localhost",
        ipv4_address=LOOPBACK,
        web=True,
        mail=True,
        dns=True,
        db=True,
        provisioning_root=str(web_stack.root),
        services={**web_stack.services, "php_versions": [PHP_VERSION]},
    )


@pytest.fixture
def api_hosting(stack_server, api_client, tenant_a, servicepack, run_jobs, web_stack):
    """An account made through POST /v2/accounts, its job run; the hosting is removed from the daemons after."""
    client = api_client(tenant_a, "write")
    identifier = f"api-{secrets.token_hex(4)}.h8a.test"
    with run_jobs():
        response = client.post(
            "/v2/accounts", {"identifier": identifier, "servicepack_id": servicepack.pk, "ftp_password": FTP_PASSWORD}
        )
    assert response.status_code == 202, response.content
    assert client.get(response["Location"]).status_code == 201
    asset = Asset.objects.get(asset_type="linux_hosting", name=identifier)
    yield client, asset
    asset.refresh_from_db()
    WebStackDriver.for_server(web_stack.server).delete(spec_of(asset))


def test_an_account_created_through_the_api_serves_its_site_and_php(api_hosting, web_stack, run_jobs):
    client, asset = api_hosting
    domain = asset.name
    user = pwd.getpwnam(asset.details["system_user"])
    status, _, body = curl(web_stack, domain)
    assert status == 200 and domain.encode() in body
    assert curl(web_stack, f"www.{domain}")[0] == 200  # the default host header

    info = Path(web_stack.root) / "sites" / domain / "www" / "info.php"
    info.write_text("<?php phpinfo();")
    os.chown(info, user.pw_uid, user.pw_gid)
    with run_jobs():
        assert (
            client.put(f"/v2/linuxhostings/{domain}/phpsettings/memorylimit", {"memory_limit": 256}).status_code == 204
        )
    text = curl(web_stack, domain, "/info.php")[2].decode()
    assert re.search(rf"PHP Version {re.escape(PHP_VERSION)}\.\d+", text)
    assert re.search(r"memory_limit</td><td class=\"v\">256M</td>", text)

    with run_jobs():
        answer = client.post(
            f"/v2/linuxhostings/{domain}/sites/{domain}/hostheaders", {"domain_name": f"shop.{domain}"}
        )
    assert answer.status_code in (201, 202, 204), answer.content
    assert curl(web_stack, f"shop.{domain}")[0] == 200

    with run_jobs():
        task = {"enabled": True, "cron_expression": "*/5 * * * *", "script_location": "/scripts/job.sh"}
        answer = client.post(f"/v2/linuxhostings/{domain}/scheduledtasks", task)
    assert answer.status_code in (201, 202, 204), answer.content
    crontab = (Path(web_stack.services["cron_spool_dir"]) / user.pw_name).read_text()
    home = Path(web_stack.root) / "sites" / domain
    assert f"*/5 * * * * cd {home} && {home}/scripts/job.sh" in crontab.splitlines()

    with run_jobs():
        assert client.put(f"/v2/linuxhostings/{domain}/settings/gzipcompression", {"enabled": False}).status_code == 204
    big = Path(web_stack.root) / "sites" / domain / "www" / "index.html"
    big.write_text("<p>text</p>\n" * 500)
    assert "content-encoding" not in curl(web_stack, domain, "/", "-H", "Accept-Encoding: gzip")[1]


def test_ftp_and_sftp_work_with_what_the_api_set(api_hosting, web_stack, tmp_path, run_jobs):
    client, asset = api_hosting
    domain, user = asset.name, asset.details["system_user"]
    ftp = ftplib.FTP()
    ftp.connect(LOOPBACK, web_stack.ftp_port, timeout=10)
    ftp.login(client.get(f"/v2/linuxhostings/{domain}").json()["ftp_username"], FTP_PASSWORD)
    ftp.storbinary("STOR www/upload.bin", io.BytesIO(os.urandom(2 * 1024 * 1024)))
    ftp.quit()
    assert WebStackDriver.for_server(web_stack.server).usage(spec_of(asset)) >= 2
    measure_usage(Asset.objects.filter(pk=asset.pk).select_related("account"))
    detail = client.get(f"/v2/linuxhostings/{domain}").json()
    assert detail["actual_size"] >= 2 and detail["webspace_usage"] >= 2

    tmp_path.chmod(0o700)
    key = tmp_path / "id"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    with run_jobs():
        assert client.put(f"/v2/linuxhostings/{domain}/ssh/configuration", {"enabled": True}).status_code == 204
        added = client.post(f"/v2/linuxhostings/{domain}/ssh/keys", {"public_key": (tmp_path / "id.pub").read_text()})
    assert added.status_code in (201, 202, 204), added.content

    def sftp_ls() -> int:
        return subprocess.run(
            ["sftp", "-b", "-", "-i", str(key), "-P", str(web_stack.ssh_port), "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", f"{user}@{LOOPBACK}"],
            input="ls www\n", capture_output=True, text=True, timeout=60, check=False,
        ).returncode  # fmt: skip

    assert sftp_ls() == 0
    fingerprint = client.get(f"/v2/linuxhostings/{domain}/ssh/keys").json()[0]["fingerprint"]
    with run_jobs():
        assert client.delete(f"/v2/linuxhostings/{domain}/ssh/keys/{fingerprint}").status_code in (202, 204)
    assert sftp_ls() != 0
