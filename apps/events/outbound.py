"""SSRF-safe outbound HTTP for webhooks.

The URL's host is resolved at connect time, every address it resolves to is checked (loopback, private,
link-local, cloud metadata, multicast, reserved and unspecified ranges are refused), and the connection is made to
the checked address itself, with the URL's host in the `Host` header and as the TLS server name: a name that
resolves to something else a moment later (DNS rebinding) is never looked up again. Redirects are not followed,
timeouts are short and only a small prefix of the response body is read.

`PANEEL_WEBHOOK_ALLOW_PRIVATE` lets private ranges through (on-premise receivers); `PANEEL_WEBHOOK_ALLOWED_NETWORKS`
lists networks allowed whatever their range. Metadata addresses are refused even then. With
`PANEEL_WEBHOOK_ALLOW_PUBLIC` off (the test settings), only the allowed networks are reached at all.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

RESPONSE_PREFIX_BYTES = 512
METADATA_NETWORKS = [
    ipaddress.ip_network(net)
    for net in ("169.254.169.254/32", "169.254.170.2/32", "100.100.100.200/32", "fd00:ec2::254/128")
]
# "This network": 0.0.0.0/8 reaches the host itself on Linux, whatever `is_private` says.
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
# Carrier-grade NAT and the IPv6 ranges Python's `is_private` leaves out that reach no public host.
EXTRA_PRIVATE_NETWORKS = [ipaddress.ip_network(net) for net in ("100.64.0.0/10",)]
NAT64 = ipaddress.ip_network("64:ff9b::/96")
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL or an address it resolves to may not be used: no connection was made."""


@dataclass(frozen=True)
class Answer:
    status: int
    body_prefix: str
    address: str


def embedded_ipv4(address: IpAddress) -> IpAddress:
    """The IPv4 address inside an IPv4-mapped or NAT64 IPv6 address (what the connection really reaches)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def allowed_networks() -> list:
    return [ipaddress.ip_network(net.strip(), strict=False) for net in settings.PANEEL_WEBHOOK_ALLOWED_NETWORKS if net]


def refusal(address: str) -> str | None:
    """Why `address` may not be connected to, or None when it may."""
    ip = embedded_ipv4(ipaddress.ip_address(address.split("%", 1)[0]))
    if any(ip in net for net in METADATA_NETWORKS):
        return "a cloud metadata address"
    if any(ip.version == net.version and ip in net for net in allowed_networks()):
        return None
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast or ip.is_unspecified or ip.is_reserved or (ip.version == 4 and ip in THIS_NETWORK):
        return "a reserved address"
    if ip.is_private or any(ip.version == net.version and ip in net for net in EXTRA_PRIVATE_NETWORKS):
        return None if settings.PANEEL_WEBHOOK_ALLOW_PRIVATE else "a private address"
    if not ip.is_global:
        return "a non-public address"
    if not settings.PANEEL_WEBHOOK_ALLOW_PUBLIC:
        return "outside PANEEL_WEBHOOK_ALLOWED_NETWORKS (public addresses are off)"
    return None


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path?query) of an http(s) URL, or `Refused`."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise Refused(f"not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise Refused("only http and https URLs are allowed")
    if not parts.hostname:
        raise Refused("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise Refused("the URL may not carry a user name or password")
    if any(ch.isspace() for ch in url):
        raise Refused("the URL may not contain spaces")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), target


def check_literal(url: str) -> None:
    """Refuse at once a URL that is not http(s) or whose host is a refused IP address (names wait for connect time)."""
    _, host, _, _ = split_url(url)
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    reason = refusal(host)
    if reason:
        raise Refused(f"{host} is {reason}")


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, each checked; `Refused` if any is refused (or none is found)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve ({exc})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise Refused(f"{host} resolves to {address}, {reason}")
    if not addresses:
        raise Refused(f"{host} does not resolve")
    return addresses


class PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to a checked address, not to whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `PinnedHTTPConnection`, with TLS verified against the URL's host name (SNI and certificate)."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` under the SSRF rules. `Refused` before any connection; `OSError` when none succeeds."""
    scheme, host, port, target = split_url(url)
    timeout = settings.PANEEL_WEBHOOK_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout
    last_error: OSError | None = None
    for address in resolve(host, port):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection_class = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
        connection = connection_class(host, port, address, timeout=remaining)
        try:
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            prefix = response.read(RESPONSE_PREFIX_BYTES)
            return Answer(response.status, prefix.decode("utf-8", errors="replace"), address)
        except (OSError, http.client.HTTPException) as exc:
            last_error = exc if isinstance(exc, OSError) else OSError(str(exc) or type(exc).__name__)
        finally:
            connection.close()
    raise last_error or OSError("connection timed out")
