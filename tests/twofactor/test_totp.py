"""TOTP against the test vectors of RFC 6238 (appendix B, SHA-1) and RFC 4226 (appendix D)."""

import base64

import pytest

from apps.twofactor import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("at", "code"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238(at, code):
    assert totp.totp(RFC_SECRET, at, digits=8) == code


def test_hotp_matches_rfc_4226():
    expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
    assert [totp.hotp(RFC_SECRET, counter) for counter in range(10)] == expected


def test_a_code_is_accepted_one_step_either_side_and_not_further():
    secret = totp.generate_secret()
    now = 1_700_000_000
    step = totp.step_at(now)
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = totp.hotp(secret, step + offset)
        assert (totp.matching_step(secret, code, at=now) == step + offset) is accepted, offset


def test_a_used_step_is_not_accepted_again():
    secret = totp.generate_secret()
    now = 1_700_000_000
    code = totp.totp(secret, now)
    step = totp.matching_step(secret, code, at=now)
    assert step is not None
    assert totp.matching_step(secret, code, at=now, after_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", None])
def test_malformed_codes_never_match(code):
    assert totp.matching_step(totp.generate_secret(), code) is None


def test_secrets_are_160_bit_base32_and_the_uri_names_them():
    secret = totp.generate_secret()
    assert len(base64.b32decode(secret + "=" * (-len(secret) % 8))) == 20
    uri = totp.provisioning_uri(secret, account="alpha-owner", issuer="Paneel")
    assert uri.startswith("otpauth://totp/Paneel%3Aalpha-owner?") and f"secret={secret}" in uri
