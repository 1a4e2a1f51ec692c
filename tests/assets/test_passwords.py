"""Password rules and hashes: the reference API's rules, MySQL's native hash, SHA-512-crypt."""

from __future__ import annotations

import secrets
import warnings

import pytest

from apps.assets.passwords import (
    CRYPT_ALPHABET,
    mysql_native_hash,
    sha512_crypt,
    validate_password,
    verify_sha512_crypt,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import crypt as stdlib_crypt
    except ImportError:  # Python 3.13 removed it
        stdlib_crypt = None


def test_valid_password_has_no_problems():
    assert validate_password("Secret123") == []
    assert validate_password("a1b2c3d4") == []
    assert validate_password("A" * 19 + "1") == []


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("abc1234", "between 8 and 20"),
        ("abcdefghij1234567890x", "between 8 and 20"),
        ("abcdefgh", "digit"),
        ("12345678", "letter"),
        ("abcd 1234", "spaces"),
        ("abcd\t1234", "spaces"),
        ("abcd*1234", "*"),
        ("abcd€1234", "€"),
        ("abcd$1234", "$"),
        ("abcd&1234", "&"),
        ("abcd+1234", "+"),
        ("abcd}1234", "}"),
        ("abcd{1234", "{"),
        ("abcd'1234", "'"),
        ('abcd"1234', '"'),
        ("abcd\\1234", "\\"),
    ],
)
def test_each_password_rule_is_reported(password, fragment):
    problems = validate_password(password)
    assert len(problems) == 1, problems
    assert fragment in problems[0]


def test_every_broken_rule_is_listed():
    problems = validate_password("* $")
    assert len(problems) == 5
    assert any("between" in problem for problem in problems)
    assert any("digit" in problem for problem in problems)
    assert any("letter" in problem for problem in problems)
    assert any("spaces" in problem for problem in problems)
    assert any("* $" in problem or ("*" in problem and "$" in problem) for problem in problems)


def test_letters_and_digits_mean_ascii():
    # The reference says a-z and 0-9: an accented letter or an Arabic-Indic digit does not count.
    assert any("letter" in problem for problem in validate_password("éééé1234"))
    assert any("digit" in problem for problem in validate_password("abcd\u0661\u0662\u0663\u0664"))


def test_mysql_native_hash_matches_mysql():
    assert mysql_native_hash("password") == "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19"
    assert mysql_native_hash("Secret123") != mysql_native_hash("Secret124")


# Vectors from Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512" specification.
SPEC_VECTORS = [
    (
        "Hello world!",
        "saltstring",
        5000,
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
    ),
    (
        "Hello world!",
        "saltstringsaltstring",
        10000,
        "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/"
        "YTBmSK6H9qs/y3RnOaw5v.",
    ),
    (
        "we have a short salt string but not a short password",
        "short",
        77777,
        "$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0",
    ),
    (
        "a short string",
        "asaltof16chars..",
        123456,
        "$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgM"
        "NrCzIMVcgEJAstJeonj1",
    ),
    (
        "the minimum number is still observed",
        "roundstoolow",
        10,
        "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0d"
        "qbpBYYBaHHrsX.",
    ),
]


@pytest.mark.parametrize(("password", "salt", "rounds", "expected"), SPEC_VECTORS)
def test_sha512_crypt_matches_the_specification(password, salt, rounds, expected):
    assert sha512_crypt(password, salt=salt, rounds=rounds) == expected
    assert verify_sha512_crypt(password, expected)


def test_sha512_crypt_vector_with_explicit_default_rounds_verifies():
    # glibc writes rounds=5000 when the setting names it; verification must accept that form too.
    hashed = (
        "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6"
        "JMxxl8audkUEm0"
    )
    assert verify_sha512_crypt("This is just a test", hashed)
    assert sha512_crypt("This is just a test", salt="toolongsaltstring") == "$6$toolongsaltstrin$" + hashed[32:]


def test_sha512_crypt_random_salt_is_16_crypt_characters():
    first, second = sha512_crypt("Secret123"), sha512_crypt("Secret123")
    assert first != second
    prefix, scheme, salt, digest = first.split("$")
    assert (prefix, scheme) == ("", "6")
    assert len(salt) == 16 and set(salt) <= set(CRYPT_ALPHABET)
    assert len(digest) == 86 and set(digest) <= set(CRYPT_ALPHABET)


def test_sha512_crypt_refuses_a_salt_outside_the_crypt_alphabet():
    with pytest.raises(ValueError):
        sha512_crypt("Secret123", salt="bad:salt")


@pytest.mark.skipif(stdlib_crypt is None, reason="the stdlib crypt module is not available")
def test_sha512_crypt_agrees_with_glibc_crypt():
    for length in (1, 8, 20, 63, 64, 65, 130):
        password = secrets.token_urlsafe(length)[:length] + "é"
        for rounds in (5000, 1234):
            hashed = sha512_crypt(password, rounds=rounds)
            assert stdlib_crypt.crypt(password, hashed) == hashed


def test_verify_sha512_crypt():
    hashed = sha512_crypt("Secret123")
    assert verify_sha512_crypt("Secret123", hashed)
    assert not verify_sha512_crypt("Secret124", hashed)
    assert not verify_sha512_crypt("Secret123", hashed[:-1] + ("A" if hashed[-1] != "A" else "B"))
    assert not verify_sha512_crypt("Secret123", "*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19")
    assert not verify_sha512_crypt("Secret123", "")
