"""Compiled construction of a layer's CSR arrays (numba): counting sorts, no comparisons.

One pass counts holdings per owned entity and one places them; then, entity by entity
(a sequential walk), the low ends are summed for conflicts and unknown-share caps, and the
holdings of one owner in one entity are merged (share classes, several nominees for one
principal). A counting sort by owner gives the out-going view. All O(holdings + entities).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ownergate.domain.shares import SCALE

Array = Any
_SHORT = 16  # in-degree up to which duplicates are found by a scan instead of a lookup


@njit(cache=True)
def build_layer(
    rows: Array,
    owner: Array,
    nominee: Array,
    owned: Array,
    low: Array,
    high: Array,
    known: Array,
    low_x: Array,
    high_x: Array,
    seeds: Array,
    unit: int,
    capped_high: Array,
) -> tuple[Array, Array, Array, Array, Array, Array, Array, Array, Array, Array, Array, float]:
    """Merged edges ordered by owned entity, their member rows, conflicts and caps.

    Writes each unknown share's cap (1 minus the other low ends in its entity) into
    ``capped_high``; holdings into seeds are capped and checked but not emitted.
    Returns (src, dst, low_units, high_units, low_x, high_x, uncertain, in_ptr, member_ptr,
    members, conflict mask, largest in-sum of high units).
    """
    n = len(seeds)
    m = len(rows)
    count = np.zeros(n + 1, dtype=np.int64)
    for k in range(m):
        count[owned[rows[k]] + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    placed = np.empty(m, dtype=np.int64)
    for k in range(m):
        r = rows[k]
        d = owned[r]
        placed[fill[d]] = r
        fill[d] += 1
    conflict = np.zeros(n, dtype=np.bool_)
    seen_in = np.full(n, -1, dtype=np.int64)
    slot = np.empty(n, dtype=np.int64)
    edge_of = np.full(m, -1, dtype=np.int64)
    src = np.empty(m, dtype=np.int32)
    dst = np.empty(m, dtype=np.int32)
    lo_u = np.zeros(m, dtype=np.int64)
    hi_u = np.zeros(m, dtype=np.int64)
    lx = np.zeros(m, dtype=np.bool_)
    hx = np.zeros(m, dtype=np.bool_)
    unc = np.zeros(m, dtype=np.bool_)
    in_ptr = np.zeros(n + 1, dtype=np.int64)
    edges = 0
    largest = 0.0
    for d in range(n):
        a, b = start[d], start[d + 1]
        if a == b:
            in_ptr[d + 1] = edges
            continue
        total = 0
        approx = 0.0
        for k in range(a, b):
            r = placed[k]
            if known[r]:
                total += low[r]
                approx += low[r] / SCALE
        huge = approx >= 9.0  # int64 sums of 1e-18 units would overflow past ~9.2
        if huge or total > SCALE:
            conflict[d] = True
        cap = 0 if huge else max(0, SCALE - total)
        for k in range(a, b):
            r = placed[k]
            if not known[r]:
                capped_high[r] = cap
        if seeds[d]:
            in_ptr[d + 1] = edges
            continue
        first = edges
        for k in range(a, b):
            r = placed[k]
            s = nominee[r] if nominee[r] >= 0 else owner[r]
            e = -1
            if b - a <= _SHORT:
                for j in range(first, edges):
                    if src[j] == s:
                        e = j
                        break
            elif seen_in[s] == d:
                e = slot[s]
            if e < 0:
                e = edges
                src[e] = s
                dst[e] = d
                edges += 1
                if b - a > _SHORT:
                    seen_in[s] = d
                    slot[s] = e
            edge_of[k] = e
            if known[r]:
                lo_u[e] += low[r] // unit
                lx[e] |= low_x[r]
                hx[e] |= high_x[r]
                unc[e] |= low[r] != high[r]
            else:
                unc[e] = True
            hi_u[e] += capped_high[r] // unit
        in_ptr[d + 1] = edges
        in_sum = 0.0
        for j in range(first, edges):
            in_sum += hi_u[j]
        largest = max(largest, in_sum)
    member_count = np.zeros(edges + 1, dtype=np.int64)
    for k in range(m):
        if edge_of[k] >= 0:
            member_count[edge_of[k] + 1] += 1
    member_ptr = np.cumsum(member_count)
    mfill = member_ptr[:-1].copy()
    members = np.empty(member_ptr[-1], dtype=np.int64)
    for k in range(m):
        e = edge_of[k]
        if e >= 0:
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
        conflict,
        largest,
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
