"""Prepared graphs kept beside a snapshot, reused while they are valid.

``prepare`` turns a registry into the engine's arrays for one policy and one day. What it
builds depends on the registry (fixed for a snapshot) and on exactly these inputs:

- the seeds (holdings into seeds are left out): the policy's regions, owner kinds and
  country basis, applied to the entities. The key holds a digest of the seed mask itself,
  so policies with the same seeds share an entry;
- the bases the policy counts (equity, or equity and voting): one layer each;
- the integer unit: the largest power of ten dividing every known share and the threshold;
- the holdings valid on the day: they change only on a day some holding starts or ends,
  so the key holds the window between two such days (``arrays.change_days``) that
  contains the day, not the day;
- the code that prepares (a digest of its source files), so that a changed ``prepare``
  never meets an entry written by an older one.

An entry is a directory ``prepared/<key digest>/`` of ``.npy`` files read as memory maps,
and ``meta.json`` with the full key, checked on every read. Entries are written to a
temporary directory, synced and renamed into place: readers see a whole entry or none.
Entries are additive files, outside the snapshot's content digest; at most
``MAX_ENTRIES`` are kept (least recently used go first), and a snapshot directory that
cannot be written to is simply read without a cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergate.domain.model import BASES, Basis
from ownergate.domain.shares import SCALE
from ownergate.graph import build, tables
from ownergate.graph import prepare as prepare_module
from ownergate.graph.prepare import (
    Conflict,
    Layer,
    PreparedGraph,
    prepare,
    seed_mask,
    unit_of,
)
from ownergate.graph.tables import EntityColumns, HoldingColumns, day_number
from ownergate.policy.model import Policy, PolicyBasis
from ownergate.snapshots import arrays

FORMAT = 2
DIRECTORY = "prepared"
MAX_ENTRIES = 4
_ABANDONED = 3600.0  # seconds after which a temporary directory is left over
_LAYER_ARRAYS = (
    "src",
    "dst",
    "low_exclusive",
    "high_exclusive",
    "uncertain",
    "low_units",
    "high_units",
    "in_ptr",
    "out_ptr",
    "out_edge",
    "member_ptr",
    "members",
    "treasury",
)


def load_or_prepare(
    directory: Path,
    entities: EntityColumns,
    holdings: HoldingColumns,
    policy: Policy,
    as_of: dt.date | None = None,
    *,
    keep: bool = True,
) -> PreparedGraph:
    """``prepare(entities, holdings, policy, as_of)`` of snapshot ``directory``, from its
    cache when an entry is valid for this policy and day.

    ``entities``/``holdings`` must be the snapshot's (as ``read_arrays`` returns them).
    Without arrays in the snapshot this is ``prepare``. On a miss the graph is prepared and,
    with ``keep``, stored for the next run.
    """
    as_of = as_of or dt.date.today()
    directory = Path(directory)
    if not arrays.has_arrays(directory):
        return prepare(entities, holdings, policy, as_of)
    blocks = arrays.load_blocks(directory)
    seeds, seed_reason, region_country = seed_mask(entities, policy)
    key = cache_key(directory, seeds, policy, as_of, len(entities), len(holdings))
    entry = directory / DIRECTORY / _digest(key)
    try:
        graph = _read(entry, key, entities, holdings, as_of, seeds, seed_reason, region_country)
    except (OSError, ValueError, KeyError):
        graph = None  # no entry, or one being evicted or damaged: prepare afresh
    if graph is not None:
        return replace(graph, blocks=blocks)
    graph = prepare(entities, holdings, policy, as_of, blocks=blocks)
    if keep:
        try:
            _write(entry, key, graph)
        except OSError:
            pass  # a read-only store: screening works, only without the cache
    return graph


def cache_key(
    directory: Path,
    seeds: npt.NDArray[np.bool_],
    policy: Policy,
    as_of: dt.date,
    entities: int,
    holdings: int,
) -> dict[str, Any]:
    """Everything a prepared graph of snapshot ``directory`` depends on (module docstring)."""
    meta = arrays.arrays_meta(directory)
    days = arrays.load_days(directory)
    day = day_number(as_of)
    at = int(np.searchsorted(days, day, side="right"))  # change days on or before ``day``
    bases = [Basis.EQUITY.value]
    if policy.basis is PolicyBasis.EQUITY_OR_VOTING:
        bases.append(Basis.VOTING.value)
    return {
        "format": FORMAT,
        "code": _code_digest(),
        "entities": entities,
        "holdings": holdings,
        "bases": bases,
        "unit": unit_of(int(meta["share_gcd"]), int(policy.threshold * SCALE)),
        "window": [
            int(days[at - 1]) if at > 0 else None,
            int(days[at]) if at < len(days) else None,
        ],
        "seeds": hashlib.sha256(np.packbits(seeds).tobytes()).hexdigest(),
    }


def _digest(key: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:32]


_CODE: list[str] = []


def _code_digest() -> str:
    """A digest of the modules whose code decides what a prepared graph holds."""
    if not _CODE:
        digest = hashlib.sha256()
        for module in (prepare_module, build, tables):
            digest.update(Path(str(module.__file__)).read_bytes())
        digest.update(Path(__file__).read_bytes())
        _CODE.append(digest.hexdigest()[:32])
    return _CODE[0]


def _read(
    entry: Path,
    key: dict[str, Any],
    entities: EntityColumns,
    holdings: HoldingColumns,
    as_of: dt.date,
    seeds: npt.NDArray[np.bool_],
    seed_reason: npt.NDArray[np.int8],
    region_country: npt.NDArray[np.int16],
) -> PreparedGraph | None:
    meta_path = entry / "meta.json"
    if not meta_path.is_file():
        return None
    meta = json.loads(meta_path.read_text())
    if meta["key"] != key:
        return None
    unit = int(key["unit"])
    layers = []
    for i, basis in enumerate(key["bases"]):
        fields = {name: _load(entry / f"{i}.{name}.npy") for name in _LAYER_ARRAYS}
        layers.append(Layer(basis=Basis(basis), per_one=float(SCALE // unit), **fields))
    raw_high = _load(entry / "raw_high.npy") if meta["raw_high"] else holdings.high
    graph = PreparedGraph(
        entities=entities,
        holdings=holdings,
        as_of=as_of,
        seeds=seeds,
        seed_reason=seed_reason,
        region_country=region_country,
        layers=tuple(layers),
        raw_low=holdings.low,
        raw_high=raw_high,
        active=_load(entry / "active.npy"),
        self_holdings=_load(entry / "self_holdings.npy"),
        conflicts=tuple(
            Conflict(int(owned), BASES[int(basis)], int(low_sum))
            for owned, basis, low_sum in meta["conflicts"]
        ),
        unit=unit,
        units_exact=bool(meta["units_exact"]),
    )
    try:
        os.utime(meta_path)  # recently used: evicted last
    except OSError:
        pass  # a read-only store
    return graph


def _write(entry: Path, key: dict[str, Any], graph: PreparedGraph) -> None:
    root = entry.parent
    root.mkdir(exist_ok=True)
    temp = root / f".tmp-{uuid.uuid4().hex}"
    temp.mkdir()
    try:
        for i, layer in enumerate(graph.layers):
            for name in _LAYER_ARRAYS:
                _save(temp / f"{i}.{name}.npy", getattr(layer, name))
        differs = not np.array_equal(graph.raw_high, graph.holdings.high)
        if differs:
            _save(temp / "raw_high.npy", graph.raw_high)
        _save(temp / "active.npy", graph.active)
        _save(temp / "self_holdings.npy", graph.self_holdings)
        meta = {
            "key": key,
            "raw_high": differs,
            "units_exact": bool(graph.units_exact),
            "conflicts": [[c.owned, BASES.index(c.basis), str(c.low_sum)] for c in graph.conflicts],
        }
        (temp / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        _sync(temp)
        try:
            os.rename(temp, entry)
        except OSError:
            # An entry is there (damaged, or just stored by another run): put it aside and
            # move this one in. Runs that mapped the old files keep them.
            stale = root / f".stale-{uuid.uuid4().hex}"
            os.rename(entry, stale)
            os.rename(temp, entry)
            shutil.rmtree(stale, ignore_errors=True)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _evict(root, keep=entry)


def _evict(root: Path, keep: Path) -> None:
    """Remove the least recently used entries beyond ``MAX_ENTRIES``.

    A process still using a removed entry keeps its memory maps; one about to open it finds
    it gone and prepares afresh.
    """
    entries = []
    for path in root.iterdir():
        try:
            if path.name.startswith("."):  # being written, or left by a run that died
                if path.stat().st_mtime < time.time() - _ABANDONED:
                    shutil.rmtree(path, ignore_errors=True)
            elif path != keep:
                entries.append(((path / "meta.json").stat().st_mtime, path))
        except OSError:
            entries.append((0.0, path))
    entries.sort(reverse=True)
    for _, path in entries[MAX_ENTRIES - 1 :]:
        shutil.rmtree(path, ignore_errors=True)


def _save(path: Path, values: Any) -> None:
    with path.open("wb") as handle:
        np.save(handle, np.ascontiguousarray(values), allow_pickle=False)


def _load(path: Path) -> Any:
    # Copy-on-write maps are writable arrays: kernels compiled for arrays read from files
    # are reused as they are (read-only arrays would be compiled again).
    return np.asarray(np.load(path, mmap_mode="c", allow_pickle=False))


def _sync(folder: Path) -> None:
    """fsync every file in ``folder``, and ``folder``: the rename then publishes whole files."""
    for path in [*folder.iterdir(), folder]:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
