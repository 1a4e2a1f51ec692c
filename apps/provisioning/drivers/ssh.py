"""OpenSSH: the site user's `~/.ssh/authorized_keys`, and what identifies a key (its SHA256 fingerprint).

Keys are checked twice: their shape here (one line, a known key type, base64, a printable comment, no options,
so a key can never carry ``command=`` or ``from=``), then by ``ssh-keygen -l`` itself, whose SHA256 fingerprint
is the key's identity. `fingerprint_of` is what the API calls when a key is added, and what the driver checks
again before writing. With SSH disabled (or the hosting suspended) the file holds no key, and the user's login
shell is nologin (sftp and ssh both stop); the file is written without following any link the user planted.
"""

from __future__ import annotations

import re
import subprocess
import tempfile

from apps.provisioning.drivers.base import DriverError

KEY_TYPES = (
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
)
PUBLIC_KEY = re.compile(r"^(?P<type>[a-z0-9@.-]+) (?P<blob>[A-Za-z0-9+/]+={0,3})(?: (?P<comment>[\x20-\x7e]{0,200}))?$")
FINGERPRINT = re.compile(r"^\d+ (SHA256:[A-Za-z0-9+/]{43}) ")
SSH_KEYGEN = "/usr/bin/ssh-keygen"


def fingerprint_of(public_key: object, *, ssh_keygen: str = SSH_KEYGEN) -> str:
    """The ``SHA256:...`` fingerprint of an OpenSSH public key line, or `DriverError` (``invalid_spec``)."""
    if not isinstance(public_key, str) or len(public_key) > 16384:
        raise DriverError("The public key must be one OpenSSH public key line.", code="invalid_spec")
    line = public_key.strip()
    match = PUBLIC_KEY.match(line)
    if match is None or match.group("type") not in KEY_TYPES:
        raise DriverError(
            "The public key must be one line: a key type (ssh-ed25519, ssh-rsa, ecdsa-sha2-...), the key, an "
            "optional comment.",
            code="invalid_spec",
        )
    with tempfile.NamedTemporaryFile("w", suffix=".pub") as stream:
        stream.write(line + "\n")
        stream.flush()
        try:
            result = subprocess.run(  # noqa: S603
                [ssh_keygen, "-l", "-E", "sha256", "-f", stream.name],
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
        except FileNotFoundError:
            raise DriverError(f"{ssh_keygen} is not installed.", code="ssh_error") from None
    found = FINGERPRINT.match(result.stdout)
    if result.returncode != 0 or found is None:
        raise DriverError("The public key is not a valid OpenSSH key.", code="invalid_spec")
    return found.group(1)


def render_authorized_keys(*, domain: str, keys, enabled: bool) -> str:
    """The authorized_keys file: the hosting's keys when SSH is enabled, none otherwise."""
    lines = [f"# Managed by Paneel: SSH keys of linux_hosting {domain}. Rewritten on every change."]
    if enabled:
        lines += [key.public_key for key in keys]
    return "\n".join(lines) + "\n"
