"""The entities table: ids, names, kinds, countries and listing, read into ``EntityColumns``.

``ids`` and ``names`` stay pyarrow string arrays (millions of ids are never boxed into
Python strings). ``EntityIndex`` maps ids to rows: the ownership reader resolves all owner,
owned and nominee ids in one vectorised lookup, and ``EntityColumns.find`` uses it too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ownergate.domain.countries import ISO_ALPHA2, country_hint
from ownergate.domain.model import KINDS
from ownergate.graph.tables import EntityColumns
from ownergate.interchange.files import (
    PathLike,
    Source,
    boolean_column,
    choice_column,
    coded_column,
    first_true,
    read_source,
    show,
    text_column,
)

ENTITY_COLUMNS = ("id", "name", "kind", "country", "legal_country", "listed")
COUNTRY_VOCAB: tuple[str, ...] = ("", *sorted(ISO_ALPHA2))
"""The ``country_vocab`` of every table read here: 0 is unknown, then all codes sorted."""

_CODES = pa.array(COUNTRY_VOCAB[1:])
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SEED = np.uint64(0xBF58476D1CE4E5B9)
_MAX_WIDTH = 64  # bytes: longer ids are looked up with pc.index_in
_BATCH = 1 << 21  # ids looked up at a time (bounds the temporary arrays)
_WORKERS = min(4, os.cpu_count() or 1)
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
T = TypeVar("T", bound=np.generic)


class EntityIndex:
    """Entity ids in row order (pyarrow strings) and the file they came from.

    ``lookup`` maps ids to row numbers. Short ASCII ids (the usual case) go through an
    open-addressing hash table built once with numpy, whose probes are vectorised gathers;
    other ids go through ``pc.index_in``. Both give the same answer.
    """

    def __init__(self, ids: pa.Array | pa.ChunkedArray, source: str = "the entities table"):
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        self.ids: pa.Array = ids if pa.types.is_string(ids.type) else ids.cast(pa.string())
        self.source = source
        self._table: _HashTable | None = None
        self._built = False

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

    def _hash(self) -> _HashTable | None:
        if not self._built:
            self._table, self._built = _HashTable.build(self.ids), True
        return self._table

    def has_duplicates(self) -> bool:
        table = self._hash()
        if table is not None:
            return table.duplicate
        return len(pc.unique(self.ids)) < len(self.ids)

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
        if table is None or table.duplicate:  # one call: each call hashes all entity ids
            found = pc.fill_null(pc.index_in(values, value_set=self.ids), -1)
            return np.asarray(found.to_numpy(), dtype=np.int64)
        batches = [
            values.slice(begin, _BATCH).combine_chunks() for begin in range(0, len(values), _BATCH)
        ]
        if len(batches) > 1 and _WORKERS > 1:
            # numpy gathers and pyarrow kernels release the GIL: batches run in parallel.
            with ThreadPoolExecutor(_WORKERS) as pool:
                parts = list(pool.map(table.find, batches))
        else:
            parts = [table.find(b) for b in batches]
        return np.concatenate([np.zeros(0, dtype=np.int64), *parts])


@dataclass(frozen=True, eq=False)
class _Keys:
    """Strings as rows of zero-padded 8-byte words (a view of the padded text), hashed.

    Only ASCII strings without NUL characters qualify, so equal rows mean equal strings.
    """

    words: npt.NDArray[np.uint64]  # shape (n, width // 8)
    hashes: npt.NDArray[np.uint64]

    @classmethod
    def of(cls, values: pa.Array, width: int) -> _Keys:
        """``values``: non-null, qualifying strings of at most ``width`` bytes (8k)."""
        n, k = len(values), width // 8
        if n == 0:
            return cls(np.zeros((0, k), np.uint64), np.zeros(0, np.uint64))
        padded = pc.utf8_rpad(values, width=width, padding="\x00")
        offsets = np.frombuffer(
            padded.buffers()[1], dtype=np.int32, count=n + 1, offset=4 * padded.offset
        )
        start = int(offsets[0])
        if int(offsets[-1]) - start != n * width:
            raise ValueError("not fixed-width")  # cannot happen for ASCII input
        raw = np.frombuffer(padded.buffers()[2], dtype=np.uint8, count=n * width, offset=start)
        words = raw.reshape(n, width).view(np.uint64)
        hashes = np.full(n, _SEED, dtype=np.uint64)
        for j in range(k):
            hashes ^= words[:, j]
            hashes *= _MIX
            hashes ^= hashes >> np.uint64(29)
        return cls(words, hashes)

    def rows(self, rows: IntArray | None) -> npt.NDArray[np.uint64]:
        """The keys at ``rows`` (all when None), gathered as whole rows."""
        if rows is None:
            return self.words
        k = self.words.shape[1]
        packed = self.words.view(np.dtype((np.void, 8 * k))).reshape(-1)
        return packed[rows].view(np.uint64).reshape(-1, k)

    def same(self, rows: IntArray | None, other: _Keys, other_rows: IntArray) -> BoolArray:
        """Whether the keys at ``rows`` equal ``other``'s keys at ``other_rows``."""
        mine, theirs = self.rows(rows), other.rows(other_rows)
        equal: BoolArray = mine[:, 0] == theirs[:, 0]
        for j in range(1, mine.shape[1]):
            equal &= mine[:, j] == theirs[:, j]
        return equal


def _qualifies(values: pa.Array, width: int) -> BoolArray:
    """Which values can be keys: ASCII, no NUL, at most ``width`` bytes, not null."""
    ok = pc.and_kleene(
        pc.and_kleene(pc.string_is_ascii(values), pc.invert(pc.match_substring(values, "\x00"))),
        pc.less_equal(pc.binary_length(values), width),
    )
    result: BoolArray = np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), bool)
    return result


@dataclass(frozen=True, eq=False)
class _HashTable:
    """Linear-probing table of entity rows keyed by id; -1 marks a free slot."""

    keys: _Keys
    width: int
    slots: npt.NDArray[np.int32]
    duplicate: bool  # building stopped at an id given twice

    @classmethod
    def build(cls, ids: pa.Array) -> _HashTable | None:
        """The table, or None when some id does not qualify as a key (or is too long)."""
        longest = pc.max(pc.binary_length(ids)).as_py() or 0
        width = max(8, -(-longest // 8) * 8)
        if not len(ids) or width > _MAX_WIDTH or not _qualifies(ids, width).all():
            return None
        keys = _Keys.of(ids, width)
        n = len(ids)
        bits = max(4, (2 * n).bit_length())
        slots = np.full(1 << bits, -1, dtype=np.int32)
        pending = np.arange(n, dtype=np.int32)
        where = (keys.hashes >> np.uint64(64 - bits)).astype(np.int64)
        while len(pending):
            free = slots[where] < 0
            slots[where[free]] = pending[free]
            holder = slots[where]
            blocked = holder != pending
            pending, where, holder = pending[blocked], where[blocked], holder[blocked]
            if len(pending) and keys.same(pending, keys, holder).any():
                return cls(keys, width, slots, duplicate=True)
            where = (where + 1) & (len(slots) - 1)
        return cls(keys, width, slots, duplicate=False)

    def find(self, values: pa.Array) -> IntArray:
        fits = _qualifies(values, self.width)
        if not fits.all():
            values = pc.if_else(pa.array(fits), values, "")
        keys = _Keys.of(values, self.width)
        bits = len(self.slots).bit_length() - 1
        where = (keys.hashes >> np.uint64(64 - bits)).astype(np.int64)
        found = np.full(len(values), -1, dtype=np.int64)
        rows: IntArray | None = None  # None: every row, without a gather
        while True:
            holder = self.slots[where]
            occupied = holder >= 0
            same = occupied & keys.same(rows, self.keys, np.maximum(holder, 0))
            found[same if rows is None else rows[same]] = holder[same]
            more = occupied & ~same
            if not more.any():
                break
            rows = np.flatnonzero(more) if rows is None else rows[more]
            where = (where[more] + 1) & (len(self.slots) - 1)
        found[~fits] = -1
        return found


def read_entities(path: PathLike) -> EntityColumns:
    """Read and validate an entities file (.csv, .parquet, .jsonl/.ndjson)."""
    return read_entities_indexed(path)[0]


def read_entities_indexed(path: PathLike) -> tuple[EntityColumns, EntityIndex]:
    """``read_entities`` plus its id index (also behind ``EntityColumns.find``)."""
    source = read_source(
        path,
        columns=ENTITY_COLUMNS,
        coded=("kind", "country", "legal_country", "listed"),
        loose=("listed",),
        required=("id",),
    )
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
    if index.has_duplicates():
        codes = pc.dictionary_encode(ids).indices.to_numpy()
        # A row repeats an id when its code is not above every code before it.
        seen_max = np.concatenate(([-1], np.maximum.accumulate(codes)[:-1]))
        duplicate = int((codes <= seen_max).argmax())
        first = int(np.flatnonzero(codes == codes[duplicate])[0])
        at_first = source.records([first])[0]
        raise source.error(
            f"duplicate id {show(ids[duplicate].as_py())}: already given at {at_first}",
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
            f"{show(code)} is not a country code: {country_hint(code)}", row=row, field=column
        )
    return col.take((found + 1).astype(np.int16), np.int16(0))
