"""A part of a registry that decides some entities on its own: those entities and
everything upstream of them.

An entity's decision depends only on itself and what lies upstream (``downstream``'s
converse), so screening the upstream closure of a set of entities gives them the same
decisions as screening the whole registry; re-screening after a small change screens that
instead of millions of rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)
from ownergate.graph.tables import EntityColumns, HoldingColumns

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def _take(column: Any, rows: IntArray) -> Any:
    if column is None:
        return None
    if isinstance(column, pa.ChunkedArray | pa.Array):
        return column.take(pa.array(rows))
    return np.asarray(column, dtype=object)[rows]


@njit(cache=True)
def _upstream(
    n: int, owner: Any, nominee: Any, owned: Any, stop: Any, start: int
) -> npt.NDArray[np.bool_]:
    count = np.zeros(n + 1, dtype=np.int64)
    for k in range(len(owned)):
        count[owned[k] + 1] += 1
    ptr = np.cumsum(count)
    fill = ptr[:-1].copy()
    into = np.empty(len(owned), dtype=np.int64)
    for k in range(len(owned)):
        into[fill[owned[k]]] = k
        fill[owned[k]] += 1
    keep = np.zeros(n, dtype=np.bool_)
    keep[start] = True
    queue = np.empty(n, dtype=np.int64)
    queue[0] = start
    head, tail = 0, 1
    while head < tail:
        v = queue[head]
        head += 1
        if stop[v] and v != start:
            continue
        for i in range(ptr[v], ptr[v + 1]):
            k = into[i]
            for u in (owner[k], nominee[k]):
                if u >= 0 and not keep[u]:
                    keep[u] = True
                    queue[tail] = u
                    tail += 1
    return keep


def upstream_of(n: int, holds: HoldingColumns, row: int, stop: BoolArray) -> BoolArray:
    """Row ``row`` and everything upstream of it (owners, principals of nominee holdings,
    their owners, ...), not looking past the ``stop`` rows (seeds: what holds them does
    not matter)."""
    out: BoolArray = _upstream(
        n, holds.owner, holds.nominee_for, holds.owned, np.asarray(stop, dtype=np.bool_), row
    )
    return out


def take(
    ents: EntityColumns,
    holds: HoldingColumns,
    keep: BoolArray,
    into: BoolArray | None = None,
) -> tuple[EntityColumns, HoldingColumns, IntArray]:
    """The registry of the ``keep`` rows and the holdings into them, and the original row
    of each new one. ``keep`` must be closed upstream (``downstream.upstream``): every owner of a
    kept row is kept. With ``into``, only holdings into the ``into`` rows are taken (the
    closure need only hold for those)."""
    rows = np.flatnonzero(keep).astype(np.int64)
    new_row = np.full(len(keep), -1, dtype=np.int64)
    new_row[rows] = np.arange(len(rows))
    mine = keep[holds.owned] if into is None else (keep & into)[holds.owned]
    if not keep[holds.owner[mine]].all():
        raise ValueError("the rows kept are not closed upstream")
    nominee = holds.nominee_for[mine]
    sub_ents = EntityColumns(
        ids=_take(ents.ids, rows),
        kind=ents.kind[rows],
        country=ents.country[rows],
        legal_country=ents.legal_country[rows],
        listed=ents.listed[rows],
        country_vocab=ents.country_vocab,
        names=_take(ents.names, rows),
    )
    kind = holds.owner.dtype
    sub_holds = HoldingColumns(
        owner=new_row[holds.owner[mine]].astype(kind),
        owned=new_row[holds.owned[mine]].astype(kind),
        nominee_for=np.where(nominee >= 0, new_row[np.maximum(nominee, 0)], nominee).astype(
            holds.nominee_for.dtype
        ),
        low=holds.low[mine],
        high=holds.high[mine],
        low_exclusive=holds.low_exclusive[mine],
        high_exclusive=holds.high_exclusive[mine],
        known=holds.known[mine],
        basis=holds.basis[mine],
        start=holds.start[mine],
        end=holds.end[mine],
    )
    return sub_ents, sub_holds, rows
