"""A dependency order of a whole registry: the numbering snapshots give their entities.

Every holding of the registry (any basis, any date, nominees attributed to their
principals) runs from an earlier entity to a later one, except inside a strongly connected
block (cross-holdings), whose members are numbered side by side. The holdings any policy
counts on any day are a subset of these, so the numbering is a dependency order for every
prepared graph: the effective method walks entities in row order, blocks whole, without
ordering them per run, and the arrays it reads are read nearly in order. Roots (entities
nobody holds) come first, each followed depth-first by what it owns, so a corporate group
lies together.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ownergate.graph.build import order_by_source
from ownergate.graph.condense import blocks_of, tarjan_order
from ownergate.graph.tables import HoldingColumns

IntArray = npt.NDArray[np.int64]


def dependency_order(n: int, holdings: HoldingColumns) -> tuple[IntArray, IntArray]:
    """(order, blocks): ``order[i]`` is the current row of the entity to number ``i``;
    ``blocks`` are the (start, end) ranges of the new numbers that form cross-holding
    blocks (more than one entity), sorted."""
    owner = np.where(holdings.nominee_for >= 0, holdings.nominee_for, holdings.owner)
    keep = owner != holdings.owned
    src = owner[keep].astype(np.int64)
    dst = holdings.owned[keep].astype(np.int64)
    out_ptr, out_edge = order_by_source(src, n)
    held = np.bincount(dst, minlength=n) > 0
    roots = np.concatenate([np.flatnonzero(~held), np.flatnonzero(held)])
    usable = np.ones(len(dst), dtype=np.bool_)
    order, comp_ptr = tarjan_order(roots, out_ptr, out_edge, dst, usable, n)
    blocks, _ = blocks_of(order, comp_ptr, n)
    out: IntArray = blocks
    return order, out


def renumbering(order: IntArray) -> IntArray:
    """The new number of every current row: the inverse of ``order``."""
    new = np.empty(len(order), dtype=np.int64)
    new[order] = np.arange(len(order), dtype=np.int64)
    return new
