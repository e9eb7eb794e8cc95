"""Compiled construction of a layer's CSR arrays (numba): counting sorts, no comparisons.

One pass counts holdings per owned entity, one places them, one merges the holdings of the
same owner in the same entity (share classes, several nominees for one principal), and one
counting sort by owner gives the out-going view. All O(holdings + entities).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

Array = Any


@njit(cache=True)
def merge_by_owned(
    rows: Array,
    owner: Array,
    owned: Array,
    low: Array,
    high: Array,
    low_x: Array,
    high_x: Array,
    uncertain: Array,
    n: int,
    unit: int,
) -> tuple[Array, Array, Array, Array, Array, Array, Array, Array, Array, Array, Array]:
    """Merged edges ordered by owned entity, with their member rows grouped per edge."""
    m = len(rows)
    in_count = np.zeros(n + 1, dtype=np.int64)
    for k in range(m):
        in_count[owned[rows[k]] + 1] += 1
    start = np.cumsum(in_count)
    fill = start[:-1].copy()
    placed = np.empty(m, dtype=np.int64)
    for k in range(m):
        r = rows[k]
        d = owned[r]
        placed[fill[d]] = r
        fill[d] += 1
    # Merge duplicates (owner, owned) inside each owned entity's run.
    seen_in = np.full(n, -1, dtype=np.int64)
    slot = np.empty(n, dtype=np.int64)
    edge_of = np.empty(m, dtype=np.int64)
    src = np.empty(m, dtype=np.int32)
    dst = np.empty(m, dtype=np.int32)
    lo_u = np.zeros(m, dtype=np.int64)
    hi_u = np.zeros(m, dtype=np.int64)
    lx = np.zeros(m, dtype=np.bool_)
    hx = np.zeros(m, dtype=np.bool_)
    unc = np.zeros(m, dtype=np.bool_)
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    edges = 0
    for d in range(n):
        for k in range(start[d], start[d + 1]):
            r = placed[k]
            s = owner[r]
            if seen_in[s] == d:
                e = slot[s]
            else:
                seen_in[s] = d
                slot[s] = edges
                e = edges
                src[e] = s
                dst[e] = d
                edges += 1
            edge_of[k] = e
            lo_u[e] += low[r] // unit
            hi_u[e] += high[r] // unit
            lx[e] |= low_x[r]
            hx[e] |= high_x[r]
            unc[e] |= uncertain[r]
        in_ptr[d + 1] = edges
    # Member rows of each edge, grouped (an edge's rows may be interleaved with others').
    member_count = np.zeros(edges + 1, dtype=np.int64)
    for k in range(m):
        member_count[edge_of[k] + 1] += 1
    member_ptr = np.cumsum(member_count)
    mfill = member_ptr[:-1].copy()
    members = np.empty(m, dtype=np.int64)
    for k in range(m):
        e = edge_of[k]
        members[mfill[e]] = placed[k]
        mfill[e] += 1
    return (
        src[:edges],
        dst[:edges],
        lo_u[:edges],
        hi_u[:edges],
        lx[:edges],
        hx[:edges],
        unc[:edges],
        in_ptr,
        member_ptr,
        members,
        np.int64(edges),
    )


@njit(cache=True)
def order_by_source(src: Array, n: int) -> tuple[Array, Array]:
    """Counting sort of edge ids by owner: (out_ptr, out_edge)."""
    count = np.zeros(n + 1, dtype=np.int64)
    for e in range(len(src)):
        count[src[e] + 1] += 1
    out_ptr = np.cumsum(count)
    fill = out_ptr[:-1].copy()
    out_edge = np.empty(len(src), dtype=np.int64)
    for e in range(len(src)):
        s = src[e]
        out_edge[fill[s]] = e
        fill[s] += 1
    return out_ptr, out_edge
