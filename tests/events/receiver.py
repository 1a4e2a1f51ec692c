"""A webhook receiver on loopback for the tests: records every request and answers from a script of responses.

Its signature check is written here from the Standard Webhooks specification, independently of
apps/events/signing.py, so a signing mistake there fails the tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float = 0.0  # time.monotonic() on arrival


def verify_standard_webhook(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> bool:
    """True when `webhook-signature` holds a valid `v1` signature of `id.timestamp.body` and the timestamp is fresh."""
    message_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            return True
    return False


class Receiver:
    """`Receiver(responses=[(500, b"boom"), (200, b"ok")])`: answers each request with the next response (the last
    one again once the script runs out); with `per_message`, each message (`webhook-id`) follows the script on its
    own; `delay` seconds before answering."""

    def __init__(
        self,
        responses=((200, b"ok"),),
        *,
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
        per_message: bool = False,
    ):
        self.responses = list(responses)
        self.per_message = per_message
        self.delay = delay
        self.extra_headers = headers or {}
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                request = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic())
                receiver.received.append(request)
                seen = receiver.received
                if receiver.per_message:
                    seen = [r for r in seen if r.headers.get("webhook-id") == request.headers.get("webhook-id")]
                index = min(len(seen), len(receiver.responses)) - 1
                status, payload = receiver.responses[index]
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/paneel"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
