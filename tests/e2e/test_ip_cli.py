"""``ownergate ip`` as a user runs it: a real subprocess over the bundled data (compiled
once per test process, see ``tests.ip_data``) or a small folder written here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ip_data import bundled_data_dir, tiny_folder


def run(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ownergate", "ip", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200", **env},
        timeout=300,
    )


@pytest.fixture(scope="module")
def data_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "OWNERGATE_IP_DATA_DIR": str(bundled_data_dir(tmp_path_factory)),
        "OWNERGATE_DATA_DIR": str(tmp_path_factory.mktemp("data")),
    }


def test_lookup_json_prints_one_object_per_address(data_env: dict[str, str]) -> None:
    ips = ["114.114.114.114", "223.5.5.5", "77.88.8.8", "2.144.0.1", "175.45.176.1", "8.8.8.8"]
    proc = run("lookup", *ips, "2001:4860:4860::8888", "185.220.101.1", "--json", **data_env)
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(line) for line in proc.stdout.splitlines()]
    got = {d["ip"]: d["country"] for d in docs}
    assert got == {
        "114.114.114.114": "CN",
        "223.5.5.5": "CN",
        "77.88.8.8": "RU",
        "2.144.0.1": "IR",
        "175.45.176.1": "KP",
        "8.8.8.8": "US",
        "2001:4860:4860::8888": "US",
        "185.220.101.1": "DE",
    }
    tor = docs[-1]
    assert {"name": "tor_exit", "source": "tor_exit_nodes/exits"} in tor["flags"]
    assert all(isinstance(d["flags"], list) and d["sources"] for d in docs)
    # The staleness warning comes once per command, not once per address.
    assert proc.stderr.count("warning: IP data older than") == 1
    assert "tor_exit_nodes from 2024-02-27" in proc.stderr


def test_lookup_prints_a_table_and_exits_2_on_a_malformed_address(
    data_env: dict[str, str],
) -> None:
    proc = run("lookup", "8.8.8.8", "8.8.8.999", "10.0.0.1", **data_env)
    assert proc.returncode == 2
    assert "'8.8.8.999' is not an IPv4 or IPv6 address" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "8.8.8.8" in proc.stdout and "US" in proc.stdout and "reserved" in proc.stdout


def test_sources_lists_dates_ages_and_attribution(data_env: dict[str, str]) -> None:
    proc = run("sources", **{**data_env, "OWNERGATE_IP_MAX_AGE_DAYS": "100000"})
    assert proc.returncode == 0, proc.stderr
    for name in ("ip_location_db", "x4bnet_vpn_datacenter", "cloud_ip_ranges", "tor_exit_nodes"):
        assert name in proc.stdout
    assert "2024-02-27" in proc.stdout and "CC BY 4.0" in proc.stdout and "db-ip.com" in proc.stdout
    assert "warning" not in proc.stderr


def test_update_refuses_a_bad_folder_and_takes_a_good_one(tmp_path: Path) -> None:
    env = {
        "OWNERGATE_IP_DATA_DIR": str(tmp_path / "ip"),
        "OWNERGATE_IP_BUNDLE_DIR": str(tiny_folder(tmp_path / "bundle")),
    }
    assert json.loads(run("lookup", "8.8.8.8", "--json", **env).stdout)["country"] == "US"
    bad = tiny_folder(tmp_path / "bad", {"lists/tor.txt": "1.2.3.4\n1.2.3.4/33\n"})
    proc = run("update", "--from", bad, **env)
    assert proc.returncode == 2
    assert "lists/tor.txt, line 2, field 'network'" in proc.stderr
    assert json.loads(run("lookup", "8.8.8.8", "--json", **env).stdout)["country"] == "US"
    good = tiny_folder(tmp_path / "good", {"geo/country.csv": "8.8.8.0,8.8.8.255,DE\n"})
    proc = run("update", "--from", good, **env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(run("lookup", "8.8.8.8", "--json", **env).stdout)["country"] == "DE"
