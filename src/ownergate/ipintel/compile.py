"""Validate a folder of IP data (``sources.toml`` layout) and compile it into ``.npy`` arrays.

Per IP version the index is one sorted array of segment starts and, per segment, the id
of its combination of answers (``facts``: the country of each country list, which ASN
lists answer, the set of flag and country lists covering it) and its row in each ASN
table. Special-purpose blocks override every list. A folder is read completely, and
every file checked, before anything is written. ``IpIndex`` maps the arrays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergate.errors import InputError
from ownergate.ipintel import reserved, segments
from ownergate.ipintel.formats import (
    ListData,
    Ranges,
    network_range,
    read_asn_list,
    read_networks,
)
from ownergate.ipintel.manifest import MANIFEST, ListSpec, Manifest, parse_manifest
from ownergate.ipintel.range_csv import read_asn_ranges, read_country_ranges

FORMAT = 1
INDEX = "index.json"
VERSIONS = (4, 6)
Reader = Callable[[Path, str, ListData], None]


def read_manifest(folder: Path) -> tuple[Manifest, bytes]:
    path = folder / MANIFEST
    if not path.is_file():
        raise InputError("missing: a folder of IP data needs one", file=MANIFEST)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=MANIFEST) from None
    return parse_manifest(text), raw


def source_digest(folder: Path) -> str:
    """What a folder's data is: the manifest and every file it lists, hashed together."""
    manifest, raw = read_manifest(folder)
    digest = hashlib.sha256(raw)
    for name in sorted({f for lst in manifest.lists for f in lst.files}):
        digest.update(name.encode() + b"\0" + _file_sha256(folder, name).encode())
    return digest.hexdigest()


def _file_sha256(folder: Path, name: str) -> str:
    path = folder / name
    if not path.is_file():
        raise InputError("missing: sources.toml lists it", file=name)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def compile_index(folder: Path, out: Path, *, origin: str) -> dict[str, Any]:
    """Read and check every file of ``folder``, write the index into ``out``; returns it."""
    manifest, raw = read_manifest(folder)
    for name, expected in manifest.checksums.items():
        if (folder / name).is_file() and _file_sha256(folder, name) != expected:
            raise InputError("does not match its checksum in sources.toml", file=name)
    codes: dict[str, int] = {}
    readers: dict[str, Reader] = {
        "country_ranges_csv": lambda p, n, d: read_country_ranges(p, n, d, codes),
        "asn_ranges_csv": read_asn_ranges,
        "networks": read_networks,
        "asn_list": read_asn_list,
    }
    data: dict[str, ListData] = {}
    for lst in manifest.lists:
        data[lst.label] = ListData()
        for name in lst.files:
            readers[lst.format](folder / name, name, data[lst.label])
    by_format = {f: [lst for lst in manifest.lists if lst.format == f] for f in readers}
    countries = sorted(codes)
    recode = np.array([countries.index(c) for c in codes], dtype=np.int64)
    tables = {lst.label: _asn_table(data[lst.label].orgs) for lst in by_format["asn_ranges_csv"]}
    out.mkdir(parents=True, exist_ok=True)
    for k, lst in enumerate(by_format["asn_ranges_csv"]):
        numbers, offsets, blob = tables[lst.label]
        _save(out / f"asn.{k}.numbers.npy", numbers)
        _save(out / f"asn.{k}.org_offsets.npy", offsets)
        _save(out / f"asn.{k}.org_bytes.npy", blob)
    built: dict[str, Any] = {}
    for version in VERSIONS:
        built[f"v{version}"] = _build(version, by_format, data, recode, tables, out)
    set_lists = by_format["networks"] + by_format["asn_list"]
    order = manifest.lists
    index = {
        "format": FORMAT,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "origin": origin,
        "manifest_sha256": hashlib.sha256(raw).hexdigest(),
        "countries": countries,
        "layers": {
            "country": [_meta(lst, order) for lst in by_format["country_ranges_csv"]],
            "asn": [_meta(lst, order) for lst in by_format["asn_ranges_csv"]],
            "sets": [_meta(lst, order) for lst in set_lists]
            + [{"label": reserved.SOURCE, "source": "", "flag": "reserved", "position": -1}],
        },
        "sources": [
            {
                "name": s.name,
                "date": s.date.isoformat(),
                "licence": s.licence,
                "title": s.title,
                "url": s.url,
                "version": s.version,
                "attribution": s.attribution,
                "records": {lst.id: data[lst.label].records for lst in s.lists},
            }
            for s in manifest.sources
        ],
        **built,
    }
    _write_text(out / INDEX, json.dumps(index, indent=1))
    return index


def _meta(lst: ListSpec, order: tuple[ListSpec, ...]) -> dict[str, Any]:
    # position: where the list stands in sources.toml, which orders country answers.
    return {
        "label": lst.label,
        "source": lst.source,
        "flag": lst.flag,
        "country": lst.country,
        "position": order.index(lst),
    }


def _asn_table(orgs: dict[int, str]) -> tuple[npt.NDArray[Any], ...]:
    numbers = np.array(sorted(orgs), dtype=np.uint32)
    encoded = [orgs[int(n)].encode("utf-8") for n in numbers]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    return numbers, offsets, np.frombuffer(b"".join(encoded), dtype=np.uint8)


def _reserved_ranges(version: int) -> Ranges:
    ranges = Ranges()
    for block in reserved.BLOCKS[version]:
        _, start, stop = network_range(block, reserved.SOURCE, 0)
        ranges.starts.append(start)
        ranges.stops.append(stop)
    return ranges


def _build(
    version: int,
    by_format: dict[str, list[ListSpec]],
    data: dict[str, ListData],
    recode: npt.NDArray[np.int64],
    tables: dict[str, tuple[npt.NDArray[Any], ...]],
    out: Path,
) -> dict[str, Any]:
    country_lists, asn_lists = by_format["country_ranges_csv"], by_format["asn_ranges_csv"]
    ranged = country_lists + asn_lists + by_format["networks"]
    groups = [data[lst.label].ranges[version] for lst in ranged] + [_reserved_ranges(version)]
    cut = segments.segment(version, [(r.starts, r.stops) for r in groups])
    spans = dict(zip([lst.label for lst in ranged] + [reserved.SOURCE], cut.spans, strict=True))
    columns: list[npt.NDArray[np.int64]] = []
    for lst in country_lists + asn_lists:
        ranges = data[lst.label].ranges[version]
        values = np.array(ranges.values, dtype=np.int64)
        if lst in country_lists:
            values = recode[values] if len(values) else values
        else:
            values = np.searchsorted(tables[lst.label][0], values).astype(np.int64)

        def rank(r: Ranges = ranges) -> npt.NDArray[np.int64]:
            return segments.priorities(r.starts, r.stops)

        columns.append(segments.paint(cut.size, spans[lst.label], values, rank))
    covers = [segments.cover(cut.size, spans[lst.label]) for lst in by_format["networks"]]
    for lst in by_format["asn_list"]:
        wanted = np.array(sorted(data[lst.label].asns), dtype=np.uint32)
        covered = np.zeros(cut.size, dtype=np.bool_)
        for table_list, column in zip(asn_lists, columns[len(country_lists) :], strict=True):
            known = column >= 0
            covered[known] |= np.isin(tables[table_list.label][0][column[known]], wanted)
        covers.append(covered)
    blocked = segments.cover(cut.size, spans[reserved.SOURCE])
    for column in columns:
        column[blocked] = -1
    covers = [c & ~blocked for c in covers] + [blocked]
    sets, combos = segments.combine(covers, cut.size)
    keep = segments.compact([*columns, sets])
    columns, sets = [c[keep] for c in columns], sets[keep]
    # One id per combination of answers, so a lookup reads one column to know them all.
    countries = columns[: len(country_lists)]
    answered = [(c >= 0).astype(np.int64) for c in columns[len(country_lists) :]]
    facts, table = segments.group_rows([*countries, *answered, sets])
    prefix = f"v{version}"
    _save(out / f"{prefix}.starts.npy", segments.stored_starts(cut, keep))
    _save(out / f"{prefix}.facts.npy", _narrow(facts))
    _save(out / f"{prefix}.facts_table.npy", table)
    for k, column in enumerate(columns[len(country_lists) :]):
        _save(out / f"{prefix}.asn.{k}.npy", _narrow(column))
    return {
        "segments": int(keep.sum()),
        "facts": int(len(table)),
        "combos": [list(c) for c in combos],
    }


def _narrow(column: npt.NDArray[np.int64]) -> npt.NDArray[Any]:
    for dtype in (np.int8, np.int16, np.int32):
        info = np.iinfo(dtype)
        if len(column) == 0 or (column.min() >= info.min and column.max() <= info.max):
            return column.astype(dtype)
    return column


def _save(path: Path, array: npt.NDArray[Any]) -> None:
    with path.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
