"""Password rules and the password hashes the services store on assets (never the clear text).

- `validate_password`: the reference API's password rules, one message per broken rule.
- `mysql_native_hash`: MySQL's `mysql_native_password` form, which a server accepts as
  `IDENTIFIED BY PASSWORD '<hash>'`, so the clear password never reaches the database server or the job.
- `sha512_crypt` / `verify_sha512_crypt`: SHA-512-crypt (`$6$...`), the scheme glibc's crypt(3), Dovecot
  (`{SHA512-CRYPT}`) and the FTP servers read. Pure Python because the stdlib `crypt` module is deprecated
  (and gone in Python 3.13).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 20
FORBIDDEN_CHARACTERS = "*€$&+}{'\"\\"

CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SHA512_CRYPT_DEFAULT_ROUNDS = 5000
SHA512_CRYPT_MIN_ROUNDS = 1000
SHA512_CRYPT_MAX_ROUNDS = 999_999_999
SHA512_CRYPT_SALT_LENGTH = 16

_SHA512_CRYPT = re.compile(
    r"^\$6\$(?:rounds=(?P<rounds>[0-9]{1,10})\$)?(?P<salt>[^$]{0,16})\$(?P<digest>[./0-9A-Za-z]{86})$"
)
_ASCII_DIGIT = re.compile(r"[0-9]")
_ASCII_LETTER = re.compile(r"[A-Za-z]")

# Byte order of the final encoding (Drepper's spec): 21 groups of three bytes, each the triple
# (i, i + 21, i + 42) rotated left by i % 3, then the last byte alone.
_SHA512_CRYPT_ORDER = tuple((i, i + 21, i + 42)[i % 3 :] + (i, i + 21, i + 42)[: i % 3] for i in range(21))


def validate_password(password: str) -> list[str]:
    """Return what is wrong with `password` under the reference API's rules; an empty list means valid.

    Rules: 8 to 20 characters, at least one digit (0-9), at least one letter (a-z), no spaces, none of
    ``* € $ & + } { ' " \\``.
    """
    problems: list[str] = []
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        problems.append(
            f"Must be between {PASSWORD_MIN_LENGTH} and {PASSWORD_MAX_LENGTH} characters long (it is {len(password)})."
        )
    if not _ASCII_DIGIT.search(password):
        problems.append("Must contain at least one digit (0-9).")
    if not _ASCII_LETTER.search(password):
        problems.append("Must contain at least one letter (a-z).")
    # Any whitespace, not only U+0020: a tab or newline is no more typeable in a login form.
    if any(character.isspace() for character in password):
        problems.append("Cannot contain spaces.")
    forbidden = sorted({character for character in password if character in FORBIDDEN_CHARACTERS})
    if forbidden:
        problems.append(f"Cannot contain the characters {' '.join(forbidden)}.")
    return problems


def mysql_native_hash(password: str) -> str:
    """Return MySQL's `mysql_native_password` hash: ``"*" + SHA1(SHA1(password))`` in upper-case hex."""
    inner = hashlib.sha1(password.encode("utf-8")).digest()  # noqa: S324 (MySQL's scheme, not our choice)
    return "*" + hashlib.sha1(inner).hexdigest().upper()  # noqa: S324


def sha512_crypt(password: str, *, salt: str | None = None, rounds: int = SHA512_CRYPT_DEFAULT_ROUNDS) -> str:
    """Hash `password` with SHA-512-crypt and return the full ``$6$[rounds=N$]salt$digest`` string.

    `salt` defaults to 16 random characters of the crypt alphabet; a longer one is cut to 16 characters, as
    glibc does. `rounds` is clamped to 1000..999999999 like glibc, and written out only when it is not the
    default 5000.
    """
    if salt is None:
        salt = "".join(secrets.choice(CRYPT_ALPHABET) for _ in range(SHA512_CRYPT_SALT_LENGTH))
    elif any(character not in CRYPT_ALPHABET for character in salt):
        # The hash is written into colon-separated credential files: only the crypt alphabet is safe there.
        raise ValueError("The salt may only hold characters of the crypt alphabet [./0-9A-Za-z].")
    salt = salt[:SHA512_CRYPT_SALT_LENGTH]
    rounds = min(max(rounds, SHA512_CRYPT_MIN_ROUNDS), SHA512_CRYPT_MAX_ROUNDS)
    digest = _sha512_crypt_digest(password.encode("utf-8"), salt.encode("utf-8"), rounds)
    if rounds == SHA512_CRYPT_DEFAULT_ROUNDS:
        return f"$6${salt}${digest}"
    return f"$6$rounds={rounds}${salt}${digest}"


def verify_sha512_crypt(password: str, hashed: str) -> bool:
    """Tell whether `password` matches the SHA-512-crypt string `hashed` (compared in constant time)."""
    match = _SHA512_CRYPT.match(hashed)
    if match is None:
        return False
    rounds = SHA512_CRYPT_DEFAULT_ROUNDS
    if match["rounds"] is not None:
        rounds = min(max(int(match["rounds"]), SHA512_CRYPT_MIN_ROUNDS), SHA512_CRYPT_MAX_ROUNDS)
    digest = _sha512_crypt_digest(password.encode("utf-8"), match["salt"].encode("utf-8"), rounds)
    return hmac.compare_digest(digest.encode("ascii"), match["digest"].encode("ascii"))


def _sha512_crypt_digest(key: bytes, salt: bytes, rounds: int) -> str:
    """The 86-character digest part of SHA-512-crypt, steps numbered as in Drepper's specification."""
    key_length = len(key)
    # Steps 4-8: digest B = SHA512(key + salt + key).
    digest_b = hashlib.sha512(key + salt + key).digest()
    # Steps 1-3, 9-12: digest A.
    context_a = hashlib.sha512(key + salt)
    context_a.update(_repeat(digest_b, key_length))
    bits = key_length
    while bits > 0:
        context_a.update(digest_b if bits & 1 else key)
        bits >>= 1
    digest_a = context_a.digest()
    # Steps 13-16: byte sequence P from the key repeated key_length times.
    p_bytes = _repeat(hashlib.sha512(key * key_length).digest(), key_length)
    # Steps 17-20: byte sequence S from the salt repeated 16 + A[0] times.
    s_bytes = _repeat(hashlib.sha512(salt * (16 + digest_a[0])).digest(), len(salt))
    # Step 21: the rounds.
    digest_c = digest_a
    for round_number in range(rounds):
        context_c = hashlib.sha512(p_bytes if round_number & 1 else digest_c)
        if round_number % 3:
            context_c.update(s_bytes)
        if round_number % 7:
            context_c.update(p_bytes)
        context_c.update(digest_c if round_number & 1 else p_bytes)
        digest_c = context_c.digest()
    # Step 22: the custom base-64 encoding, least significant 6 bits first.
    encoded: list[str] = []
    for first, second, third in _SHA512_CRYPT_ORDER:
        encoded.append(_b64_from_24bit(digest_c[first], digest_c[second], digest_c[third], 4))
    encoded.append(_b64_from_24bit(0, 0, digest_c[63], 2))
    return "".join(encoded)


def _repeat(block: bytes, length: int) -> bytes:
    """`block` repeated and cut to `length` bytes (the spec's "for each block of 64 bytes, then the rest")."""
    return (block * (length // len(block) + 1))[:length]


def _b64_from_24bit(byte2: int, byte1: int, byte0: int, count: int) -> str:
    value = (byte2 << 16) | (byte1 << 8) | byte0
    characters = []
    for _ in range(count):
        characters.append(CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(characters)
