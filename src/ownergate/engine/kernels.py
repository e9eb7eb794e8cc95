"""Compiled worklist kernels (numba) for the two methods' hot loops.

Each kernel is a plain loop over CSR arrays; ``kernel.py_func`` is the same code run by the
Python interpreter, which the engine uses with Python-integer arrays when the data's decimal
resolution would overflow int64 sums.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)

# numba's decorator is untyped; the kernels are called through these aliases.
Array = Any


@njit(cache=True)
def control_worklist(
    out_ptr: Array,
    out_edge: Array,
    dst: Array,
    units: Array,
    excl: Array,
    total: Array,
    strict: Array,
    restricted: Array,
    rank: Array,
    queue: Array,
    head: int,
    tail: int,
    threshold: Any,
    inclusive: bool,
    low_end: bool,
    plain: Array,
    denom: Array,
    whole: Any,
) -> int:
    """Grow the restricted set from ``queue[head:tail]`` until nothing more passes.

    ``total``/``strict`` accumulate, per entity, the stakes held by restricted owners and
    whether one of them has an exclusive bound (also after the entity is restricted, so that
    ``total`` ends as its restricted share). Where an entity holds treasury shares
    (``plain`` false) its stakes are units of ``denom[v]``, not of ``whole``: the sum is
    compared as ``total · whole`` against ``threshold · denom[v]``. Returns the new tail.
    """
    while head < tail:
        u = queue[head]
        head += 1
        for k in range(out_ptr[u], out_ptr[u + 1]):
            e = out_edge[k]
            v = dst[e]
            total[v] += units[e]
            if excl[e]:
                strict[v] = True
            if restricted[v]:
                continue
            s = total[v]
            t = threshold
            if not plain[v]:
                s = s * whole
                t = threshold * denom[v]
            if s > t:
                ok = True
            elif s == t:
                ok = (inclusive or strict[v]) if low_end else (inclusive and not strict[v])
            else:
                ok = False
            if ok:
                restricted[v] = True
                rank[v] = rank[u] + 1
                queue[tail] = v
                tail += 1
    return tail


@njit(cache=True)
def control_single_owner(
    out_ptr: Array,
    out_edge: Array,
    dst: Array,
    passing: Array,
    restricted: Array,
    rank: Array,
    queue: Array,
    head: int,
    tail: int,
) -> int:
    """UK style: reach along single stakes that pass the threshold on their own."""
    while head < tail:
        u = queue[head]
        head += 1
        for k in range(out_ptr[u], out_ptr[u + 1]):
            e = out_edge[k]
            v = dst[e]
            if passing[e] and not restricted[v]:
                restricted[v] = True
                rank[v] = rank[u] + 1
                queue[tail] = v
                tail += 1
    return tail


def warm_up() -> None:
    """Compile (or load from cache) every kernel on tiny inputs."""
    ptr = np.zeros(2, dtype=np.int64)
    empty = np.zeros(0, dtype=np.int64)
    flags = np.zeros(1, dtype=np.bool_)
    queue = np.zeros(1, dtype=np.int32)
    rank = np.zeros(1, dtype=np.int32)
    control_worklist(
        ptr,
        empty,
        empty,
        empty,
        np.zeros(0, dtype=np.bool_),
        np.zeros(1, dtype=np.int64),
        np.zeros(1, dtype=np.bool_),
        flags.copy(),
        rank,
        queue,
        0,
        0,
        0,
        False,
        True,
        np.ones(1, dtype=np.bool_),
        np.zeros(0, dtype=np.int64),
        1,
    )


@njit(cache=True)
def ancestors_in_order(
    in_ptr: Array, src: Array, live: Array, seeds: Array, targets: Array, n: int
) -> tuple[Array, int]:
    """Ancestors of ``targets`` along live holdings (seeds not expanded), in Kahn order.

    Returns (nodes, settled): ``nodes[:settled]`` is a topological order (owners before
    owned); the rest sit in or below a cross-holding.
    """
    mark = np.zeros(n, dtype=np.bool_)
    nodes = np.empty(n, dtype=np.int64)
    count = 0
    for t in targets:
        if not mark[t]:
            mark[t] = True
            nodes[count] = t
            count += 1
    head = 0
    while head < count:
        v = nodes[head]
        head += 1
        if seeds[v]:
            continue
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if live[e]:
                u = src[e]
                if not mark[u]:
                    mark[u] = True
                    nodes[count] = u
                    count += 1
    nodes = nodes[:count]
    # Kahn's algorithm on the ancestor set, with a local out-adjacency built from in-edges.
    local = np.full(n, -1, dtype=np.int64)
    for i in range(count):
        local[nodes[i]] = i
    indeg = np.zeros(count, dtype=np.int64)
    out_count = np.zeros(count + 1, dtype=np.int64)
    for i in range(count):
        v = nodes[i]
        if seeds[v]:
            continue
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if live[e]:
                indeg[i] += 1
                out_count[local[src[e]] + 1] += 1
    out_ptr = np.cumsum(out_count)
    fill = out_ptr[:-1].copy()
    out_node = np.empty(out_ptr[-1], dtype=np.int64)
    for i in range(count):
        v = nodes[i]
        if seeds[v]:
            continue
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if live[e]:
                j = local[src[e]]
                out_node[fill[j]] = i
                fill[j] += 1
    order = np.empty(count, dtype=np.int64)
    placed = np.zeros(count, dtype=np.bool_)
    settled = 0
    for i in range(count):
        if indeg[i] == 0:
            order[settled] = i
            placed[i] = True
            settled += 1
    head = 0
    while head < settled:
        j = order[head]
        head += 1
        for k in range(out_ptr[j], out_ptr[j + 1]):
            i = out_node[k]
            indeg[i] -= 1
            if indeg[i] == 0:
                order[settled] = i
                placed[i] = True
                settled += 1
    rest = settled
    for i in range(count):
        if not placed[i]:
            order[rest] = i
            rest += 1
    return nodes[order], settled
