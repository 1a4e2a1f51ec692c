"""DNS drivers: make a zone real on a DNS server. Plain data in (`ZoneSpec`), no Django models.

- `PowerDnsDriver` talks to PowerDNS's HTTP API (the server's `services`: `pdns_api_url`, `pdns_api_key`,
  `pdns_server_id`); every `apply` replaces the zone's record sets with the spec's and deletes the others, so
  running it twice gives the same zone.
- `BindZoneDriver` writes a BIND master file `<root>/dns/<zone>.zone`, checked by `named-checkzone` before it
  replaces the old file (used when no PowerDNS is configured, e.g. `make run`).

`get_zone_driver(server)` picks PowerDNS when the server names an API URL, else the zone file driver.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from apps.dns.records import WireRecord
from apps.provisioning.drivers.base import DriverError, ServerInfo
from apps.provisioning.drivers.local import fitting_file_name

SOA_TIMERS = "10800 3600 604800 3600"  # refresh, retry, expire, negative-caching TTL


@dataclass(frozen=True)
class ZoneSpec:
    """A whole zone: `name` without the final dot, the SOA's serial and primary, the records (SOA excluded)."""

    name: str
    serial: int
    primary_ns: str
    hostmaster: str
    records: tuple[WireRecord, ...] = field(default_factory=tuple)
    ttl: int = 3600

    @property
    def soa(self) -> WireRecord:
        content = f"{self.primary_ns}. {self.hostmaster.replace('@', '.')}. {self.serial} {SOA_TIMERS}"
        return WireRecord(f"{self.name}.", "SOA", self.ttl, content)


class ZoneDriver:
    """The interface: `apply` a zone as a whole, `delete` it; both idempotent, failures are `DriverError`."""

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> ZoneDriver:
        raise NotImplementedError

    def apply(self, spec: ZoneSpec) -> None:
        raise NotImplementedError

    def delete(self, zone_name: str) -> None:
        raise NotImplementedError


class PowerDnsDriver(ZoneDriver):
    def __init__(self, api_url: str, api_key: str, server_id: str = "localhost", timeout: float = 10.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.api_key = api_key
        self.server_id = server_id
        self.timeout = timeout

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> PowerDnsDriver:
        services = server.services if server is not None else {}
        if not services.get("pdns_api_url"):
            raise DriverError("The DNS server has no pdns_api_url in its services.", code="no_driver")
        return cls(
            services["pdns_api_url"],
            str(services.get("pdns_api_key", "")),
            str(services.get("pdns_server_id", "localhost")),
        )

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict | list | None]:
        if not self.api_url.startswith(("http://", "https://")):
            raise DriverError(f"pdns_api_url must be an http(s) URL, not {self.api_url!r}.", code="invalid_spec")
        url = f"{self.api_url}/api/v1/servers/{urllib.parse.quote(self.server_id)}{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (http(s) checked above)
        request.add_header("X-API-Key", self.api_key)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                detail = json.loads(raw).get("error", raw.decode(errors="replace"))
            except (ValueError, AttributeError):
                detail = raw.decode(errors="replace")
            if exc.code == 404:
                return 404, None
            raise DriverError(f"PowerDNS refused {method} {path}: {exc.code} {detail}", code="pdns_error") from None
        except (urllib.error.URLError, OSError) as exc:
            raise DriverError(f"PowerDNS at {self.api_url} is unreachable: {exc}", code="pdns_error") from None

    @staticmethod
    def rrsets(spec: ZoneSpec) -> dict[tuple[str, str], dict]:
        grouped: dict[tuple[str, str], list[WireRecord]] = defaultdict(list)
        for record in (spec.soa, *(r for r in spec.records if r.type != "SOA")):
            grouped[(record.name, record.type)].append(record)
        return {
            key: {
                "name": key[0],
                "type": key[1],
                "ttl": min(r.ttl for r in records),
                "records": [{"content": c, "disabled": False} for c in sorted({r.content for r in records})],
            }
            for key, records in grouped.items()
        }

    def zone_path(self, zone_name: str) -> str:
        return "/zones/" + urllib.parse.quote(f"{zone_name}.")

    def apply(self, spec: ZoneSpec) -> None:
        wanted = self.rrsets(spec)
        status, zone = self.request("GET", self.zone_path(spec.name))
        if status == 404:
            self.request(
                "POST",
                "/zones",
                {
                    "name": f"{spec.name}.",
                    "kind": "Native",
                    "nameservers": [],
                    "soa_edit_api": "",  # the serial is ours (the zone's), not PowerDNS's
                    "rrsets": list(wanted.values()),
                },
            )
            return
        present = {(r["name"], r["type"]) for r in (zone or {}).get("rrsets", [])}
        changes = [{**rrset, "changetype": "REPLACE"} for rrset in wanted.values()]
        changes += [
            {"name": name, "type": rtype, "changetype": "DELETE"} for name, rtype in sorted(present - set(wanted))
        ]
        self.request("PATCH", self.zone_path(spec.name), {"rrsets": changes})

    def delete(self, zone_name: str) -> None:
        self.request("DELETE", self.zone_path(zone_name))


class BindZoneDriver(ZoneDriver):
    """Zone files under `<root>/dns/`; `named-checkzone` (bind9-utils) must accept a file before it is used."""

    def __init__(self, root: Path | None = None, checkzone: str | None = None) -> None:
        if root is None:
            from django.conf import settings

            root = Path(settings.PANEEL_PROVISIONING_ROOT)
        self.directory = Path(root).absolute() / "dns"
        self.checkzone = checkzone or shutil.which("named-checkzone")

    @classmethod
    def for_server(cls, server: ServerInfo | None) -> BindZoneDriver:
        services = server.services if server is not None else {}
        return cls(
            root=Path(server.root) if server is not None and server.root else None,
            checkzone=services.get("named_checkzone"),
        )

    def path(self, zone_name: str) -> Path:
        if "/" in zone_name or zone_name.startswith("."):
            raise DriverError(f"{zone_name!r} is not a zone name.", code="invalid_spec")
        # A zone of a long domain (251-253 characters) would not fit one file name with its suffix.
        return self.directory / fitting_file_name(zone_name, ".zone")

    @staticmethod
    def render(spec: ZoneSpec) -> str:
        lines = [
            "; Written by Paneel; changes here are overwritten.",
            f"$ORIGIN {spec.name}.",
            f"$TTL {spec.ttl}",
        ]
        for record in (spec.soa, *spec.records):
            line = f"{record.name} {record.ttl} IN {record.type} {record.content}"
            if record.type == "ALIAS":  # not a BIND type: PowerDNS answers it; kept here for the reader
                line = "; " + line
            lines.append(line)
        return "\n".join(lines) + "\n"

    def apply(self, spec: ZoneSpec) -> None:
        target = self.path(spec.name)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".", suffix=".zone")
            with os.fdopen(fd, "w") as handle:
                handle.write(self.render(spec))
        except OSError as exc:
            raise DriverError(f"Cannot write the zone file of {spec.name}: {exc}") from None
        try:
            if self.checkzone:
                checked = subprocess.run(  # noqa: S603 (argument list, no shell)
                    [self.checkzone, "-q", "-k", "fail", "-i", "local", spec.name, temporary],
                    capture_output=True,
                    text=True,
                    timeout=30,
                )
                if checked.returncode != 0:
                    report = subprocess.run(  # noqa: S603
                        [self.checkzone, "-k", "fail", "-i", "local", spec.name, temporary],
                        capture_output=True,
                        text=True,
                        timeout=30,
                    )
                    detail = (report.stdout + report.stderr).strip().replace(temporary, f"{spec.name}.zone")
                    raise DriverError(f"named-checkzone refused the zone {spec.name}: {detail}", code="invalid_spec")
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def delete(self, zone_name: str) -> None:
        self.path(zone_name).unlink(missing_ok=True)


def get_zone_driver(server: ServerInfo | None) -> ZoneDriver:
    """PowerDNS when the server's services name `pdns_api_url`; otherwise BIND zone files (or the class named by
    `PANEEL_DRIVER_DNS`)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    configured = getattr(settings, "PANEEL_DRIVER_DNS", "")
    if configured:
        return import_string(configured).for_server(server)
    if server is not None and server.services.get("pdns_api_url"):
        return PowerDnsDriver.for_server(server)
    return BindZoneDriver.for_server(server)
