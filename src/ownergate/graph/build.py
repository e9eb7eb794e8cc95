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

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)
from ownergate.domain.shares import SCALE

Array = Any
_SHORT = 16  # in-degree up to which duplicates are found by a scan instead of a lookup


@njit(cache=True)
def build_layer(
    rows: Array,
    owner: Array,
    nominee: Array,
    owned: Array,
    low_u: Array,
    high_u: Array,
    known: Array,
    low_x: Array,
    high_x: Array,
    seeds: Array,
    unit: int,
    capped_high: Array,
) -> tuple[
    Array, Array, Array, Array, Array, Array, Array, Array, Array, Array, Array, float, Array
]:
    """Merged edges ordered by owned entity, their member rows, conflicts and caps.

    ``low_u``/``high_u`` are the shares in ``unit``s (exact: ``unit`` divides every known
    share). Writes each unknown share's cap (1 minus the other low ends in its entity,
    treasury shares included) into ``capped_high`` (scaled); holdings into seeds are capped
    and checked but not emitted. A holding of an entity in itself (treasury shares) is not
    emitted either: the entity's other stakes are measured against what is outstanding
    (``_outstanding``).
    Returns (src, dst, low_units, high_units, low_x, high_x, uncertain, in_ptr, member_ptr,
    members, conflict mask, largest in-sum of high units (times the unit count of one
    whole where treasury shares make the sums be compared scaled), treasury): ``treasury``
    rows are (entity, outstanding units at the low end, at the high end).
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
    # The columns gathered in placed order once (independent loads, which the processor
    # overlaps), so that the walk per entity below reads them in sequence.
    ben = np.empty(m, dtype=np.int64)
    g_low = np.empty(m, dtype=np.int64)
    g_high = np.empty(m, dtype=np.int64)
    g_known = np.empty(m, dtype=np.bool_)
    g_lx = np.empty(m, dtype=np.bool_)
    g_hx = np.empty(m, dtype=np.bool_)
    for k in range(m):
        r = placed[k]
        ben[k] = nominee[r] if nominee[r] >= 0 else owner[r]
        g_low[k] = low_u[r]
        g_high[k] = high_u[r]
        g_known[k] = known[r]
        g_lx[k] = low_x[r]
        g_hx[k] = high_x[r]
    whole = SCALE // unit
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
    treasury = np.empty((m, 3), dtype=np.int64)
    n_treasury = 0
    edges = 0
    largest = 0.0
    for d in range(n):
        a, b = start[d], start[d + 1]
        if a == b:
            in_ptr[d + 1] = edges
            continue
        total = 0
        approx = 0.0
        own = 0
        for k in range(a, b):
            if g_known[k]:
                total += g_low[k]
                approx += g_low[k] / whole
                if ben[k] == d:
                    own += g_low[k]
        huge = approx >= 9.0  # int64 sums of 1e-18 units would overflow past ~9.2
        if huge or total > whole or own >= whole:
            conflict[d] = True  # over 100%, or an entity holding all of itself
        cap = 0 if huge else max(0, whole - total)
        for k in range(a, b):
            if not g_known[k]:
                g_high[k] = cap
                capped_high[placed[k]] = cap * unit
        if seeds[d]:
            in_ptr[d + 1] = edges
            continue
        first = edges
        t_lo = 0
        t_hi = 0
        t_lx = False
        t_hx = False
        has_t = False
        for k in range(a, b):
            s = ben[k]
            if s == d:
                has_t = True
                if g_known[k]:
                    t_lo += g_low[k]
                    t_lx |= g_lx[k]
                    t_hx |= g_hx[k]
                t_hi += g_high[k]
                continue
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
            if g_known[k]:
                lo_u[e] += g_low[k]
                lx[e] |= g_lx[k]
                hx[e] |= g_hx[k]
                unc[e] |= g_low[k] != g_high[k]
            else:
                unc[e] = True
            hi_u[e] += g_high[k]
        in_ptr[d + 1] = edges
        in_sum = 0.0
        for j in range(first, edges):
            in_sum += hi_u[j]
        if has_t:
            d_lo = _outstanding(lo_u, lx, first, edges, whole - t_lo, t_lx, False)
            d_hi = _outstanding(hi_u, hx, first, edges, whole - t_hi, t_hx, True)
            for j in range(first, edges):
                unc[j] |= d_lo != d_hi or t_lx or t_hx
            treasury[n_treasury, 0] = d
            treasury[n_treasury, 1] = d_lo
            treasury[n_treasury, 2] = d_hi
            n_treasury += 1
            in_sum *= whole
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
        treasury[:n_treasury].copy(),
    )


@njit(cache=True)
def _outstanding(
    units: Array, excl: Array, first: int, last: int, out: int, t_excl: bool, high: bool
) -> int:
    """Measure the stakes ``units[first:last]`` of one entity against ``out`` outstanding
    units (docs/semantics.md §1, treasury shares), in place; returns the denominator.

    A stake becomes ``units / out`` capped at one whole (``units`` capped at ``out``). With
    nothing outstanding (a treasury share of 100% at this end) every positive stake counts
    whole: the denominator is 1 and the stake 1. An exclusive treasury bound makes every
    uncapped positive stake exclusive (at the low end the true share is larger, at the high
    end smaller); a capped one is exactly whole.
    """
    if out <= 0:
        for j in range(first, last):
            if units[j] > 0:
                units[j] = 1
                excl[j] = False
        return 1
    for j in range(first, last):
        capped = units[j] > out if high else units[j] >= out
        if capped:
            units[j] = min(units[j], out)
            excl[j] = False
        elif t_excl and units[j] > 0:
            excl[j] = True
    return out


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
