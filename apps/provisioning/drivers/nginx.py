"""nginx: one file per hosting with a server block per site (the main site, then its subsites).

Every block answers the site's name and its enabled host headers, serves `/.well-known/acme-challenge/` from
`<root>/acme-challenges/` (also while suspended, for HTTP-01), switches gzip on or off, and passes PHP to the
hosting's own PHP-FPM pool. A suspended hosting answers 503 with the suspension page.

HTTPS: with `ssl_enabled`, each of the site's names (its own and its host headers) that has a certificate in
`<root>/ssl/<name>/{fullchain,privkey}.pem` (written by the certificate job) gets an HTTPS server block of its own
on the HTTPS port (HTTP/2 if enabled) with the site's body. That block also answers the site's names without a
certificate of their own that its certificate's subjectAltName covers (e.g. `www.` in a certificate for both),
so no name is in two HTTPS blocks (nginx would warn of a conflicting server name and use only the first).
`https_redirect_enabled` turns plain HTTP into a 301 for the names served over HTTPS only: a name without a
certificate keeps being served over plain HTTP, since https for it would present a certificate for another name.

`apply_config` writes the file, runs ``nginx -t`` and only then reloads; when the test fails the previous file
is put back, so an invalid configuration never reaches the running nginx. The certificate job, after writing a
certificate, re-applies the hosting through its driver (`update`), which rewrites the blocks with the new
certificate. Each HTTPS block names the SHA-256 of its certificate chain in a comment: a renewed certificate
keeps its paths, and without that line the file would stay byte for byte the same, so nginx would never reload
and would go on presenting the old certificate until it expired.

HTTP/2: nginx 1.25.1 and later switch it per server (``http2 on|off``); older nginx (Debian 12 has 1.22) only per
listening socket, so there a site with HTTP/2 enables it for every HTTPS site on the same address and port.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import subprocess
import time
from pathlib import Path

from cryptography import x509

from apps.provisioning.drivers.base import DriverError

GZIP_TYPES = (
    "text/plain text/css text/xml text/javascript application/javascript application/json application/xml "
    "application/rss+xml image/svg+xml"
)


@functools.lru_cache(maxsize=8)
def nginx_version(binary: str) -> tuple[int, ...]:
    """The version of the nginx at `binary`, e.g. (1, 22, 1)."""
    try:
        result = subprocess.run([binary, "-v"], capture_output=True, text=True, timeout=10, check=False)  # noqa: S603
    except FileNotFoundError:
        raise DriverError(f"nginx is not installed at {binary}.", code="nginx_error") from None
    match = re.search(r"nginx/([0-9]+)\.([0-9]+)\.([0-9]+)", result.stderr + result.stdout)
    if match is None:
        raise DriverError(f"Could not tell the version of {binary}.", code="nginx_error")
    return tuple(int(part) for part in match.groups())


def _listen(addresses, port: int, extra: str = "") -> list[str]:
    suffix = f" {extra}" if extra else ""
    if not addresses:
        return [f"    listen {port}{suffix};", f"    listen [::]:{port}{suffix};"]
    return [f"    listen {f'[{address}]' if ':' in address else address}:{port}{suffix};" for address in addresses]


def _chain_bytes(fullchain: Path) -> bytes:
    try:
        return fullchain.read_bytes()
    except OSError as exc:
        what = f"the certificate of {fullchain.parent.name}"
        raise DriverError(f"Cannot read {what}: {exc.strerror}.", code="nginx_error") from exc


def certificate_digest(fullchain: Path) -> str:
    """The SHA-256 of the certificate chain file: what changes when a certificate is renewed in place."""
    return hashlib.sha256(_chain_bytes(fullchain)).hexdigest()


def certificate_names(fullchain: Path, name: str) -> frozenset[str]:
    """The DNS names of the chain's leaf certificate (its subjectAltName) and `name`, the one it is stored for
    (alone when the file names none or is not PEM)."""
    try:
        leaf = x509.load_pem_x509_certificates(_chain_bytes(fullchain))[0]
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, IndexError, x509.ExtensionNotFound):
        return frozenset({name})
    return frozenset(str(dns).lower().rstrip(".") for dns in names.get_values_for_type(x509.DNSName)) | {name}


def _covers(names: frozenset[str], host: str) -> bool:
    """Whether a certificate for `names` is valid for `host` (a wildcard covers exactly one label)."""
    return host in names or ("." in host and "*." + host.split(".", 1)[1] in names)


def https_blocks(site, certificates: dict[str, tuple[Path, Path]]) -> list[tuple[tuple[str, ...], tuple[Path, Path]]]:
    """The site's HTTPS server blocks as (names, certificate): one per name with a certificate of its own (the
    site's name first), each also taking the names without one that its certificate covers. No name is in two."""
    if not site.ssl_enabled:
        return []
    own = [name for name in site.server_names if name in certificates]
    claimed = set(own)
    blocks = []
    for name in own:
        covered = certificate_names(certificates[name][0], name)
        names = [name] + [other for other in site.server_names if other not in claimed and _covers(covered, other)]
        claimed.update(names)
        blocks.append((tuple(names), certificates[name]))
    return blocks


def _common(hosting, config, site, names) -> list[str]:
    """What every block of `site` starts with: the names it answers, its logs, the ACME challenge directory."""
    return [
        f"    server_name {' '.join(names)};",
        f"    access_log {config.log_dir(hosting.domain_name)}/{site.name}.access.log;",
        f"    error_log {config.log_dir(hosting.domain_name)}/{site.name}.error.log;",
        "",
        "    location ^~ /.well-known/acme-challenge/ {",
        f"        alias {config.acme_dir}/;",
        "        default_type text/plain;",
        "    }",
    ]


def render_config(hosting, config, *, certificates: dict[str, tuple[Path, Path]]) -> str:
    """The hosting's nginx file. `certificates` maps a host name (a site's name or host header) to its own
    (fullchain, privkey) when it has both."""
    home = config.home(hosting.domain_name)
    per_server_http2 = nginx_version(config.nginx_binary) >= (1, 25, 1)
    blocks = [
        f"# Managed by Paneel: linux_hosting {hosting.domain_name} (account {hosting.account_identifier}).",
        "# Rewritten on every change; edit the hosting in Paneel instead.",
    ]
    for site in hosting.sites:
        if hosting.suspended:
            body = [
                "",
                "    # Suspended: every request gets 503 and the suspension page; no PHP runs.",
                f"    root {config.suspension_page.parent};",
                f"    error_page 503 /{config.suspension_page.name};",
                f"    location = /{config.suspension_page.name} {{",
                "        internal;",
                "    }",
                "    location / {",
                "        return 503;",
                "    }",
            ]
        else:
            body = [
                "",
                f"    root {home}{site.path};",
                # A link the customer made is followed only to their own files, never to another hosting's.
                "    disable_symlinks if_not_owner from=$document_root;",
                "    index index.php index.html index.htm;",
                "    client_max_body_size 64m;",
                f"    gzip {'on' if hosting.gzip_enabled else 'off'};",
            ]
            if hosting.gzip_enabled:
                body += [
                    f"    gzip_types {GZIP_TYPES};",
                    "    gzip_min_length 256;",
                    "    gzip_vary on;",
                    "    gzip_proxied any;",
                ]
            body += [
                "",
                "    location / {",
                "        try_files $uri $uri/ /index.php?$args;",
                "    }",
                "",
                "    location ~ \\.php$ {",
                "        try_files $uri =404;",
                f"        include {config.nginx_fastcgi_params};",
                "        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;",
                f"        fastcgi_pass unix:{config.php_socket(hosting)};",
                "    }",
                "",
                "    location ~ /\\.(?!well-known) {",
                "        deny all;",
                "    }",
            ]
        secured = https_blocks(site, certificates)
        certified = [name for names, _ in secured for name in names]
        plain = [name for name in site.server_names if name not in certified]
        http = _listen(config.web_listen, config.http_port)
        if certified and site.https_redirect_enabled and not hosting.suspended:
            redirect = ["", "    location / {", "        return 301 https://$host$request_uri;", "    }"]
            blocks += ["", "server {", *http, *_common(hosting, config, site, certified), *redirect, "}"]
            if plain:
                blocks += ["", "server {", *http, *_common(hosting, config, site, plain), *body, "}"]
        else:
            blocks += ["", "server {", *http, *_common(hosting, config, site, site.server_names), *body, "}"]
        for names, (fullchain, privkey) in secured:
            if per_server_http2:
                listen = _listen(config.web_listen, config.https_port, "ssl")
                listen.append(f"    http2 {'on' if site.http2_enabled else 'off'};")
            else:
                listen = _listen(config.web_listen, config.https_port, "ssl http2" if site.http2_enabled else "ssl")
            blocks += [
                "",
                "server {",
                *listen,
                f"    # Certificate chain sha256 {certificate_digest(fullchain)}.",
                f"    ssl_certificate {fullchain};",
                f"    ssl_certificate_key {privkey};",
                *_common(hosting, config, site, names),
                *body,
                "}",
            ]
    return "\n".join(blocks) + "\n"


def _run(config, *arguments: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(  # noqa: S603
            [config.nginx_binary, "-c", str(config.nginx_config), *arguments],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise DriverError(f"nginx is not installed at {config.nginx_binary}.", code="nginx_error") from None


def _last_line(result: subprocess.CompletedProcess) -> str:
    lines = [line for line in (result.stderr + result.stdout).splitlines() if "[emerg]" in line or "[error]" in line]
    return (lines or (result.stderr + result.stdout).splitlines() or ["no output"])[0][:300]


def _workers(master: int) -> set[int]:
    """The pids of the master's children (its worker processes), from /proc."""
    children = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            # The command may hold spaces and parentheses: the fields after its closing one are fixed.
            if int(stat.rpartition(")")[2].split()[1]) == master:
                children.add(int(entry))
    return children


def _master_pid(config) -> int | None:
    try:
        return int(config.nginx_pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def reload_nginx(config) -> None:
    """``nginx -t`` then ``nginx -s reload``; `DriverError` (``nginx_config_invalid`` / ``nginx_error``).

    A reload is asynchronous: this returns once the master runs new workers (which read the new configuration)
    and the old ones have stopped accepting (or after a few seconds), so the job ends with the change live.
    """
    tested = _run(config, "-t", "-q")
    if tested.returncode != 0:
        raise DriverError(f"nginx refused the configuration: {_last_line(tested)}", code="nginx_config_invalid")
    master = _master_pid(config)
    old = _workers(master) if master else set()
    reloaded = _run(config, "-s", "reload")
    if reloaded.returncode != 0:
        raise DriverError(f"nginx did not reload: {_last_line(reloaded)}", code="nginx_error")
    if not master:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        current = _workers(master)
        if current - old and not current & old:
            return
        time.sleep(0.02)


def apply_config(config, path: Path, content: str | None, write) -> bool:
    """Put `content` at `path` (None: remove it), test, reload; restore the previous file when nginx refuses.

    `write(path, content)` writes atomically. Returns False when the file already had that content (no reload).
    """
    try:
        previous: bytes | None = path.read_bytes()
    except FileNotFoundError:
        previous = None
    wanted = None if content is None else content.encode()
    if previous == wanted:
        return False
    if content is None:
        path.unlink()
    else:
        write(path, content)
    try:
        reload_nginx(config)
    except DriverError as error:
        if error.code == "nginx_config_invalid":
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                write(path, previous.decode())
        raise
    return True
