"""The SSRF rules of webhook delivery: addresses are checked after resolution, at connect time, and a refused
address is never connected to. Private ranges are only ever checked here, never contacted: the only sockets these
tests open are on loopback."""

from __future__ import annotations

import pytest

from apps.events import outbound
from apps.events.models import AttemptOutcome, WebhookAttempt
from apps.events.services import create_webhook
from apps.ipwhitelist.services import add_whitelist_entry


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped: what the socket really reaches
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("0.0.0.0", "reserved"),
        ("0.1.2.3", "reserved"),
        ("224.0.0.1", "reserved"),
        ("240.0.0.1", "reserved"),
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
    ],
)
def test_non_public_addresses_are_refused(address, reason):
    assert reason in outbound.refusal(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "2606:4700::6810:84e5"])
def test_public_addresses_are_allowed(address, settings):
    settings.PANEEL_WEBHOOK_ALLOW_PUBLIC = True  # the default; the test settings turn it off (nothing leaves here)
    assert outbound.refusal(address) is None


def test_with_public_addresses_off_only_the_allowed_networks_are_reached(settings):
    settings.PANEEL_WEBHOOK_ALLOW_PUBLIC = False
    settings.PANEEL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    assert "public addresses are off" in outbound.refusal("8.8.8.8")
    assert outbound.refusal("127.0.0.1") is None


def test_allow_private_opens_private_ranges_only(settings):
    settings.PANEEL_WEBHOOK_ALLOW_PRIVATE = True
    assert outbound.refusal("10.1.2.3") is None
    assert outbound.refusal("192.168.1.1") is None
    assert outbound.refusal("fd12:3456::1") is None
    assert "loopback" in outbound.refusal("127.0.0.1")
    assert "link-local" in outbound.refusal("169.254.10.1")
    assert "metadata" in outbound.refusal("169.254.169.254")
    assert "reserved" in outbound.refusal("0.0.0.0")


def test_allowed_networks_open_exactly_those_but_never_metadata(settings):
    settings.PANEEL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32", "169.254.0.0/16"]
    assert outbound.refusal("127.0.0.1") is None
    assert "loopback" in outbound.refusal("127.0.0.2")
    assert "metadata" in outbound.refusal("169.254.169.254")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "file:///etc/passwd",
        "gopher://example.com/",
        "http://user:pw@example.com/",
        "http:///nohost",
        "http://example.com:99999/",
        "http://127.0.0.1/",
        "http://[::1]:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/hook",
    ],
)
def test_bad_urls_are_refused_when_the_webhook_is_made(url, full_a):
    from apps.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        create_webhook(principal=full_a, url=url, event_types=["*"])
    assert caught.value.field == "url"


def test_a_name_resolving_to_loopback_is_refused_at_connect_time_without_connecting(listener):
    with pytest.raises(outbound.Refused, match="127.0.0.1, a loopback address"):
        outbound.post(f"http://localhost:{listener.port}/hook", b"{}", {})
    assert not listener.connected()


def test_a_refused_delivery_is_recorded_and_nothing_connects(full_a, listener, django_capture_on_commit_callbacks):
    """A webhook made while its host resolved elsewhere (or by name): its attempt is blocked, not sent."""
    create_webhook(principal=full_a, url=f"http://localhost:{listener.port}/hook", event_types=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        add_whitelist_entry(principal=full_a, cidr="203.0.113.9")
    attempt = WebhookAttempt.objects.get(delivery__event__type="whitelist_entry.add")
    assert attempt.outcome == AttemptOutcome.BLOCKED
    assert "loopback" in attempt.error
    assert attempt.response_code is None
    assert not listener.connected()


def test_connection_goes_to_the_checked_address_with_the_urls_host(receiver):
    """`localhost` is resolved once, checked, and the socket opened to that address; Host stays the URL's."""
    target = receiver()
    answer = outbound.post(f"http://localhost:{target.port}/pinned", b"{}", {"Content-Type": "application/json"})
    assert answer.status == 200 and answer.address == "127.0.0.1"
    assert target.received[0].headers["host"] == f"localhost:{target.port}"
