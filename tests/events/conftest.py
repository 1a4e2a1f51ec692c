"""Fixtures of the events suites: a loopback webhook receiver (loopback allowed for it), and a listener that
proves no connection is made."""

from __future__ import annotations

import socket

import pytest

from tests.events.receiver import Receiver


@pytest.fixture
def receiver(settings):
    """`receiver(responses=..., delay=...)`: a loopback receiver; 127.0.0.1 is allowed as webhook target for it."""
    settings.PANEEL_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32", "::1/128"]
    made = []

    def make(*args, **kwargs) -> Receiver:
        made.append(Receiver(*args, **kwargs))
        return made[-1]

    yield make
    for one in made:
        one.close()


@pytest.fixture
def listener():
    """A listening socket on loopback that nothing should ever connect to: `connected()` tells if something did."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(5)
    sock.setblocking(False)

    class Listener:
        port = sock.getsockname()[1]

        def connected(self) -> bool:
            try:
                conn, _ = sock.accept()
            except BlockingIOError:
                return False
            conn.close()
            return True

    yield Listener()
    sock.close()
