"""``ownergate serve`` as a user runs it: a process listening on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNERGATE_")}
    env.update(OWNERGATE_DATA_DIR=str(tmp_path), **extra)
    return env


@pytest.mark.slow
def test_serve_answers_on_the_given_port_and_stops_on_sigint(tmp_path: Path) -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ownergate", "serve", "--port", str(port)],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "ownergate serve did not come up"
                time.sleep(0.1)
        assert response.status_code == 200
        assert "server" not in response.headers
        document = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
        assert document["info"]["title"] == "ownergate"
        # The store is made (SQLite in the data directory) and migrated at start-up.
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"database": "up"}
        assert (tmp_path / "ownergate.db").is_file()
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    assert process.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output


def test_serve_refuses_bad_settings_in_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ownergate", "serve", "--port", str(_free_port())],
        env=_env(tmp_path, OWNERGATE_API_MAX_BODY_BYTES="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
