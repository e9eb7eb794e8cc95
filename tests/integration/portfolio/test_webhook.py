"""The webhook sink against a real HTTP server on 127.0.0.1.

The receiver answers from a script (a list of statuses, then 200 for good) and records every
request, so each test states what the network does and checks what the sink sent. A fake
``sleep`` records the backoff instead of waiting it out.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ownergate.errors import InputError
from ownergate.portfolio.events import WebhookError, WebhookSink, open_sinks

EVENTS = [{"account": f"A{i}", "after": "deny"} for i in range(5)]


@dataclass
class Receiver:
    url: str
    # Answers for the next requests: a status, or a status with headers.
    script: list[int | tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def bodies(self) -> list[Any]:
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # urllib honours proxy variables; the loopback server must be reached directly.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                state.requests.append((dict(self.headers), body))
                answer = state.script.pop(0) if state.script else 200
            status, headers = answer if isinstance(answer, tuple) else (answer, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/flips"
    # A short poll interval so shutdown() does not keep each test waiting half a second.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def sleeps() -> list[float]:
    return []


def sink(url: str, sleeps: list[float], **options: Any) -> WebhookSink:
    return WebhookSink(url, sleep=sleeps.append, timeout=2.0, **options)


def test_events_are_posted_in_batches(receiver: Receiver, sleeps: list[float]) -> None:
    sink(receiver.url, sleeps, batch=2).emit(EVENTS)

    assert receiver.bodies() == [
        {"events": EVENTS[0:2]},
        {"events": EVENTS[2:4]},
        {"events": EVENTS[4:5]},
    ]
    assert all(h["Content-Type"] == "application/json" for h, _ in receiver.requests)
    assert sleeps == []


def test_idempotency_key_is_the_sha256_of_the_body(receiver: Receiver, sleeps: list[float]) -> None:
    receiver.script = [503]
    sink(receiver.url, sleeps).emit(EVENTS)

    (first_headers, body), (retry_headers, retry_body) = receiver.requests
    assert first_headers["Idempotency-Key"] == hashlib.sha256(body).hexdigest()
    # The retry is the same batch, so the receiver can recognise and drop it.
    assert (retry_headers["Idempotency-Key"], retry_body) == (
        first_headers["Idempotency-Key"],
        body,
    )


def test_5xx_is_retried_with_exponential_backoff(receiver: Receiver, sleeps: list[float]) -> None:
    receiver.script = [503, 502, 500]
    sink(receiver.url, sleeps, backoff=0.5).emit(EVENTS)

    assert len(receiver.requests) == 4
    assert receiver.bodies()[-1] == {"events": EVENTS}
    assert sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(("retry_after", "expected"), [("2", 2.0), ("3600", 30.0)])
def test_retry_after_is_honoured_up_to_a_cap(
    receiver: Receiver, sleeps: list[float], retry_after: str, expected: float
) -> None:
    receiver.script = [(429, {"Retry-After": retry_after})]
    sink(receiver.url, sleeps).emit(EVENTS)

    assert len(receiver.requests) == 2
    assert sleeps == [expected]


def test_gives_up_after_the_retries(receiver: Receiver, sleeps: list[float]) -> None:
    receiver.script = [503] * 10
    with pytest.raises(WebhookError) as caught:
        sink(receiver.url, sleeps, batch=2, retries=2).emit(EVENTS)

    assert len(receiver.requests) == 3  # the first batch, tried 1 + 2 times
    message = str(caught.value)
    assert receiver.url in message
    assert "503" in message
    assert "5 of 5 event(s) not delivered" in message


def test_undelivered_count_excludes_batches_already_delivered(
    receiver: Receiver, sleeps: list[float]
) -> None:
    receiver.script = [200, 503]
    with pytest.raises(WebhookError, match="3 of 5 event"):
        sink(receiver.url, sleeps, batch=2, retries=0).emit(EVENTS)


def test_a_400_is_not_retried(receiver: Receiver, sleeps: list[float]) -> None:
    receiver.script = [400]
    with pytest.raises(WebhookError, match="HTTP 400"):
        sink(receiver.url, sleeps).emit(EVENTS)

    assert len(receiver.requests) == 1
    assert sleeps == []


def test_connection_refused_is_retried_then_fails(sleeps: list[float]) -> None:
    # A bound socket that never listens: connecting to it is refused, and no other process
    # can take the port while the test runs.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/hooks"
        with pytest.raises(WebhookError) as caught:
            sink(url, sleeps, retries=2, backoff=0.1).emit(EVENTS)

    assert sleeps == [0.1, 0.2]
    assert url in str(caught.value)
    assert "refused" in str(caught.value).lower()


@pytest.mark.parametrize("url", ["ftp://example.com/hooks", "file:///tmp/x", "not a url"])
def test_only_http_urls_are_accepted(url: str) -> None:
    with pytest.raises(InputError) as caught:
        open_sinks(None, url)
    assert caught.value.field == "webhook"
