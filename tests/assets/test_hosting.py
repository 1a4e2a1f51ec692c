"""The rules of a Linux hosting's details (apps.assets.hosting), without the database."""

from __future__ import annotations

import pytest

from apps.assets import hosting
from apps.core.errors import ValidationFailed


def test_system_user_is_a_valid_linux_name_of_at_most_32_characters():
    user = hosting.system_user_for(12345, "a-very-long-subdomain.of-a-rather-long-domain.example", set())
    assert len(user) <= 32 and hosting.SYSTEM_USER.match(user)
    assert user.startswith("w12345_a_very_long")


def test_system_user_is_numbered_when_the_account_has_it_already():
    first = hosting.system_user_for(7, "example.com", set())
    second = hosting.system_user_for(7, "example.com", {first})
    third = hosting.system_user_for(7, "example.com", {first, second})
    assert (first, second, third) == ("w7_example_com", "w7_example_com_2", "w7_example_com_3")
    long_one = hosting.system_user_for(7, "x" * 60 + ".example", set())
    numbered = hosting.system_user_for(7, "x" * 60 + ".example", {long_one})
    assert len(numbered) <= 32 and numbered.endswith("_2")


@pytest.mark.parametrize(
    ("expression", "normalized"),
    [("*/5 * * * *", "*/5 * * * *"), ("0 3 * * 7", "0 3 * * 7"), ("05  23 31 12 1", "5 23 31 12 1")],
)
def test_cron_expressions_of_the_reference_pass(expression, normalized):
    assert hosting.checked_cron_expression(expression) == normalized


@pytest.mark.parametrize(
    "expression", ["* * * *", "*/3 * * * *", "0 24 * * *", "0 0 32 * *", "0 0 * 13 *", "0 0 * * 0", "1,2 * * * *", 5]
)
def test_other_cron_expressions_are_refused(expression):
    with pytest.raises(ValidationFailed) as caught:
        hosting.checked_cron_expression(expression)
    assert caught.value.problems[0].field == "cron_expression"


@pytest.mark.parametrize("path", ["/", "/www", "/subsites/shop.example.com", "/a-b_c.d/e"])
def test_home_paths_pass(path):
    assert hosting.checked_home_path(path, "path") == path


@pytest.mark.parametrize(
    "path", ["", "www", "/../etc", "/a/../../b", "/a//b", "/a b", "/a\x00b", "/a;b", "/a%b", "/é", "/" + "a" * 300]
)
def test_paths_that_could_leave_the_home_or_break_a_config_are_refused(path):
    with pytest.raises(ValidationFailed):
        hosting.checked_home_path(path, "path")


def test_with_defaults_fills_missing_keys_without_changing_the_stored_ones():
    stored = {"php_version": "8.1", "sites": [{"name": "example.com", "path": "/site"}]}
    filled = hosting.with_defaults(stored, "example.com")
    assert filled["php_version"] == "8.1" and filled["ssh_keys"] == [] and filled["gzip_enabled"] is True
    assert filled["sites"][0]["path"] == "/site" and filled["sites"][0]["host_headers"] == []
    assert stored == {"php_version": "8.1", "sites": [{"name": "example.com", "path": "/site"}]}  # not mutated
