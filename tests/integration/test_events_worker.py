"""Events and webhooks across processes: two processes acknowledging the same events at once (each event is
acknowledged exactly once, and neither lists it afterwards), and a real `db_worker` delivering webhooks to a
receiver on loopback, retrying after a 500 with the task backend's deferred run (`run_after`)."""

from __future__ import annotations

import json
import threading

import pytest

from tests.events.receiver import Receiver, verify_standard_webhook
from tests.integration.conftest import Control

pytestmark = pytest.mark.slow

FTP_PASSWORD = "Ftpsecret1"


def test_two_processes_acknowledging_the_same_events_each_acknowledge_them_once(stack):
    pack = stack.control.call("setup_reseller", slug="alpha")["servicepack_id"]
    for n in range(4):
        stack.control.call(
            "create_account",
            slug="alpha",
            identifier=f"shop{n}.example",
            servicepack_id=pack,
            ftp_password=FTP_PASSWORD,
        )
    ids = stack.control.call("pending_event_ids", slug="alpha")
    assert len(ids) >= 5
    other = Control(stack.env, stack.directory / "control-2.log")
    try:
        results: dict[str, list[int]] = {}
        start = threading.Barrier(2)

        def ack(name: str, control: Control) -> None:
            start.wait()
            results[name] = control.call("ack_events", slug="alpha", event_ids=ids)

        threads = [threading.Thread(target=ack, args=(n, c)) for n, c in (("one", stack.control), ("two", other))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert results == {"one": sorted(ids), "two": sorted(ids)}
        # Between them they set each acknowledgement once: the first one stands.
        assert sum(stack.control.call("newly_acknowledged")) == len(ids)
        assert stack.control.call("pending_event_ids", slug="alpha") == []
        assert other.call("pending_event_ids", slug="alpha") == []
        seen_here = stack.control.call("acknowledged_at", event_ids=ids)
        assert seen_here == other.call("acknowledged_at", event_ids=ids)
        assert all(seen_here.values())
    finally:
        other.close()


def test_worker_delivers_signed_webhooks_and_retries_after_a_500(stack):
    receiver = Receiver([(500, b"not now"), (204, b"")], per_message=True)
    try:
        stack.env.update(PANEEL_WEBHOOK_ALLOWED_NETWORKS="127.0.0.1/32", PANEEL_WEBHOOK_RETRY_BASE_SECONDS="1")
        pack = stack.control.call("setup_reseller", slug="alpha")["servicepack_id"]
        hook = stack.control.call(
            "create_webhook", slug="alpha", url=receiver.url, event_types=["account.*", "provisioning_job.*"]
        )
        stack.control.call(
            "create_account", slug="alpha", identifier="shop.example", servicepack_id=pack, ftp_password=FTP_PASSWORD
        )
        stack.start_worker()

        def all_delivered():
            found = stack.control.call("deliveries", webhook_id=hook["webhook_id"])
            # The account's creation, and the ends of its job and of its DNS zone's job.
            return len(found) == 3 and all(d["status"] == "succeeded" for d in found) and found

        found = stack.wait_for("the three deliveries to succeed", all_delivered, timeout=40)
        for delivery in found:
            assert delivery["attempts"] == [[1, "http_error", 500], [2, "success", 204]]
        types = sorted(json.loads(r.body)["type"] for r in receiver.received)
        assert types == ["account.create"] * 2 + ["provisioning_job.finished"] * 4
        for message_id in {d["message_id"] for d in found}:
            tries = [r for r in receiver.received if r.headers["webhook-id"] == message_id]
            assert len(tries) == 2
            assert tries[1].at - tries[0].at >= 0.9  # the backoff (1 s here) was waited out
            assert all(verify_standard_webhook(hook["secret"], r.headers, r.body) for r in tries)
    finally:
        receiver.close()
