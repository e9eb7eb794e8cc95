"""Compiled lookups against a brute-force reference on random folders of data: overlapping
country ranges (narrowest wins), ASN ranges, CIDR flag lists, an ASN flag list and a
country list, in both IP versions, probed at every boundary."""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

import pytest

from ownergate.ipintel import IpDataStore, IpIntel

# Away from special-purpose space, so that only the data decides.
BASES = {4: int(ipaddress.ip_address("11.0.1.0")), 6: int(ipaddress.ip_address("2a00::100"))}
CODES = ["AU", "CN", "DE", "RU", "US"]


def make(rng: random.Random) -> tuple[dict[str, list[tuple[int, int, int, object]]], set[int]]:
    """Per list: (version, start, end inclusive, value) rows."""
    lists: dict[str, list[tuple[int, int, int, object]]] = {}
    for name in ("country", "asn", "tor", "cn"):
        rows = []
        for _ in range(rng.randint(0, 25)):
            version = rng.choice((4, 6))
            if name in ("tor", "cn"):
                size = 1 << rng.randint(0, 6)
                start = BASES[version] + rng.randrange(0, 300) // size * size
                rows.append((version, start, start + size - 1, None))
                continue
            start = BASES[version] + rng.randrange(0, 300)
            end = start + rng.choice((0, 1, 3, 10, 60, 200))
            value: object = rng.choice(CODES) if name == "country" else rng.randint(1, 6)
            rows.append((version, start, end, value))
        lists[name] = rows
    return lists, {rng.randint(1, 6) for _ in range(2)}


def text(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


def write(
    folder: Path, lists: dict[str, list[tuple[int, int, int, object]]], asns: set[int]
) -> None:
    folder.mkdir()
    rows = [f"{text(v, s)},{text(v, e)},{c}" for v, s, e, c in lists["country"]]
    (folder / "country.csv").write_text("\n".join(rows) + "\n")
    rows = [f"{text(v, s)},{text(v, e)},{a},org {a}" for v, s, e, a in lists["asn"]]
    (folder / "asn.csv").write_text("\n".join(rows) + "\n")
    for name in ("tor", "cn"):
        nets = [f"{text(v, s)}/{(32 if v == 4 else 128) - (e - s + 1).bit_length() + 1}"
                for v, s, e, _ in lists[name]]  # fmt: skip
        (folder / f"{name}.txt").write_text("\n".join(nets) + "\n")
    (folder / "hosting.txt").write_text("".join(f"AS{a}\n" for a in sorted(asns)))
    (folder / "sources.toml").write_text(
        """
[[source]]
name = "s"
date = 2026-11-01
licence = "CC0"
[[source.list]]
id = "country"
format = "country_ranges_csv"
files = ["country.csv"]
[[source.list]]
id = "asn"
format = "asn_ranges_csv"
files = ["asn.csv"]
[[source.list]]
id = "tor"
format = "networks"
files = ["tor.txt"]
flag = "tor_exit"
[[source.list]]
id = "cn"
format = "networks"
files = ["cn.txt"]
country = "CN"
[[source.list]]
id = "hosting"
format = "asn_list"
files = ["hosting.txt"]
flag = "hosting"
"""
    )


def narrowest(rows: list[tuple[int, int, int, object]], version: int, x: int) -> object:
    best = None
    for row, (v, start, end, value) in enumerate(rows):
        if v == version and start <= x <= end:
            key = (-(end - start), row)
            if best is None or key > best[0]:
                best = (key, value)
    return None if best is None else best[1]


@pytest.mark.parametrize("seed", range(6))
def test_compiled_lookups_match_brute_force(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    lists, hosting = make(rng)
    write(tmp_path / "data", lists, hosting)
    intel = IpIntel.load(IpDataStore(tmp_path / "ip").update(tmp_path / "data"))
    probes = {(v, BASES[v] + d) for v in (4, 6) for d in (-1, 0, 150, 600)}
    for rows in lists.values():
        probes |= {(v, x) for v, s, e, _ in rows for x in (s - 1, s, e, e + 1)}
    for version, x in sorted(probes):
        info = intel.lookup(text(version, x))
        geo = narrowest(lists["country"], version, x)
        in_cn = any(v == version and s <= x <= e for v, s, e, _ in lists["cn"])
        expected = ([("s/country", geo)] if geo else []) + ([("s/cn", "CN")] if in_cn else [])
        assert [(a.source, a.country) for a in info.country_sources] == expected, (version, x)
        asn = narrowest(lists["asn"], version, x)
        assert (info.asn, info.as_org) == ((asn, f"org {asn}") if asn else (None, None))
        flags = set()
        if any(v == version and s <= x <= e for v, s, e, _ in lists["tor"]):
            flags.add("tor_exit")
        if asn in hosting:
            flags.add("hosting")
        assert set(info.flag_names) == flags, (version, x)
