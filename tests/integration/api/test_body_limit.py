"""Request bodies over the limit are refused with 413 over real HTTP, whether declared by
Content-Length or streamed in chunks, before the server reads them whole."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from ownergate.api import Role
from tests.integration.api.conftest import TEST_BODY_LIMIT
from tests.integration.api.keyring_fixture import bearer

JSON = {**bearer(Role.VIEWER), "content-type": "application/json"}


def _assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "payload-too-large"
    assert str(TEST_BODY_LIMIT) in problem["detail"]


def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs(
    client: httpx.Client,
) -> None:
    response = client.post("/v1/faults/echo", content=b"{" * (TEST_BODY_LIMIT + 1), headers=JSON)
    _assert_413(response)
    # Refused before authentication, routing, or any route could act on it.
    response = client.request("DELETE", "/v1/samples/s1", content=b" " * (TEST_BODY_LIMIT + 1))
    _assert_413(response)


def test_a_body_at_the_limit_is_read(client: httpx.Client) -> None:
    body = b'{"name": "Acme", "count": 1}'
    padded = body + b" " * (TEST_BODY_LIMIT - len(body))
    assert client.post("/v1/faults/echo", content=padded, headers=JSON).status_code == 200


class Chunks:
    """A chunked body (no Content-Length) of up to ``total`` bytes; counts what was taken."""

    def __init__(self, total: int, chunk: int = 16 * 1024) -> None:
        self.total, self.chunk, self.sent = total, chunk, 0

    def __iter__(self) -> Iterator[bytes]:
        while self.sent < self.total:
            self.sent += self.chunk
            yield b" " * self.chunk


def test_a_streamed_body_is_refused_once_it_passes_the_limit(client: httpx.Client) -> None:
    total = 64 * 1024 * 1024
    body = Chunks(total)
    response = client.post("/v1/faults/echo", content=iter(body), headers=JSON)
    _assert_413(response)
    assert "content-length" not in response.request.headers
    # The server answered long before the 64 MiB were sent (socket buffers hold a few MiB).
    assert body.sent < total // 2


def test_a_streamed_body_under_the_limit_is_read(client: httpx.Client) -> None:
    def parts() -> Iterator[bytes]:
        yield b'{"name": "Acme",'
        yield b' "count": 3}'

    response = client.post("/v1/faults/echo", content=parts(), headers=JSON)
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_the_connection_is_closed_after_a_refusal(client: httpx.Client) -> None:
    response = client.post("/v1/faults/echo", content=b"x" * (TEST_BODY_LIMIT + 1), headers=JSON)
    _assert_413(response)
    assert response.headers["connection"] == "close"
    # The client reconnects transparently for the next request.
    assert client.get("/healthz").status_code == 200
