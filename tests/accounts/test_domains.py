"""Account identifiers are domain names: IDNA-encoded, lowercased, validated (`apps.accounts.domains`)."""

from __future__ import annotations

import pytest

from apps.accounts.domains import display_domain, normalize_domain
from apps.core.errors import ValidationFailed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("example.com", "example.com"),
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("  shop.example.org  ", "shop.example.org"),
        ("bücher.example", "xn--bcher-kva.example"),
        ("BÜCHER.example", "xn--bcher-kva.example"),
        ("xn--bcher-kva.example", "xn--bcher-kva.example"),
        ("a-b.c-d.example", "a-b.c-d.example"),
        ("123.example", "123.example"),
        ("x.io", "x.io"),
    ],
)
def test_normalize_domain_returns_the_lowercased_ascii_form(value, expected):
    assert normalize_domain(value) == expected


def test_display_domain_gives_back_the_unicode_form():
    assert display_domain("xn--bcher-kva.example") == "bücher.example"
    assert display_domain("example.com") == "example.com"


def problem_of(value, **kwargs):
    with pytest.raises(ValidationFailed) as caught:
        normalize_domain(value, **kwargs)
    error = caught.value
    assert (error.code, error.status) == ("validation_failed", 400)
    assert len(error.problems) == 1
    return error.problems[0]


@pytest.mark.parametrize(
    "value",
    [
        "-bad.example",
        "bad-.example",
        "under_score.example",
        "exa mple.com",
        "a..b.example",
        ".example.com",
        "exa!mple.com",
        "a" * 64 + ".example",
    ],
)
def test_invalid_labels_are_refused(value):
    problem = problem_of(value)
    assert problem.field == "identifier"
    assert "valid domain name" in problem.message


def test_label_of_63_characters_is_accepted():
    assert normalize_domain("a" * 63 + ".example") == "a" * 63 + ".example"


def test_domain_of_253_characters_is_accepted_and_254_refused():
    labels = ["a" * 63, "b" * 63, "c" * 63]
    longest = ".".join([*labels, "d" * 61])
    assert len(longest) == 253
    assert normalize_domain(longest) == longest
    problem = problem_of(".".join([*labels, "d" * 62]))
    assert "253" in problem.message


@pytest.mark.parametrize("value", ["localhost", "example", "bücher", "com."])
def test_single_label_is_refused(value):
    assert "two labels" in problem_of(value).message


@pytest.mark.parametrize("value", ["example.123", "192.0.2.1", "shop.example.42"])
def test_numeric_top_level_domain_is_refused(value):
    assert "numeric" in problem_of(value).message


@pytest.mark.parametrize("value", ["", "   ", ".", None, 42, ["example.com"]])
def test_missing_or_non_text_value_is_refused(value):
    assert problem_of(value).field == "identifier"


def test_problem_names_the_field_it_was_asked_for():
    assert problem_of("nope", field="domain_name").field == "domain_name"


def test_idna_2008_keeps_sharp_s_and_final_sigma_distinct():
    # IDNA 2003 would map these to other domains (strasse.de); browsers and registries use IDNA 2008.
    assert normalize_domain("straße.de") == "xn--strae-oqa.de"
    assert normalize_domain("ας.example") == "xn--mxa8a.example"
    assert normalize_domain("ασ.example") == "xn--mxa0b.example"
    assert display_domain("xn--strae-oqa.de") == "straße.de"
