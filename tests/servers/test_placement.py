"""Servers and placement (DESIGN 8): each account lands on a server per role, each job on its server's queue,
and an account whose assets live on two servers is provisioned by a job and its part on the other server."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.accounts import services as accounts
from apps.accounts.models import Status
from apps.assets.services import create_asset
from apps.core.errors import InsufficientLevel
from apps.provisioning import tasks
from apps.provisioning.models import JobStatus, ProvisioningJob
from apps.provisioning.services import retry_job
from apps.servers.models import Server
from apps.servicepacks.models import AssetType
from tests.conftest import principal


def server(name: str, root: Path, **roles) -> Server:
    return Server.objects.create(name=name, hostname=f"{name}.hosting.example", provisioning_root=str(root), **roles)


@pytest.fixture
def queues(monkeypatch):
    """The queue each enqueued job went to, in order (the jobs still run, as the immediate backend does)."""
    seen: list[tuple[str, str]] = []
    real = tasks.enqueue

    def spy(job):
        seen.append((job.action + (" part" if job.parent_id else ""), tasks.queue_of(job)))
        real(job)

    monkeypatch.setattr(tasks, "enqueue", spy)
    return seen


def without_zones(queues: list) -> list:
    """The queues the jobs ran on, without the DNS zones' own jobs (apps.dns)."""
    return [entry for entry in queues if not entry[0].startswith("dns_zone.")]


def test_an_account_goes_to_the_least_loaded_active_server_of_each_role(
    full_a, servicepack, tmp_path, django_capture_on_commit_callbacks
):
    busy = server("web1", tmp_path / "web1", web=True, mail=True)
    idle = server("web2", tmp_path / "web2", web=True, mail=True)
    server("web3", tmp_path / "web3", web=True, mail=True, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = accounts.create_account(principal=full_a, identifier="one.example", servicepack=servicepack)
        second, _ = accounts.create_account(principal=full_a, identifier="two.example", servicepack=servicepack)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.web_server, first.mail_server) == (busy, busy)  # both empty: the first by id
    assert (second.web_server, second.mail_server) == (idle, idle)
    assert first.db_server is None and first.dns_server is None  # no server has those roles
    # Each site was written under its own server's provisioning root, not the worker's default one.
    assert (tmp_path / "web1/vhosts/one.example.conf").is_file()
    assert (tmp_path / "web2/vhosts/two.example.conf").is_file()


def test_jobs_run_on_the_queue_of_the_server_their_target_lives_on(
    full_a, servicepack, tmp_path, queues, django_capture_on_commit_callbacks
):
    server("web1", tmp_path / "web1", web=True, mail=True)
    with django_capture_on_commit_callbacks(execute=True):
        account, job = accounts.create_account(principal=full_a, identifier="one.example", servicepack=servicepack)
    with django_capture_on_commit_callbacks(execute=True):
        create_asset(
            principal=full_a,
            account_id=account.pk,
            asset_type=AssetType.MAILBOX,
            fields={"email_address": "info@one.example"},
            password="Mailpass1",
        )
    assert job.server.name == "web1"
    assert ("dns_zone.sync", "default") in queues  # no DNS server: the zone file is written by the default queue
    assert without_zones(queues) == [("account.create", "web1"), ("mailbox.create", "web1")]


def test_without_servers_jobs_use_the_default_queue_and_root(
    full_a, servicepack, provisioning_root, queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account, job = accounts.create_account(principal=full_a, identifier="one.example", servicepack=servicepack)
    assert job.server is None and account.web_server is None
    assert without_zones(queues) == [("account.create", "default")]
    assert (provisioning_root / "vhosts/one.example.conf").is_file()


def test_an_account_on_two_servers_finishes_after_its_part_on_the_other(
    full_a, servicepack, tmp_path, queues, django_capture_on_commit_callbacks
):
    server("web1", tmp_path / "web1", web=True)
    server("mail1", tmp_path / "mail1", mail=True)
    for item in servicepack.items.all():
        item.created_with_account = True
        item.save()
    servicepack.items.filter(asset_type=AssetType.MYSQL).delete()
    with django_capture_on_commit_callbacks(execute=True):
        account, job = accounts.create_account(
            principal=full_a, identifier="one.example", servicepack=servicepack, ftp_password="Ftpsecret1"
        )
    account.refresh_from_db()
    job.refresh_from_db()
    assert account.status == Status.ACTIVE
    assert job.status == JobStatus.FINISHED and job.resource_links == [f"/v2/accounts/{account.pk}"]
    [part] = job.parts.all()
    assert (part.server.name, part.status) == ("mail1", JobStatus.FINISHED)
    # The job ran on web1, its part on mail1, and the part's end woke the job, which then finished.
    assert without_zones(queues) == [
        ("account.create", "web1"),
        ("account.create part", "mail1"),
        ("account.create", "web1"),
    ]
    assert (tmp_path / "web1/vhosts/one.example.conf").is_file()
    assert not (tmp_path / "web1/mail").exists()
    assert "info@one.example" in (tmp_path / "mail1/mail/passwd").read_text()
    assert account.assets.exclude(status=Status.ACTIVE).count() == 0


def test_a_failed_part_fails_the_job_and_a_retry_runs_the_part_again(
    full_a, servicepack, tmp_path, django_capture_on_commit_callbacks
):
    server("web1", tmp_path / "web1", web=True)
    blocked = tmp_path / "mail1"
    blocked.write_text("a file where the mail server's root should be")
    mail1 = server("mail1", blocked, mail=True)
    servicepack.items.filter(asset_type=AssetType.MAILBOX).update(created_with_account=True)
    with django_capture_on_commit_callbacks(execute=True):
        account, job = accounts.create_account(
            principal=full_a, identifier="one.example", servicepack=servicepack, ftp_password="Ftpsecret1"
        )
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["detail"].startswith("On server mail1:")
    account.refresh_from_db()
    assert account.status == Status.FAILED

    blocked.unlink()
    mail1.provisioning_root = str(tmp_path / "mail1-fixed")
    mail1.save()
    with django_capture_on_commit_callbacks(execute=True):
        retry_job(principal=full_a, job_id=job.pk)
    job.refresh_from_db()
    account.refresh_from_db()
    assert (job.status, account.status) == (JobStatus.FINISHED, Status.ACTIVE)
    assert ProvisioningJob.objects.filter(parent=job, status=JobStatus.FINISHED).count() == 1
    assert "info@one.example" in (tmp_path / "mail1-fixed/mail/passwd").read_text()


def test_only_operators_choose_servers(tenant_a, servicepack, tmp_path, django_capture_on_commit_callbacks):
    chosen = server("web2", tmp_path / "web2", web=True)
    server("web1", tmp_path / "web1", web=True)
    with pytest.raises(InsufficientLevel):
        accounts.create_account(
            principal=principal(tenant_a, "owner"),
            identifier="one.example",
            servicepack=servicepack,
            servers={"web": chosen},
        )
    with django_capture_on_commit_callbacks(execute=True):
        account, _ = accounts.create_account(
            principal=principal(tenant_a, "owner", via="admin"),
            identifier="one.example",
            servicepack=servicepack,
            servers={"web": chosen},
        )
    account.refresh_from_db()
    assert account.web_server == chosen


def test_a_role_added_later_is_placed_when_its_first_asset_is_made(
    full_a, servicepack, tmp_path, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account, _ = accounts.create_account(principal=full_a, identifier="one.example", servicepack=servicepack)
    mail1 = server("mail1", tmp_path / "mail1", mail=True)
    with django_capture_on_commit_callbacks(execute=True):
        mailbox, job = create_asset(
            principal=full_a,
            account_id=account.pk,
            asset_type=AssetType.MAILBOX,
            fields={"email_address": "info@one.example"},
            password="Mailpass1",
        )
    account.refresh_from_db()
    assert account.mail_server == mail1 and job.server == mail1
    assert "info@one.example" in (tmp_path / "mail1/mail/passwd").read_text()


def test_deleting_an_account_removes_its_mail_zone_on_a_mail_server_with_no_mailbox_of_it(
    full_a, servicepack, tmp_path, queues, django_capture_on_commit_callbacks
):
    from apps.mail import services as mail

    server("web1", tmp_path / "web1", web=True)
    server("mail1", tmp_path / "mail1", mail=True)
    with django_capture_on_commit_callbacks(execute=True):
        account, _ = accounts.create_account(principal=full_a, identifier="one.example", servicepack=servicepack)
    with django_capture_on_commit_callbacks(execute=True):
        mail.create_alias(
            principal=full_a,
            domain_name="one.example",
            email_address="info@one.example",
            destinations=["boss@elsewhere.example"],
        )
    zone = tmp_path / "mail1/mail/zones/one.example"
    assert "boss@elsewhere.example" in (zone / "virtual").read_text()
    assert not account.assets.filter(asset_type=AssetType.MAILBOX).exists()
    queues.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _, job = accounts.delete_account(principal=full_a, account_id=account.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert [(entry, queue) for entry, queue in without_zones(queues) if entry.endswith("part")] == [
        ("account.delete part", "mail1")
    ]
    assert not zone.exists()  # nothing on mail1 routes mail for the domain any more
