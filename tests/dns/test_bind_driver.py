"""The zone file driver (no DNS server configured): a BIND master file that `named-checkzone` accepts, replaced
only by one it accepts too."""

from __future__ import annotations

import subprocess

import pytest

from apps.dns.drivers import BindZoneDriver, ZoneSpec
from apps.dns.records import WireRecord
from apps.provisioning.drivers.base import DriverError
from tests.stack.daemons import need

pytestmark = pytest.mark.stack


def spec(*records: WireRecord, serial: int = 1) -> ZoneSpec:
    return ZoneSpec("files.example", serial, "ns1.example.net", "hostmaster.files.example", records)


NS = WireRecord("files.example.", "NS", 3600, "ns1.example.net.")


def test_the_zone_file_passes_named_checkzone(tmp_path):
    tools = need("named-checkzone")
    driver = BindZoneDriver(root=tmp_path)
    driver.apply(
        spec(
            NS,
            WireRecord("files.example.", "A", 300, "192.0.2.1"),
            WireRecord("files.example.", "TXT", 300, '"v=spf1 a mx ~all"'),
            WireRecord("_sip._tcp.files.example.", "SRV", 300, "10 0 5060 sip.example.net."),
            WireRecord("files.example.", "CAA", 300, '0 issue "letsencrypt.org"'),
            WireRecord("files.example.", "ALIAS", 300, "elsewhere.example.net."),
        )
    )
    path = tmp_path / "dns" / "files.example.zone"
    checked = subprocess.run([tools["named-checkzone"], "files.example", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    assert "serial 1" in checked.stdout
    assert "; files.example. 300 IN ALIAS elsewhere.example.net." in path.read_text()


def test_a_zone_named_checkzone_refuses_leaves_the_old_file(tmp_path):
    need("named-checkzone")
    driver = BindZoneDriver(root=tmp_path)
    driver.apply(spec(NS, serial=1))
    before = (tmp_path / "dns" / "files.example.zone").read_text()
    with pytest.raises(DriverError) as refused:
        driver.apply(
            spec(
                NS,
                WireRecord("www.files.example.", "CNAME", 300, "a.example."),
                WireRecord("www.files.example.", "A", 300, "192.0.2.1"),
                serial=2,
            )
        )
    assert refused.value.code == "invalid_spec" and "CNAME" in refused.value.detail
    assert (tmp_path / "dns" / "files.example.zone").read_text() == before
    assert [p.name for p in (tmp_path / "dns").iterdir()] == ["files.example.zone"]
    driver.delete("files.example")
    driver.delete("files.example")
    assert not (tmp_path / "dns" / "files.example.zone").exists()
