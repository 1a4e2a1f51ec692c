"""Asset kinds (`apps.assets.kinds`): names, details, password hashes and what may be shown, without the database."""

from __future__ import annotations

import json

import pytest

from apps.accounts.models import Account
from apps.assets import hosting
from apps.assets.kinds import (
    KINDS,
    MYSQL_USER_MAX,
    LinuxHostingKind,
    MailboxKind,
    MySQLKind,
    kind_of,
    resource_link,
)
from apps.assets.models import Asset
from apps.assets.passwords import mysql_native_hash, verify_sha512_crypt
from apps.core.errors import ValidationFailed
from apps.servicepacks.models import AssetType

PASSWORD = "Secret123"
ACCOUNT = Account(pk=7, identifier="example.com")


def field_of(call) -> set[str | None]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return {p.field for p in caught.value.problems}


def test_every_asset_type_has_a_kind():
    assert set(KINDS) == set(AssetType.values)
    for asset_type in AssetType.values:
        assert kind_of(asset_type).asset_type == asset_type


def test_unknown_kind_is_a_validation_error_on_asset_type():
    assert field_of(lambda: kind_of("dns")) == {"asset_type"}


# Linux hosting


def test_linux_hosting_defaults_to_the_account_domain_and_php_version():
    kind = LinuxHostingKind()
    built = kind.build(ACCOUNT, kind.default_fields(ACCOUNT), None)
    assert built.name == "example.com"
    assert built.details == {
        **hosting.defaults("example.com"),
        "php_version": "8.3",
        "system_user": "w7_example_com",
        "ftp_password_hash": "",
    }
    assert built.details["sites"][0]["host_headers"] == [{"name": "www.example.com", "enabled": True}]


def test_linux_hosting_hashes_the_ftp_password_with_sha512_crypt():
    built = LinuxHostingKind().build(ACCOUNT, {"domain_name": "www.example.com"}, PASSWORD)
    assert built.name == "www.example.com"
    assert verify_sha512_crypt(PASSWORD, built.details["ftp_password_hash"])
    assert PASSWORD not in json.dumps(built.details)


@pytest.mark.parametrize(("rounds", "prefix"), [(5000, "$6$"), (1000, "$6$rounds=1000$"), (20000, "$6$rounds=20000$")])
def test_ftp_and_mailbox_hashes_use_the_configured_rounds(settings, rounds, prefix):
    settings.PANEEL_CRYPT_ROUNDS = rounds
    ftp = LinuxHostingKind().build(ACCOUNT, {}, PASSWORD).details["ftp_password_hash"]
    mail = MailboxKind().build(ACCOUNT, {"email_address": "info@example.com"}, PASSWORD).details["password_hash"]
    for hashed in (ftp, mail):
        assert hashed.startswith(prefix) and hashed.count("$") == prefix.count("$") + 1
        assert verify_sha512_crypt(PASSWORD, hashed)


@pytest.mark.parametrize("domain", ["other.com", "notexample.com", "example.com.evil.test"])
def test_linux_hosting_domain_must_be_the_account_domain_or_a_subdomain(domain):
    assert field_of(lambda: LinuxHostingKind().build(ACCOUNT, {"domain_name": domain}, None)) == {"domain_name"}


def test_linux_hosting_php_version_must_be_offered():
    assert field_of(lambda: LinuxHostingKind().build(ACCOUNT, {"php_version": "7.4"}, None)) == {"php_version"}


def test_linux_hosting_password_rules_name_the_ftp_password_field():
    assert field_of(lambda: LinuxHostingKind().build(ACCOUNT, {}, "short")) == {"ftp_password"}


def test_linux_hosting_public_details_hide_the_hash():
    kind = LinuxHostingKind()
    details = kind.build(ACCOUNT, {}, PASSWORD).details
    public = kind.public_details(details)
    assert "ftp_password_hash" not in public and "$6$" not in json.dumps(public)
    assert public == {key: value for key, value in details.items() if key != "ftp_password_hash"}


# MySQL


def test_mysql_name_is_prefixed_with_the_account_id():
    built = MySQLKind().build(ACCOUNT, {"database_name": "Shop"}, PASSWORD)
    assert built.name == "pn7_shop"
    assert built.details["database_name"] == "shop"
    assert built.details["users"] == [
        {"name": "pn7_shop", "rights": "read_and_write", "enabled": True, "password_hash": mysql_native_hash(PASSWORD)}
    ]


def test_mysql_name_may_use_exactly_the_room_left_by_the_prefix():
    room = MYSQL_USER_MAX - len("pn7_")
    assert len(MySQLKind().build(ACCOUNT, {"database_name": "a" * room}, PASSWORD).name) == MYSQL_USER_MAX
    assert field_of(lambda: MySQLKind().build(ACCOUNT, {"database_name": "a" * (room + 1)}, PASSWORD)) == {
        "database_name"
    }


def test_mysql_requires_a_valid_password():
    assert field_of(lambda: MySQLKind().build(ACCOUNT, {"database_name": "shop"}, None)) == {"password"}
    assert field_of(lambda: MySQLKind().build(ACCOUNT, {"database_name": "shop"}, "no digits here")) == {"password"}


def test_mysql_default_database_name_comes_from_the_first_label():
    account = Account(pk=12345, identifier="my-shop.example")
    assert MySQLKind().default_fields(account) == {"database_name": "my_shop"}
    long_account = Account(pk=12345, identifier="a" * 40 + ".example")
    fields = MySQLKind().default_fields(long_account)
    assert len(f"pn12345_{fields['database_name']}") == MYSQL_USER_MAX


def test_mysql_password_details_change_only_the_named_user():
    kind = MySQLKind()
    details = kind.build(ACCOUNT, {"database_name": "shop"}, PASSWORD).details
    details["users"].append({"name": "pn7_report", "rights": "read_only", "enabled": True, "password_hash": "*OLD"})
    changed = kind.password_details(details, "Other123", "pn7_report")
    assert changed["users"][0]["password_hash"] == mysql_native_hash(PASSWORD)
    assert changed["users"][1]["password_hash"] == mysql_native_hash("Other123")
    assert details["users"][1]["password_hash"] == "*OLD"  # the input is not mutated
    default = kind.password_details(details, "Other123")
    assert default["users"][0]["password_hash"] == mysql_native_hash("Other123")


def test_mysql_public_details_hide_every_users_hash():
    kind = MySQLKind()
    public = kind.public_details(kind.build(ACCOUNT, {"database_name": "shop"}, PASSWORD).details)
    assert public == {
        "database_name": "shop",
        "users": [{"name": "pn7_shop", "rights": "read_and_write", "enabled": True}],
    }
    assert "*" not in json.dumps(public)


# Mailbox


def test_mailbox_address_is_lowercased_on_the_account_domain():
    built = MailboxKind().build(ACCOUNT, {"email_address": " Info@EXAMPLE.com "}, PASSWORD)
    assert built.name == "info@example.com"
    assert verify_sha512_crypt(PASSWORD, built.details["password_hash"])
    assert MailboxKind().public_details(built.details) == {}


@pytest.mark.parametrize("address", ["info@other.com", "info@mail.example.com", "info", "", None, "@example.com"])
def test_mailbox_must_be_on_the_account_domain(address):
    assert field_of(lambda: MailboxKind().build(ACCOUNT, {"email_address": address}, PASSWORD)) == {"email_address"}


def test_mailbox_requires_a_valid_password():
    assert field_of(lambda: MailboxKind().build(ACCOUNT, {"email_address": "info@example.com"}, None)) == {"password"}
    assert field_of(lambda: MailboxKind().build(ACCOUNT, {"email_address": "info@example.com"}, "abc")) == {"password"}


def test_mailbox_default_is_info_at_the_domain():
    assert MailboxKind().default_fields(ACCOUNT) == {"email_address": "info@example.com"}


@pytest.mark.parametrize(
    ("asset_type", "name", "link"),
    [
        ("linux_hosting", "example.com", "/v2/linuxhostings/example.com"),
        ("mysql", "pn7_shop", "/v2/mysqldatabases/pn7_shop"),
        ("mailbox", "info@example.com", "/v2/mailboxes/info@example.com"),
    ],
)
def test_resource_link_is_the_api_path_of_the_asset(asset_type, name, link):
    assert resource_link(Asset(asset_type=asset_type, name=name)) == link
