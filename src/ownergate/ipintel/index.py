"""A compiled index, loaded memory-mapped: segment starts and columns per IP version.

Columns are read through ``memoryview``s of the mapped arrays (``ndarray.data``): indexing
one gives a plain int in about 60 ns, against 200 ns for a numpy scalar turned into an int.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergate.errors import ConfigError
from ownergate.ipintel.compile import FORMAT, INDEX, VERSIONS
from ownergate.ipintel.segments import Searcher

Array = npt.NDArray[Any]


@dataclass(frozen=True)
class Layer:
    label: str
    source: str
    flag: str | None = None
    country: str | None = None
    position: int = 0


@dataclass
class AsnTable:
    """AS numbers and their organisations; a column holds row numbers into it."""

    numbers: Array
    offsets: Array
    text: Array
    _names: dict[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._numbers = self.numbers.data

    def number(self, row: int) -> int:
        return int(self._numbers[row])

    def org(self, row: int) -> str:
        name = self._names.get(row)
        if name is None:
            start, end = int(self.offsets[row]), int(self.offsets[row + 1])
            name = self._names[row] = bytes(self.text[start:end]).decode("utf-8")
        return name


@dataclass(frozen=True)
class VersionIndex:
    """One IP version: the segment starts (``search``); per segment the id of its
    combination of answers (``facts``, rows of ``facts_table``: country per country list,
    1 where each ASN list answers, the id of the covering lists in ``combos``) and the row
    of each ASN table."""

    search: Searcher
    facts: memoryview
    facts_table: Array
    asns: tuple[memoryview, ...]
    combos: tuple[tuple[int, ...], ...]
    arrays: tuple[Array, ...]

    def __len__(self) -> int:
        return len(self.search.starts)


@dataclass(frozen=True)
class IpIndex:
    directory: Path
    meta: dict[str, Any]
    countries: tuple[str, ...]
    country_layers: tuple[Layer, ...]
    asn_layers: tuple[Layer, ...]
    set_layers: tuple[Layer, ...]
    asn_tables: tuple[AsnTable, ...]
    versions: dict[int, VersionIndex]

    @classmethod
    def load(cls, directory: Path) -> IpIndex:
        """Map a compiled index; a damaged one is a ConfigError naming the directory."""
        try:
            meta = json.loads((directory / INDEX).read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ConfigError(f"IP index {directory} has format {meta.get('format')}")
            layers = {
                kind: tuple(Layer(**item) for item in meta["layers"][kind])
                for kind in ("country", "asn", "sets")
            }
            tables = tuple(
                AsnTable(
                    _load(directory, f"asn.{k}.numbers"),
                    _load(directory, f"asn.{k}.org_offsets"),
                    _load(directory, f"asn.{k}.org_bytes"),
                )
                for k in range(len(layers["asn"]))
            )
            versions = {
                v: _version(directory, v, meta[f"v{v}"], layers["country"], layers["asn"])
                for v in VERSIONS
            }
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"IP index {directory} is damaged ({exc}); run ip update") from None
        return cls(
            directory,
            meta,
            tuple(meta["countries"]),
            layers["country"],
            layers["asn"],
            layers["sets"],
            tables,
            versions,
        )


def _load(directory: Path, stem: str) -> Array:
    mapped: Array = np.load(directory / f"{stem}.npy", mmap_mode="r", allow_pickle=False)
    # A plain ndarray view of the map: np.memmap adds overhead to every scalar search.
    return mapped.view(np.ndarray)


def _version(
    directory: Path,
    version: int,
    meta: dict[str, Any],
    country_layers: tuple[Layer, ...],
    asn_layers: tuple[Layer, ...],
) -> VersionIndex:
    prefix = f"v{version}"
    starts = _load(directory, f"{prefix}.starts")
    facts = _load(directory, f"{prefix}.facts")
    table = np.array(_load(directory, f"{prefix}.facts_table"))
    asns = [_load(directory, f"{prefix}.asn.{k}") for k in range(len(asn_layers))]
    arrays = (starts, facts, *asns)
    if any(len(a) != len(starts) for a in arrays) or len(starts) != meta["segments"]:
        raise ValueError(f"IPv{version} columns differ in length")
    if table.shape != (meta["facts"], len(country_layers) + len(asn_layers) + 1):
        raise ValueError(f"IPv{version} facts table has shape {table.shape}")
    return VersionIndex(
        search=Searcher(starts, version),
        facts=facts.data,
        facts_table=table,
        asns=tuple(a.data for a in asns),
        combos=tuple(tuple(c) for c in meta["combos"]),
        arrays=arrays,
    )
