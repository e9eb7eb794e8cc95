"""Columnar entity and holding tables: the contract between readers and the engine.

Readers (``interchange``, later the registry importers) validate files and produce these
arrays; the engine never sees strings other than ids. Shares are integers scaled by
``SCALE`` (1e-18 units), exact for every parsed decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergate.domain.model import BASES, KINDS, Entity, Holding
from ownergate.domain.shares import SCALE, from_scaled, to_scaled
from ownergate.domain.shares import Share as ShareValue

EPOCH = dt.date(1970, 1, 1)
OPEN_START = np.iinfo(np.int32).min
OPEN_END = np.iinfo(np.int32).max
NO_NOMINEE = -1

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def text(value: Any) -> str:
    """A cell of an id or name column as ``str`` (numpy object or pyarrow string column)."""
    if hasattr(value, "as_py"):
        value = value.as_py()
    return "" if value is None else str(value)


@dataclass(frozen=True)
class EntityColumns:
    """One row per entity. ``country``/``legal_country`` index ``country_vocab`` (0 = unknown).

    ``ids`` and ``names`` are any indexable string columns (a numpy object array, or the
    reader's own pyarrow array, kept as it is so millions of ids are never boxed); read
    them through ``text``. ``find`` maps an id to its row where the reader has an index.
    """

    ids: Any
    kind: npt.NDArray[np.int8]
    country: npt.NDArray[np.int16]
    legal_country: npt.NDArray[np.int16]
    listed: BoolArray
    country_vocab: tuple[str, ...]
    names: Any = None
    find: Callable[[str], int | None] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def id(self, i: int) -> str:
        return text(self.ids[int(i)])

    def position(self, entity_id: str) -> int | None:
        """The row of ``entity_id``, or None when there is no such entity."""
        if self.find is not None:
            return self.find(entity_id)
        hits = np.flatnonzero(np.asarray(self.ids, dtype=object) == entity_id)
        return int(hits[0]) if len(hits) else None

    def record(self, i: int) -> Entity:
        vocab = self.country_vocab
        return Entity(
            id=self.id(i),
            name=text(self.names[i]) if self.names is not None else "",
            kind=KINDS[int(self.kind[i])],
            country=vocab[int(self.country[i])] or None,
            legal_country=vocab[int(self.legal_country[i])] or None,
            listed=bool(self.listed[i]),
        )


@dataclass(frozen=True)
class HoldingColumns:
    """One row per holding as given (before nominee attribution, dates and merging).

    ``low``/``high`` are scaled shares; for an unknown share (``known`` false) they are
    0 and ``SCALE`` and the cap is applied when the graph is prepared. ``start``/``end`` are
    day numbers since 1970-01-01 with ``OPEN_START``/``OPEN_END`` for open bounds.
    """

    owner: IntArray
    owned: IntArray
    nominee_for: IntArray
    low: IntArray
    high: IntArray
    low_exclusive: BoolArray
    high_exclusive: BoolArray
    known: BoolArray
    basis: npt.NDArray[np.int8]
    start: npt.NDArray[np.int32]
    end: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.owner)

    def record(self, i: int, ids: Any) -> Holding:
        known = bool(self.known[i])
        share = (
            ShareValue(
                from_scaled(int(self.low[i])),
                from_scaled(int(self.high[i])),
                bool(self.low_exclusive[i]),
                bool(self.high_exclusive[i]),
            )
            if known
            else ShareValue.unknown()
        )
        nominee = int(self.nominee_for[i])
        start, end = int(self.start[i]), int(self.end[i])
        return Holding(
            owner=text(ids[int(self.owner[i])]),
            owned=text(ids[int(self.owned[i])]),
            share=share,
            basis=BASES[int(self.basis[i])],
            nominee_for=text(ids[nominee]) if nominee != NO_NOMINEE else None,
            start=None if start == OPEN_START else EPOCH + dt.timedelta(days=start),
            end=None if end == OPEN_END else EPOCH + dt.timedelta(days=end),
        )


HOLDING_COLUMNS: tuple[str, ...] = (
    "owner",
    "owned",
    "nominee_for",
    "low",
    "high",
    "low_exclusive",
    "high_exclusive",
    "known",
    "basis",
    "start",
    "end",
)
"""The fields of ``HoldingColumns`` in storage order."""


def columns_from_records(
    entities: Sequence[Entity], holdings: Sequence[Holding]
) -> tuple[EntityColumns, HoldingColumns]:
    """Build columnar tables from records (tests, explanations, small inline graphs).

    Ids in holdings must name entities; a ``KeyError`` names the first that does not.
    """
    vocab: dict[str, int] = {"": 0}
    for e in entities:
        for c in (e.country, e.legal_country):
            if c and c not in vocab:
                vocab[c] = len(vocab)
    index = {e.id: i for i, e in enumerate(entities)}
    ents = EntityColumns(
        ids=np.array([e.id for e in entities], dtype=object),
        kind=np.array([KINDS.index(e.kind) for e in entities], dtype=np.int8),
        country=np.array([vocab[e.country or ""] for e in entities], dtype=np.int16),
        legal_country=np.array([vocab[e.legal_country or ""] for e in entities], dtype=np.int16),
        listed=np.array([e.listed for e in entities], dtype=bool),
        country_vocab=tuple(vocab),
        names=np.array([e.name for e in entities], dtype=object),
    )
    n = len(holdings)
    hold = HoldingColumns(
        owner=np.array([index[h.owner] for h in holdings], dtype=np.int64).reshape(n),
        owned=np.array([index[h.owned] for h in holdings], dtype=np.int64).reshape(n),
        nominee_for=np.array(
            [index[h.nominee_for] if h.nominee_for else NO_NOMINEE for h in holdings],
            dtype=np.int64,
        ).reshape(n),
        low=np.array(
            [to_scaled(h.share.low) if h.share.known else 0 for h in holdings], dtype=np.int64
        ).reshape(n),
        high=np.array(
            [to_scaled(h.share.high) if h.share.known else SCALE for h in holdings],
            dtype=np.int64,
        ).reshape(n),
        low_exclusive=np.array([h.share.low_exclusive for h in holdings], dtype=bool).reshape(n),
        high_exclusive=np.array([h.share.high_exclusive for h in holdings], dtype=bool).reshape(n),
        known=np.array([h.share.known for h in holdings], dtype=bool).reshape(n),
        basis=np.array([BASES.index(h.basis) for h in holdings], dtype=np.int8).reshape(n),
        start=np.array(
            [day_number(h.start) if h.start else OPEN_START for h in holdings], dtype=np.int32
        ).reshape(n),
        end=np.array(
            [day_number(h.end) if h.end else OPEN_END for h in holdings], dtype=np.int32
        ).reshape(n),
    )
    return ents, hold
