from apps.accounts.models import Status


def test_account_fixture_is_provisioned_by_the_runner(account_a, provisioning_root):
    assert account_a.status == Status.ACTIVE
    hosting = account_a.assets.get()
    assert hosting.status == Status.ACTIVE
    assert (provisioning_root / "sites" / "alpha-shop.example").is_dir()
