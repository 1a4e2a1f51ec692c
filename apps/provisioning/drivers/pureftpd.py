"""pure-ftpd virtual users: one line per hosting in the passwd file, compiled with ``pure-pw mkdb``.

The FTP login is the hosting's domain name (the API's `ftp_username`); uploads belong to the hosting's system
user (its uid and gid) and the login is chrooted into the home (``/./``). The quota field is the hosting's
webspace. The password is the SHA-512-crypt hash the platform stored (pure-ftpd checks it with crypt(3)); FTP
disabled or no password: no line; suspended: the hash gets a ``!`` in front, which no password crypts to. The
line file is edited under an exclusive lock and the database is rebuilt into a temporary file that
``pure-pw mkdb`` renames into place, so the running pure-ftpd (``-l puredb:<file>``, which rereads it on every
login) never sees half a database.
"""

from __future__ import annotations

import subprocess

from apps.provisioning.drivers.base import DriverError

_MEGABYTE = 1024 * 1024


def passwd_line(hosting, *, uid: int, gid: int, home: str) -> str | None:
    """The virtual user's line (pure-pw's 18 colon-separated fields), or None for no FTP login."""
    if not hosting.ftp_enabled or not hosting.ftp_password_hash:
        return None
    password = ("!" if hosting.suspended else "") + hosting.ftp_password_hash
    fields = [
        hosting.domain_name,
        password,
        str(uid),
        str(gid),
        f"Paneel {hosting.domain_name}",
        f"{home}/./",
        *[""] * 6,
        str(hosting.max_size * _MEGABYTE) if hosting.max_size else "",
        *[""] * 5,
    ]
    return ":".join(fields)


def rebuild_database(config) -> None:
    """``pure-pw mkdb <db> -f <passwd>``: the database pure-ftpd reads."""
    try:
        result = subprocess.run(  # noqa: S603
            [config.pure_pw_binary, "mkdb", str(config.pureftpd_db), "-f", str(config.pureftpd_passwd)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise DriverError(f"pure-pw is not installed at {config.pure_pw_binary}.", code="ftp_error") from None
    if result.returncode != 0:
        raise DriverError(f"pure-pw mkdb failed: {(result.stderr or result.stdout)[:300]}", code="ftp_error")
