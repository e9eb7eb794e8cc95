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

from tests.ip_data import bundled_data_dir


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


def _peer_logged(tmp_path: Path, ip_dir: Path, **extra: str) -> str:
    """The client address ``ownergate serve`` logs for a request from 127.0.0.1 that
    claims ``X-Forwarded-For: 203.0.113.9``."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ownergate", "serve", "--port", str(port)],
        env=_env(tmp_path, OWNERGATE_IP_DATA_DIR=str(ip_dir), **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/healthz",
                    headers={"X-Forwarded-For": "203.0.113.9"},
                    timeout=1,
                )
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "ownergate serve did not come up"
                time.sleep(0.1)
        assert response.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    (line,) = [x for x in output.splitlines() if "GET /healthz" in x]
    return line.split(" - ")[0].split()[-1].rsplit(":", 1)[0]


@pytest.mark.slow
def test_serve_trusts_forwarded_addresses_only_from_the_configured_proxies(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # One setting, OWNERGATE_TRUSTED_PROXIES, for uvicorn and the gate: by default no
    # proxy is trusted, so a client on 127.0.0.1 cannot claim another address.
    ip_dir = bundled_data_dir(tmp_path_factory)
    assert _peer_logged(tmp_path / "a", ip_dir) == "127.0.0.1"
    trusted = _peer_logged(tmp_path / "b", ip_dir, OWNERGATE_TRUSTED_PROXIES="127.0.0.0/8")
    assert trusted == "203.0.113.9"


def test_a_bad_trusted_proxy_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ownergate", "serve", "--port", str(_free_port())],
        env=_env(tmp_path, OWNERGATE_TRUSTED_PROXIES="10.0.0.0/8, not-an-address"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "'not-an-address' is not an IP network" in result.stderr
