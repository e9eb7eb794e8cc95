"""The entities table: ids, names, kinds, countries and listing, read into ``EntityColumns``.

``ids`` and ``names`` stay pyarrow string arrays (millions of ids are never boxed into
Python strings). ``EntityIndex`` maps ids to rows: the ownership reader resolves all owner,
owned and nominee ids in one vectorised lookup, and ``EntityColumns.find`` uses it too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)
from ownergate.domain.countries import ISO_ALPHA2, country_hint
from ownergate.domain.model import KINDS
from ownergate.errors import shown
from ownergate.graph.tables import EntityColumns
from ownergate.interchange.files import (
    PathLike,
    Source,
    boolean_column,
    choice_column,
    coded_column,
    first_true,
    read_source,
    text_column,
)

ENTITY_COLUMNS = ("id", "name", "kind", "country", "legal_country", "listed")
COUNTRY_VOCAB: tuple[str, ...] = ("", *sorted(ISO_ALPHA2))
"""The ``country_vocab`` of every table read here: 0 is unknown, then all codes sorted."""

_CODES = pa.array(COUNTRY_VOCAB[1:])
_FNV_BASIS = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_BATCH = 1 << 21  # ids probed per task when the probes are spread over threads
_BLOCK = 256  # ids hashed and probed together (see _hash_block)
_WORKERS = min(4, os.cpu_count() or 1)
IntArray = npt.NDArray[np.int64]


class EntityIndex:
    """Entity ids in row order (pyarrow strings) and the file they came from.

    ``lookup`` maps ids to row numbers through an open-addressing hash table over the ids'
    UTF-8 bytes, built once and probed by compiled loops (``_build`` and ``_probe``) that
    read the arrow buffers in place: no id is ever boxed into a Python string.
    """

    def __init__(self, ids: pa.Array | pa.ChunkedArray, source: str = "the entities table"):
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        self.ids: pa.Array = ids if pa.types.is_string(ids.type) else ids.cast(pa.string())
        self.source = source
        self._table: _HashTable | None = None

    @classmethod
    def of(
        cls, entities: EntityColumns | Sequence[str], source: str = "the entities table"
    ) -> EntityIndex:
        """Index ids given as ``EntityColumns`` or a sequence of unique strings."""
        ids = entities.ids if isinstance(entities, EntityColumns) else entities
        if isinstance(ids, pa.Array | pa.ChunkedArray):
            return cls(ids, source)
        return cls(pa.array(ids, type=pa.string()), source)

    def __len__(self) -> int:
        return len(self.ids)

    def _hash(self) -> _HashTable:
        if self._table is None:
            self._table = _HashTable.build(self.ids)
        return self._table

    def has_duplicates(self) -> bool:
        return self.duplicate() is not None

    def duplicate(self) -> tuple[int, int] | None:
        """The first row whose id an earlier row has, and that earlier row; None if unique.

        A null id counts as the empty string here.
        """
        table = self._hash()
        return None if table.repeated < 0 else (table.repeated, table.first)

    def find(self, entity_id: str) -> int | None:
        """The row of one id, or None (``EntityColumns.find`` of the tables read here)."""
        row = int(self.lookup(pa.array([entity_id], pa.string()))[0])
        return None if row < 0 else row

    def lookup(self, values: pa.Array | pa.ChunkedArray) -> IntArray:
        """Row number of each id in ``values``; -1 where it is unknown or null."""
        if isinstance(values, pa.Array):
            values = pa.chunked_array([values], type=values.type)
        if not pa.types.is_string(values.type):
            values = values.cast(pa.string())
        table = self._hash()
        found = np.empty(len(values), dtype=np.int64)
        pieces, begin = [], 0
        for chunk in values.chunks:
            for at in range(0, len(chunk), _BATCH):
                part = chunk.slice(at, _BATCH)
                pieces.append((part, found[begin : begin + len(part)]))
                begin += len(part)
        if len(pieces) > 1 and _WORKERS > 1:
            # The probe loop releases the GIL: slices run on all cores.
            with ThreadPoolExecutor(_WORKERS) as pool:
                list(pool.map(lambda p: table.find(*p), pieces))
        else:
            for part, out in pieces:
                table.find(part, out)
        return found


def _buffers(values: pa.Array) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]:
    """The offsets (one per value and one past the end) and bytes of a string array."""
    buffers = values.buffers()
    if buffers[1] is None:
        return np.zeros(1, np.int32), np.zeros(0, np.uint8)
    offsets = np.frombuffer(buffers[1], np.int32, len(values) + 1, 4 * values.offset)
    data = np.zeros(0, np.uint8) if buffers[2] is None else np.frombuffer(buffers[2], np.uint8)
    return offsets, data


@dataclass(frozen=True, eq=False)
class _HashTable:
    """Linear-probing table keyed by id bytes. A slot holds ``tag << 32 | row`` (-1: free),
    the tag being the top half of the id's hash: probes skip other ids without reading
    their bytes, and the bytes are compared only where the tag matches."""

    offsets: npt.NDArray[np.int32]
    data: npt.NDArray[np.uint8]
    slots: npt.NDArray[np.int64]
    bits: int  # len(slots) == 1 << bits
    repeated: int  # the first row repeating an earlier id (-1: none); building stopped there
    first: int  # the earlier row with that id
    keep: pa.Array  # owns the buffers ``offsets`` and ``data`` view

    @classmethod
    def build(cls, ids: pa.Array) -> _HashTable:
        offsets, data = _buffers(ids)
        bits = max(4, (len(ids) + len(ids) // 2).bit_length())  # at most 2/3 full
        slots = np.full(1 << bits, -1, dtype=np.int64)
        repeated, first = _build(offsets, data, slots, bits)
        return cls(offsets, data, slots, bits, int(repeated), int(first), ids)

    def find(self, values: pa.Array, out: IntArray) -> None:
        """Rows of ``values`` into ``out``; -1 for unknown and null values."""
        offsets, data = _buffers(values)
        _probe(self.slots, self.bits, self.offsets, self.data, offsets, data, out)
        if values.null_count:
            out[np.asarray(values.is_null().to_numpy(zero_copy_only=False))] = -1


@njit(cache=True, nogil=True)
def _hash(data: Any, begin: int, end: int) -> Any:
    """FNV-1a over the bytes, then a 64-bit finaliser so that the top bits are well mixed."""
    h = _FNV_BASIS
    for i in range(begin, end):
        h = (h ^ np.uint64(data[i])) * _FNV_PRIME
    h ^= h >> np.uint64(33)
    h *= _MIX
    h ^= h >> np.uint64(29)
    return h


@njit(cache=True, nogil=True)
def _same(data: Any, a: int, b: int, other: Any, c: int, d: int) -> bool:
    if b - a != d - c:
        return False
    for k in range(b - a):
        if data[a + k] != other[c + k]:
            return False
    return True


@njit(cache=True, nogil=True)
def _build(offsets: Any, data: Any, slots: Any, bits: int) -> tuple[int, int]:
    """Insert rows in order; stop at the first row whose id is already in the table."""
    mask = (1 << bits) - 1
    tags = np.empty(_BLOCK, np.int64)
    homes = np.empty(_BLOCK, np.int64)
    for begin in range(0, len(offsets) - 1, _BLOCK):
        count = min(_BLOCK, len(offsets) - 1 - begin)
        _hash_block(offsets, data, begin, count, mask, tags, homes, slots)
        for i in range(count):
            row = begin + i
            tag, at = tags[i], homes[i]
            while True:
                held = slots[at]
                if held < 0:
                    slots[at] = (tag << 32) | row
                    break
                other = held & 0xFFFFFFFF
                if held >> 32 == tag and _same(
                    data, offsets[other], offsets[other + 1], data, offsets[row], offsets[row + 1]
                ):
                    return row, other
                at = (at + 1) & mask
    return -1, -1


@njit(cache=True, nogil=True)
def _hash_block(
    offsets: Any, data: Any, begin: int, count: int, mask: int, tags: Any, homes: Any, slots: Any
) -> int:
    """Tags and home slots of ``count`` ids from ``begin``; then their slots are read once.

    Memory is the cost here, not arithmetic: a loop of independent reads lets many cache
    misses overlap, where the probing loops that follow would wait for each in turn.
    """
    for i in range(count):
        h = _hash(data, offsets[begin + i], offsets[begin + i + 1])
        tags[i] = np.int64(h >> np.uint64(33))  # 31 bits: a slot value stays >= 0
        homes[i] = np.int64(h) & mask
    touched = 0
    for i in range(count):
        touched += slots[homes[i]]
    return touched


@njit(cache=True, nogil=True)
def _probe(
    slots: Any, bits: int, offsets: Any, data: Any, q_offsets: Any, q_data: Any, out: Any
) -> int:
    """Look ids up a block at a time: find each id's candidate row by its tag, read the
    candidates' offsets and first bytes in tight loops, then compare the bytes."""
    mask = (1 << bits) - 1
    tags = np.empty(_BLOCK, np.int64)
    homes = np.empty(_BLOCK, np.int64)
    rows = np.empty(_BLOCK, np.int64)
    starts = np.zeros(_BLOCK, np.int64)
    ends = np.zeros(_BLOCK, np.int64)
    touched = 0
    for begin in range(0, len(q_offsets) - 1, _BLOCK):
        count = min(_BLOCK, len(q_offsets) - 1 - begin)
        touched += _hash_block(q_offsets, q_data, begin, count, mask, tags, homes, slots)
        for i in range(count):
            at = homes[i]
            while True:
                held = slots[at]
                if held < 0 or held >> 32 == tags[i]:
                    break
                at = (at + 1) & mask
            homes[i] = at
            rows[i] = -1 if held < 0 else held & 0xFFFFFFFF
        for i in range(count):
            if rows[i] >= 0:
                starts[i], ends[i] = offsets[rows[i]], offsets[rows[i] + 1]
        for i in range(count):
            if ends[i] > starts[i]:
                touched += data[starts[i]] + data[ends[i] - 1]
        for i in range(count):
            j = begin + i
            row = rows[i]
            c, d = q_offsets[j], q_offsets[j + 1]
            if row >= 0 and not _same(data, starts[i], ends[i], q_data, c, d):
                row = _walk(slots, mask, offsets, data, q_data, c, d, homes[i])
            out[j] = row
    return touched


@njit(cache=True, nogil=True)
def _walk(
    slots: Any, mask: int, offsets: Any, data: Any, q_data: Any, c: int, d: int, at: int
) -> int:
    """The rest of a probe after a tag matched another id (rare: tags are 31 bits)."""
    tag = slots[at] >> 32
    while True:
        at = (at + 1) & mask
        held = slots[at]
        if held < 0:
            return -1
        other = held & 0xFFFFFFFF
        if held >> 32 == tag and _same(data, offsets[other], offsets[other + 1], q_data, c, d):
            return other  # type: ignore[no-any-return]


def _warm_up() -> None:
    EntityIndex(pa.array(["a"])).lookup(pa.array(["a", "b"]))


def read_entities(path: PathLike) -> EntityColumns:
    """Read and validate an entities file (.csv, .parquet, .jsonl/.ndjson)."""
    return read_entities_indexed(path)[0]


def read_entities_indexed(path: PathLike) -> tuple[EntityColumns, EntityIndex]:
    """``read_entities`` plus its id index (also behind ``EntityColumns.find``)."""
    # Loading the compiled hash kernels takes a good part of a second on a process's first
    # use; it runs while the file is read (the readers release the GIL).
    warm = threading.Thread(target=_warm_up, daemon=True)
    warm.start()
    try:
        source = read_source(
            path,
            columns=ENTITY_COLUMNS,
            coded=("kind", "country", "legal_country", "listed"),
            loose=("listed",),
            required=("id",),
        )
    finally:
        warm.join()
    n = len(source)
    index = _index(source)
    ids = index.ids
    names = text_column(source, "name")
    kinds = choice_column(source, "kind", [k.value for k in KINDS], "an entity kind")
    listed = boolean_column(source, "listed")
    entities = EntityColumns(
        ids=ids,
        kind=np.zeros(n, np.int8) if kinds is None else np.maximum(kinds, 0),
        country=_countries(source, "country"),
        legal_country=_countries(source, "legal_country"),
        listed=np.zeros(n, bool) if listed is None else listed == 1,
        country_vocab=COUNTRY_VOCAB,
        names=None if names is None else pc.fill_null(names, "").combine_chunks(),
        find=index.find,
    )
    return entities, index


def _index(source: Source) -> EntityIndex:
    column = text_column(source, "id")
    assert column is not None  # a required column
    ids = column.combine_chunks()
    empty = pc.or_kleene(pc.is_null(ids), pc.equal(ids, "")).to_numpy(zero_copy_only=False)
    row = first_true(empty)
    if row is not None:
        raise source.error(
            "empty id: every entity needs a non-empty, unique id", row=row, field="id"
        )
    index = EntityIndex(ids, source.name)
    repeated = index.duplicate()
    if repeated is not None:
        duplicate, first = repeated
        at_first = source.records([first])[0]
        raise source.error(
            f"duplicate id {shown(ids[duplicate].as_py())}: already given at {at_first}",
            row=duplicate,
            field="id",
        )
    return index


def _countries(source: Source, column: str) -> npt.NDArray[np.int16]:
    col = coded_column(source, column)
    if col is None:
        return np.zeros(len(source), dtype=np.int16)
    found = pc.fill_null(pc.index_in(col.values, value_set=_CODES), -1).to_numpy()
    row = col.first_row(found < 0)
    if row is not None:
        code = col.value(row)
        raise source.error(
            f"{shown(code)} is not a country code: {country_hint(code)}", row=row, field=column
        )
    return col.take((found + 1).astype(np.int16), np.int16(0))
