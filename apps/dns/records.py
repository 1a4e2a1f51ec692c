"""What a DNS record may hold, per type, and how it is written on the wire of PowerDNS and in a zone file.

`clean_record` turns the reference's record body into the stored fields or a `ValidationFailed` naming the field;
`presentation` renders a stored record in master-file syntax, which PowerDNS's API and `named-checkzone` share.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from apps.core.errors import FieldProblem, ValidationFailed
from apps.dns.models import RecordType

TTL_MIN, TTL_MAX, TTL_DEFAULT = 60, 86400, 3600
PRIORITY_MAX, PRIORITY_DEFAULT = 9999, 10
TXT_MAX = 4000
HOST_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Owner names may hold underscores (_dmarc, _acme-challenge, DKIM selectors) and start with a wildcard.
OWNER_LABEL = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
SRV_PROTOCOLS = {"tcp", "udp", "tls", "sctp"}
CAA_TAGS = {"issue", "issuewild", "iodef"}
# Types whose record name is chosen by the client (SRV's is `_service._protocol`).
NAMED_TYPES = set(RecordType.values) - {RecordType.SRV}


@dataclass(frozen=True)
class WireRecord:
    """A record as a DNS server takes it: absolute owner name (with the final dot), type, TTL, content."""

    name: str
    type: str
    ttl: int
    content: str


def problem(field: str, message: str) -> ValidationFailed:
    return ValidationFailed.from_problems([FieldProblem("validation_failed", message, field)])


def relative_name(value: Any, zone: str, *, field: str = "record_name") -> str:
    """The record name relative to `zone` ("" for the apex); an absolute name outside the zone is refused."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise problem(field, "Must be a host name inside the zone.")
    name = value.strip().lower()
    absolute = name.endswith(".")
    name = name.rstrip(".")
    if name in ("", "@", zone):
        return ""
    if name.endswith("." + zone):
        name = name[: -len(zone) - 1]
    elif absolute:
        raise problem(field, f"{value} is outside the zone {zone}.")
    labels = name.split(".")
    for index, label in enumerate(labels):
        if label == "*" and index == 0:
            continue
        if not OWNER_LABEL.match(label):
            raise problem(field, f"'{value}' is not a valid name: letters, digits, '-' and '_' between the dots.")
    if len(name) + 1 + len(zone) > 253:
        raise problem(field, "The full name is longer than 253 characters.")
    return name


def host_name(value: Any, field: str) -> str:
    """A fully qualified host name (the target of CNAME, MX, NS, ALIAS, SRV), without its final dot."""
    if not isinstance(value, str) or not value.strip():
        raise problem(field, "A host name is required.")
    name = value.strip().lower().rstrip(".")
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2 or not all(HOST_LABEL.match(label) for label in labels):
        raise problem(field, f"'{value}' is not a fully qualified host name.")
    return name


def integer(data: dict, key: str, low: int, high: int, default: int | None) -> int | None:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise problem(key, "Must be a whole number.")
    if not low <= value <= high:
        raise problem(key, f"Must be between {low} and {high}.")
    return value


def printable(value: str, field: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise problem(field, "Control characters are not allowed.")
    return value


def clean_content(record_type: str, value: Any) -> str:
    """The content of a non-SRV record in its stored form (host names without the final dot)."""
    if not isinstance(value, str) or not value.strip():
        raise problem("content", f"A {record_type} record needs content.")
    value = value.strip()
    if record_type == RecordType.A:
        try:
            return str(ipaddress.IPv4Address(value))
        except ValueError:
            raise problem("content", f"'{value}' is not an IPv4 address.") from None
    if record_type == RecordType.AAAA:
        try:
            return str(ipaddress.IPv6Address(value))
        except ValueError:
            raise problem("content", f"'{value}' is not an IPv6 address.") from None
    if record_type in (RecordType.CNAME, RecordType.MX, RecordType.NS, RecordType.ALIAS):
        return host_name(value, "content")
    if record_type == RecordType.TXT:
        if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
            value = value[1:-1]
        if len(value) > TXT_MAX:
            raise problem("content", f"At most {TXT_MAX} characters.")
        if not value.isascii():
            raise problem("content", "TXT content must be ASCII.")
        return printable(value, "content")
    if record_type == RecordType.CAA:
        parts = value.split(None, 2)
        if len(parts) != 3 or not parts[0].isdigit() or int(parts[0]) not in (0, 128):
            raise problem("content", 'A CAA record is "{flag} {tag} {ca}" with flag 0 or 128.')
        flag, tag, ca = int(parts[0]), parts[1].lower(), parts[2].strip().strip('"')
        if tag not in CAA_TAGS:
            raise problem("content", f"The CAA tag is one of {', '.join(sorted(CAA_TAGS))}.")
        if tag == "iodef":
            if not re.match(r"^(mailto:[^\s\"]+@[^\s\"]+|https?://[^\s\"]+)$", ca):
                raise problem("content", "An iodef CAA value is a mailto: or http(s):// URL.")
        elif ca != ";":
            host_name(ca.split(";", 1)[0].strip(), "content")
            printable(ca, "content")
            if '"' in ca or not ca.isascii():
                raise problem("content", "The CA is a domain name, optionally with parameters after ';'.")
        return f"{flag} {tag} {ca}"
    if record_type == RecordType.TLSA:
        parts = value.split()
        if (
            len(parts) != 4
            or parts[0] not in "0123"
            or parts[1] not in "01"
            or parts[2] not in "012"
            or not re.fullmatch(r"[0-9a-fA-F]{2,}", parts[3])
            or len(parts[3]) % 2
        ):
            raise problem("content", 'A TLSA record is "{usage 0-3} {selector 0-1} {matching type 0-2} {hex data}".')
        return f"{parts[0]} {parts[1]} {parts[2]} {parts[3].lower()}"
    raise problem("type", f"Unknown record type {record_type}.")


def clean_record(zone: str, data: dict, existing: dict | None = None) -> dict:
    """Validate a record body (the reference's `DnsRecord`) for `zone`; `existing` holds the stored fields of the
    record being edited. Returns the fields to store."""
    if existing is not None:
        if data.get("type") not in (None, existing["type"]) and str(data.get("type")).upper() != existing["type"]:
            raise problem("type", "The type of a record cannot change; add a new record and delete this one.")
        record_type = existing["type"]
    else:
        raw_type = data.get("type")
        if not isinstance(raw_type, str) or raw_type.upper() not in RecordType.values:
            raise problem("type", f"The type is one of {', '.join(RecordType.values)}.")
        record_type = raw_type.upper()
    merged = {**(existing or {}), **{key: value for key, value in data.items() if value is not None}}
    fields: dict[str, Any] = {
        "type": record_type,
        "ttl": integer(merged, "ttl", TTL_MIN, TTL_MAX, TTL_DEFAULT),
        "priority": None,
        "service": "",
        "protocol": "",
        "weight": None,
        "port": None,
        "target": "",
        "content": "",
        "name": "",
    }
    if record_type == RecordType.SRV:
        if existing is not None:
            for key in ("service", "protocol", "port", "target"):
                if (
                    key in data
                    and data[key] is not None
                    and str(data[key]).lower().strip("_.") != str(existing[key]).lower().strip("_.")
                ):
                    raise problem(key, f"The {key} of an SRV record cannot change; add a new record instead.")
        service = merged.get("service")
        if not isinstance(service, str) or not re.fullmatch(r"_?[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", service.lower()):
            raise problem("service", "The service is a symbolic name such as _sip or _xmpp-client.")
        protocol = merged.get("protocol") or "TCP"
        if not isinstance(protocol, str) or protocol.lower().lstrip("_") not in SRV_PROTOCOLS:
            raise problem("protocol", "The protocol is TCP, UDP, TLS or SCTP.")
        fields.update(
            service=service.lower().lstrip("_"),
            protocol=protocol.upper().lstrip("_"),
            priority=integer(merged, "priority", 0, PRIORITY_MAX, PRIORITY_DEFAULT),
            weight=integer(merged, "weight", 0, 65535, 0),
            port=integer(merged, "port", 1, 65535, None),
            target=host_name(merged.get("target"), "target"),
        )
        if fields["port"] is None:
            raise problem("port", "An SRV record needs a port.")
        return fields
    fields["name"] = relative_name(merged.get("record_name", merged.get("name")), zone)
    fields["content"] = clean_content(record_type, merged.get("content"))
    if record_type == RecordType.MX:
        fields["priority"] = integer(merged, "priority", 0, PRIORITY_MAX, PRIORITY_DEFAULT)
    if record_type == RecordType.CNAME and fields["name"] == "":
        raise problem("record_name", "The zone's apex cannot be a CNAME (use ALIAS).")
    if record_type == RecordType.NS and fields["name"] == "":
        raise problem("record_name", "The apex name servers are the platform's; NS records delegate subdomains.")
    return fields


def absolute(name: str, zone: str) -> str:
    return f"{name}.{zone}." if name else f"{zone}."


def quoted_txt(text: str) -> str:
    """TXT data as quoted strings of at most 255 characters each, with `"` and `\\` escaped."""
    chunks = [text[i : i + 255] for i in range(0, len(text), 255)] or [""]
    return " ".join('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"' for chunk in chunks)


def presentation(record: Any, zone: str) -> WireRecord:
    """The record (a `DnsRecord` or anything with its fields) in master-file syntax."""
    record_type = record.type
    if record_type == RecordType.SRV:
        owner = absolute(f"_{record.service}._{record.protocol.lower()}", zone)
        data = f"{record.priority} {record.weight} {record.port} {record.target}."
        return WireRecord(owner, record_type, record.ttl, data)
    owner = absolute(record.name, zone)
    content = record.content
    if record_type in (RecordType.CNAME, RecordType.NS, RecordType.ALIAS):
        content = f"{content}."
    elif record_type == RecordType.MX:
        content = f"{record.priority} {content}."
    elif record_type == RecordType.TXT:
        content = quoted_txt(content)
    elif record_type == RecordType.CAA:
        flag, tag, value = content.split(" ", 2)
        content = f'{flag} {tag} "{value}"'
    return WireRecord(owner, record_type, record.ttl, content)
