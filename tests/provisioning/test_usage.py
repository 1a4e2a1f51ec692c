"""Usage: the driver's measurement lands on the asset, periodically (worker sweep) and on demand."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.assets.models import Asset
from apps.provisioning.usage import measure_due_usage, measure_usage


def write_megabytes(path, megabytes: int) -> None:
    path.write_bytes(b"x" * (megabytes * 1024 * 1024))


def test_measure_usage_stores_the_drivers_size(account_a, provisioning_root):
    hosting = account_a.assets.get()
    write_megabytes(provisioning_root / "sites" / account_a.identifier / "www" / "big.bin", 3)

    measured = measure_usage(Asset.objects.filter(pk=hosting.pk).select_related("account"))

    hosting.refresh_from_db()
    assert measured == {hosting.pk: hosting.actual_size}
    assert 3 <= hosting.actual_size <= 4
    assert hosting.usage_measured_at is not None


def test_an_asset_the_driver_cannot_measure_keeps_its_value(account_a, provisioning_root):
    import shutil

    hosting = account_a.assets.get()
    Asset.objects.filter(pk=hosting.pk).update(actual_size=7)
    shutil.rmtree(provisioning_root / "sites" / account_a.identifier)

    assert measure_usage(Asset.objects.filter(pk=hosting.pk).select_related("account")) == {}
    hosting.refresh_from_db()
    assert hosting.actual_size == 7 and hosting.usage_measured_at is None


def test_measure_due_usage_skips_fresh_measurements(settings, account_a, provisioning_root):
    settings.PANEEL_USAGE_INTERVAL_SECONDS = 3600
    hosting = account_a.assets.get()
    assert measure_due_usage() == 1  # never measured: due
    assert measure_due_usage() == 0  # just measured: not due

    Asset.objects.filter(pk=hosting.pk).update(usage_measured_at=timezone.now() - timedelta(hours=2))
    write_megabytes(provisioning_root / "sites" / account_a.identifier / "www" / "big.bin", 2)
    assert measure_due_usage() == 1
    hosting.refresh_from_db()
    assert hosting.actual_size >= 2


def test_measure_usage_command_measures_everything_with_all(account_a):
    out = StringIO()
    call_command("measure_usage", "--all", stdout=out)
    assert "Measured 1 asset(s)." in out.getvalue()
    assert account_a.assets.get().usage_measured_at is not None


def test_admin_action_measures_selected_assets(client, django_user_model, account_a):
    operator = django_user_model.objects.create_superuser("op", "op@example.test", "Passw0rd123")
    client.force_login(operator)
    hosting = account_a.assets.get()
    response = client.post(
        "/admin/assets/asset/",
        {"action": "measure_usage_now", "_selected_action": [hosting.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Measured 1 of 1 selected asset(s)." in response.content.decode()
    hosting.refresh_from_db()
    assert hosting.usage_measured_at is not None


def test_a_worker_measures_only_the_assets_of_its_own_servers(tmp_path, full_a, servicepack, run_jobs):
    """A worker on web1 (`--queue-name web1`) measures web1's hostings under web1's root, never web2's."""
    from apps.accounts.services import create_account
    from apps.servers.models import Server

    web1 = Server.objects.create(name="web1", hostname="web1.test", web=True, provisioning_root=str(tmp_path / "w1"))
    web2 = Server.objects.create(name="web2", hostname="web2.test", web=True, provisioning_root=str(tmp_path / "w2"))
    with run_jobs():
        one, _ = create_account(principal=full_a, identifier="alpha-one.example", servicepack=servicepack)
        two, _ = create_account(principal=full_a, identifier="alpha-two.example", servicepack=servicepack)
    one.refresh_from_db()
    two.refresh_from_db()
    assert {one.web_server, two.web_server} == {web1, web2}  # least loaded: one each
    on1 = one if one.web_server == web1 else two
    on2 = two if on1 is one else one
    write_megabytes(tmp_path / "w1" / "sites" / on1.identifier / "www" / "big.bin", 2)
    write_megabytes(tmp_path / "w2" / "sites" / on2.identifier / "www" / "big.bin", 5)

    assert measure_due_usage(queues=["web1"]) == 1
    hosting1, hosting2 = on1.assets.get(), on2.assets.get()
    assert 2 <= hosting1.actual_size <= 3 and hosting2.usage_measured_at is None
    assert measure_due_usage(queues=["default"]) == 0  # no asset lives on no server
    assert measure_due_usage(queues=["web2"]) == 1
    hosting2.refresh_from_db()
    assert 5 <= hosting2.actual_size <= 6


def test_measure_usage_command_takes_the_queues(tmp_path, full_a, servicepack, run_jobs):
    from apps.accounts.services import create_account
    from apps.servers.models import Server

    Server.objects.create(name="web1", hostname="web1.test", web=True, provisioning_root=str(tmp_path / "w1"))
    with run_jobs():
        create_account(principal=full_a, identifier="alpha-one.example", servicepack=servicepack)
    out = StringIO()
    call_command("measure_usage", "--all", "--queue-name", "web9", stdout=out)
    assert "Measured 0 asset(s)." in out.getvalue()
    call_command("measure_usage", "--all", "--queue-name", "web1", stdout=out)
    assert "Measured 1 asset(s)." in out.getvalue()


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)
