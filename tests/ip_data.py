"""IP data for the tests: the bundled data compiled once per test process (it takes a few
seconds), and tiny folders in the ``sources.toml`` layout written on the spot."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ownergate.ipintel import BUNDLED, IpDataStore

_compiled: list[Path] = []

TINY_FILES = {
    "geo/country.csv": (
        "ip_range_start,ip_range_end,country_code\n"
        "1.0.0.0,1.0.0.255,AU\n"
        "8.8.8.0,8.8.8.255,US\n"
        "2a00:1450::,2a00:1450:ffff:ffff:ffff:ffff:ffff:ffff,IE\n"
    ),
    "geo/asn.csv": '8.8.8.0,8.8.8.255,15169,"Google LLC"\n1.0.0.0,1.0.0.255,13335,Cloudflare\n',
    "lists/tor.txt": "# exits\n185.220.101.1\n2a00:1450::1\n",
    "lists/hosting_asn.txt": "AS15169 # Google\n",
}


def tiny_manifest(date: str = "2026-11-01", checksums: dict[str, str] | None = None) -> str:
    text = f"""
[[source]]
name = "geo"
date = {date}
licence = "CC0"

[[source.list]]
id = "country"
format = "country_ranges_csv"
files = ["geo/country.csv"]

[[source.list]]
id = "asn"
format = "asn_ranges_csv"
files = ["geo/asn.csv"]

[[source]]
name = "lists"
date = {date}
licence = "MIT"

[[source.list]]
id = "tor"
format = "networks"
files = ["lists/tor.txt"]
flag = "tor_exit"

[[source.list]]
id = "hosting_asn"
format = "asn_list"
files = ["lists/hosting_asn.txt"]
flag = "hosting"
"""
    if checksums:
        text += "\n[checksums]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in checksums.items())
    return text


def tiny_folder(
    path: Path, changes: dict[str, str] | None = None, *, date: str = "2026-11-01"
) -> Path:
    """A small, valid folder of IP data (with ``changes`` applied to its files)."""
    files = {**TINY_FILES, **(changes or {})}
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text, encoding="utf-8")
    sums = {n: hashlib.sha256(t.encode()).hexdigest() for n, t in TINY_FILES.items()}
    (path / "sources.toml").write_text(tiny_manifest(date, sums if not changes else None))
    return path


def bundled_data_dir(factory: pytest.TempPathFactory) -> Path:
    """An ``OWNERGATE_IP_DATA_DIR`` holding the bundled data, compiled once per process."""
    if not (BUNDLED / "sources.toml").is_file():
        pytest.skip("bundled IP data (data/ip) not found")
    if not _compiled:
        root = factory.mktemp("ip-data")
        IpDataStore(root, BUNDLED).ensure()
        _compiled.append(root)
    return _compiled[0]


def first_address(relative: str, version: int) -> str:
    """The first entry of a bundled list of that IP version, as an address inside it."""
    for line in (BUNDLED / relative).read_text().splitlines():
        entry = line.split("#")[0].strip()
        if entry and (":" in entry) == (version == 6):
            return entry.split("/")[0]
    raise AssertionError(f"no IPv{version} entry in {relative}")
