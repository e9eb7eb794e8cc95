"""A snapshot's registry as memory-mappable files: opened in milliseconds, read on demand.

``write_arrays`` stores the engine's tables beside a snapshot's Parquet files, in
``arrays/``: one ``.npy`` file per numeric column (dense integer entity rows, scaled shares,
day numbers), the string columns (ids, names) as one uncompressed Arrow IPC file, and
``meta.json`` (counts, country codes, and two facts the prepared-graph cache keys on: the
greatest common divisor of the known shares and the distinct start/end days). ``read_arrays``
maps them into memory: nothing is parsed or copied, and pages are read only when touched.

The files are a derived form of the Parquet data, not part of the snapshot's digest; a
snapshot without them is read from Parquet as before.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.errors import shown
from ownergate.graph.prepare import share_gcd
from ownergate.graph.tables import (
    HOLDING_COLUMNS,
    OPEN_END,
    OPEN_START,
    EntityColumns,
    HoldingColumns,
)

FORMAT = 2
DIRECTORY = "arrays"
ENTITY_ARRAYS = ("kind", "country", "legal_country", "listed")
_DTYPES = {
    "kind": np.int8,
    "country": np.int16,
    "legal_country": np.int16,
    "listed": np.bool_,
    "owner": np.int64,
    "owned": np.int64,
    "nominee_for": np.int64,
    "low": np.int64,
    "high": np.int64,
    "low_exclusive": np.bool_,
    "high_exclusive": np.bool_,
    "known": np.bool_,
    "basis": np.int8,
    "start": np.int32,
    "end": np.int32,
}


def has_arrays(directory: Path) -> bool:
    """Whether ``directory`` (a snapshot) holds arrays this version can read."""
    try:
        return bool(_meta(directory)["format"] == FORMAT)
    except (OSError, ValueError, KeyError):
        return False


def write_arrays(
    directory: Path,
    entities: EntityColumns,
    holdings: HoldingColumns,
    blocks: npt.NDArray[np.int64] | None = None,
) -> None:
    """Write the arrays of a registry into ``directory/arrays`` (made here; must not exist).

    Meant for a snapshot's staging directory, before it is moved into place. ``blocks``:
    the cross-holding blocks where the entities are numbered in dependency order.
    """
    out = Path(directory) / DIRECTORY
    out.mkdir()
    n = len(entities)
    names = entities.names if entities.names is not None else pa.nulls(n, pa.string())
    strings = pa.table({"id": _strings(entities.ids), "name": _strings(names)})

    def write_strings() -> None:
        with pa.OSFile(str(out / "strings.arrow"), "wb") as sink:
            with pa.ipc.new_file(sink, strings.schema) as writer:
                writer.write_table(strings)

    columns = [(c, getattr(entities, c)) for c in ENTITY_ARRAYS]
    columns += [(c, getattr(holdings, c)) for c in HOLDING_COLUMNS]
    # Writing is mostly the kernel filling page-cache pages: two threads use both cores.
    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(write_strings)]
        done += [pool.submit(_save, out / f"{c}.npy", v, _DTYPES[c]) for c, v in columns]
        known = np.asarray(holdings.known, dtype=bool)
        gcd = share_gcd(np.asarray(holdings.low)[known], np.asarray(holdings.high)[known])
        _save(out / "days.npy", change_days(holdings), np.int32)
        if blocks is not None:
            _save(out / "blocks.npy", np.asarray(blocks).reshape(-1, 2), np.int64)
        for future in done:
            future.result()
    meta = {
        "format": FORMAT,
        "entities": n,
        "holdings": len(holdings),
        "country_vocab": list(entities.country_vocab),
        "share_gcd": gcd,
    }
    # Written last: a directory without meta.json is not read (see ``has_arrays``).
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def read_arrays(directory: Path) -> tuple[EntityColumns, HoldingColumns]:
    """The registry stored by ``write_arrays``, memory-mapped.

    Numeric columns are copy-on-write maps: writable numpy arrays, like the ones a reader
    returns, whose pages come from the page cache until something writes to them.
    """
    folder = Path(directory) / DIRECTORY
    meta = _meta(directory)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{folder}: arrays format {shown(meta.get('format'))}, expected {FORMAT}")
    source = pa.memory_map(str(folder / "strings.arrow"), "r")
    strings = pa.ipc.open_file(source).read_all()
    ids = _single(strings.column("id"))

    def find(entity_id: str) -> int | None:
        row = pc.index(ids, entity_id).as_py()
        return None if row is None or row < 0 else int(row)

    entity_columns: dict[str, Any] = {c: _load(folder, c) for c in ENTITY_ARRAYS}
    entities = EntityColumns(
        ids=ids,
        country_vocab=tuple(meta["country_vocab"]),
        names=_single(strings.column("name")),
        find=find,
        **entity_columns,
    )
    holdings = HoldingColumns(**{c: _load(folder, c) for c in HOLDING_COLUMNS})
    return entities, holdings


def load_blocks(directory: Path) -> npt.NDArray[np.int64] | None:
    """The cross-holding blocks of a snapshot numbered in dependency order, else None."""
    path = Path(directory) / DIRECTORY / "blocks.npy"
    if not has_arrays(directory) or not path.is_file():
        return None
    blocks: npt.NDArray[np.int64] = np.load(path, allow_pickle=False).reshape(-1, 2)
    return blocks


def arrays_meta(directory: Path) -> dict[str, Any]:
    """``meta.json`` of a snapshot's arrays (``share_gcd``, counts, ...)."""
    return _meta(directory)


def change_days(holdings: HoldingColumns) -> npt.NDArray[np.int32]:
    """The distinct days on which some holding starts or ends, sorted.

    Between two consecutive ones the set of holdings valid on a day does not change.
    """
    start, end = np.asarray(holdings.start), np.asarray(holdings.end)
    days = np.concatenate([start[start != OPEN_START], end[end != OPEN_END]])
    return np.unique(days).astype(np.int32)


def load_days(directory: Path) -> npt.NDArray[np.int32]:
    """The change days stored by ``write_arrays`` (see ``change_days``)."""
    days: npt.NDArray[np.int32] = _load(Path(directory) / DIRECTORY, "days")
    return days


def _meta(directory: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((Path(directory) / DIRECTORY / "meta.json").read_text())
    return meta


def _strings(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(values, type=pa.string())
    return values if values.type == pa.string() else values.cast(pa.string())


def _single(column: pa.ChunkedArray) -> pa.Array:
    """One array without copying (a file written here holds one record batch)."""
    if column.num_chunks == 1:
        return column.chunk(0)
    return column.combine_chunks()


def _save(path: Path, values: Any, dtype: type[np.generic]) -> None:
    array = np.ascontiguousarray(values, dtype=dtype)
    with path.open("wb") as handle:
        np.save(handle, array, allow_pickle=False)


def _load(folder: Path, column: str) -> Any:
    mapped = np.load(folder / f"{column}.npy", mmap_mode="c", allow_pickle=False)
    # A plain ndarray view of the map: compiled kernels see the same types as for arrays
    # read from files, so no new specialisations are compiled for memory maps.
    return np.asarray(mapped)
