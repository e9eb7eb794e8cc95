"""Where a registry change can reach: the entities downstream of the changed ones.

An entity's decision depends only on itself and what lies upstream of it (its owners, their
owners, ..., with their data and holdings). If nothing upstream of an entity changed
between two registries, neither did its decision; so after a change only the entities
reachable from the changed ones (``snapshots.diff``: ``touched``, the entities whose own
data or incoming holdings changed) along the new registry's holdings need deciding again.
Holdings are followed from their owner and, for a nominee holding, from the beneficial
owner it is attributed to.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ownergate.graph.tables import EntityColumns, HoldingColumns, text

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def edges(holds: HoldingColumns) -> tuple[IntArray, IntArray]:
    """(owner, owned) pairs along which a decision depends: each holding, and for a
    nominee holding also its beneficial owner's attributed stake."""
    nominee = holds.nominee_for >= 0
    src = np.concatenate([holds.owner, holds.nominee_for[nominee]]).astype(np.int64)
    dst = np.concatenate([holds.owned, holds.owned[nominee]]).astype(np.int64)
    keep = (src >= 0) & (dst >= 0)
    return src[keep], dst[keep]


def reach(n: int, src: IntArray, dst: IntArray, start: BoolArray) -> BoolArray:
    """Rows reachable from ``start`` along the edges ``src -> dst``, ``start`` included."""
    edges = sparse.csr_matrix((np.ones(len(src), dtype=np.int8), (dst, src)), shape=(n, n))
    reached = start.copy()
    frontier = start.copy()
    while frontier.any():
        # One step from the whole frontier at once: a sparse matrix-vector product.
        step = edges @ frontier.astype(np.int8) > 0
        frontier = step & ~reached
        reached |= frontier
    return reached


def downstream(n: int, holds: HoldingColumns, start: BoolArray) -> BoolArray:
    """Rows reachable from ``start`` (rows of the registry ``holds`` belongs to, ``n`` of
    them) along its holdings, ``start`` included."""
    src, dst = edges(holds)
    return reach(n, src, dst, start)


def upstream(n: int, holds: HoldingColumns, start: BoolArray) -> BoolArray:
    """Rows from which a ``start`` row is reachable along holdings (owners, beneficial
    owners of nominee holdings, their owners, ...), ``start`` included."""
    src, dst = edges(holds)
    return reach(n, dst, src, start)


def touched_rows(ents: EntityColumns, touched: Iterable[str] | pa.Array) -> BoolArray:
    """Which rows of ``ents`` have one of the ``touched`` ids."""
    wanted = touched if isinstance(touched, pa.Array) else pa.array(list(touched), pa.string())
    ids = ents.ids
    if isinstance(ids, pa.ChunkedArray):
        ids = ids.combine_chunks()
    if not isinstance(ids, pa.Array):
        ids = pa.array([text(i) for i in ids], pa.string())
    hit = pc.is_in(ids.cast(pa.string()), value_set=wanted.cast(pa.string()))
    return np.asarray(pc.fill_null(hit, False).to_numpy(zero_copy_only=False), dtype=bool)


def affected(
    ents: EntityColumns, holds: HoldingColumns, touched: Iterable[str] | pa.Array
) -> BoolArray:
    """Rows of the registry ``(ents, holds)`` whose decision a change can have altered:
    downstream of the ``touched`` ids it holds (ids it no longer holds are ignored)."""
    return downstream(len(ents.ids), holds, touched_rows(ents, touched))
