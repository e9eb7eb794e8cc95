"""Real HTTP for tests: an ASGI app served by uvicorn on a free loopback port.

    with serving(create_app(settings, services=...)) as base_url:
        httpx.get(f"{base_url}/healthz")

The server runs in a background thread of the test process (so tests can reach the app's
state, e.g. its key cache) on a socket bound before the thread starts, so there is no race
for the port; it is ready once uvicorn has run the app's startup, and is shut down, with its
lifespan's shutdown, when the block ends.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from starlette.types import ASGIApp

HOST = "127.0.0.1"
START_TIMEOUT_SECONDS = 15.0
STOP_TIMEOUT_SECONDS = 15.0


@contextmanager
def serving(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and yield its base URL (``http://127.0.0.1:PORT``)."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that name it, and
    # without it Nagle's algorithm and delayed ACKs add 40 ms to every response.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,  # leave the test run's logging (and caplog) alone
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
        # uvicorn would otherwise rewrite the peer from X-Forwarded-For itself (it trusts
        # 127.0.0.1 by default), before any app sees the connection's real peer.
        proxy_headers=False,
    )
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # SystemExit on a failed startup, too
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, failure)
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(STOP_TIMEOUT_SECONDS)
        sock.close()
        if thread.is_alive():
            raise RuntimeError(f"uvicorn on port {port} did not stop")


def _wait_started(
    server: uvicorn.Server, thread: threading.Thread, failure: list[BaseException]
) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"uvicorn failed to start: {failure[0] if failure else '?'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("uvicorn did not start in time")
        time.sleep(0.01)
