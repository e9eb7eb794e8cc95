"""Strongly connected components in dependency order (compiled).

``tarjan_order`` orders every entity reachable from some roots so that owners come before
what they own, a component's members side by side. ``condense`` is the effective method's
schedule where the entity numbering is not such an order already (``graph/order.py``
makes snapshots numbered so): what seeds reach, components upstream first, so one pass
settles each after everything that feeds it; a component of one entity needs no solve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)

Array = Any


@njit(cache=True)
def tarjan_order(
    roots: Array, out_ptr: Array, out_edge: Array, dst: Array, usable: Array, n: int
) -> tuple[Array, Array]:
    """Entities reachable from ``roots`` along ``usable`` holdings, by components.

    Iterative Tarjan, roots taken in the order given. Returns (order, comp_ptr):
    ``order[comp_ptr[c]:comp_ptr[c + 1]]`` are the members of component ``c``, every
    component after all the components that hold stakes in it.
    """
    index = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    on_stack = np.zeros(n, dtype=np.bool_)
    stack = np.empty(n, dtype=np.int64)
    call_node = np.empty(n, dtype=np.int64)
    call_next = np.empty(n, dtype=np.int64)
    found = np.empty(n, dtype=np.int64)
    starts = np.empty(n + 1, dtype=np.int64)
    pos = 0  # members are written in completion order (downstream first), reversed below
    comps = 0
    counter = 0
    sp = 0
    for root in roots:
        if index[root] >= 0:
            continue
        index[root] = counter
        low[root] = counter
        counter += 1
        stack[sp] = root
        sp += 1
        on_stack[root] = True
        csp = 0
        call_node[csp] = root
        call_next[csp] = out_ptr[root]
        csp += 1
        while csp > 0:
            v = call_node[csp - 1]
            k = call_next[csp - 1]
            if k < out_ptr[v + 1]:
                call_next[csp - 1] = k + 1
                e = out_edge[k]
                if not usable[e]:
                    continue
                w = dst[e]
                if index[w] < 0:
                    index[w] = counter
                    low[w] = counter
                    counter += 1
                    stack[sp] = w
                    sp += 1
                    on_stack[w] = True
                    call_node[csp] = w
                    call_next[csp] = out_ptr[w]
                    csp += 1
                elif on_stack[w] and index[w] < low[v]:
                    low[v] = index[w]
                continue
            csp -= 1
            if low[v] == index[v]:
                starts[comps] = pos
                comps += 1
                while True:
                    sp -= 1
                    x = stack[sp]
                    on_stack[x] = False
                    found[pos] = x
                    pos += 1
                    if x == v:
                        break
            if csp > 0:
                p = call_node[csp - 1]
                if low[v] < low[p]:
                    low[p] = low[v]
    starts[comps] = pos
    order = np.empty(pos, dtype=np.int64)
    comp_ptr = np.empty(comps + 1, dtype=np.int64)
    at = 0
    for c in range(comps - 1, -1, -1):  # upstream components first
        comp_ptr[comps - 1 - c] = at
        for i in range(starts[c], starts[c + 1]):
            order[at] = found[i]
            at += 1
    comp_ptr[comps] = pos
    return order, comp_ptr


@njit(cache=True)
def blocks_of(order: Array, comp_ptr: Array, n: int) -> tuple[Array, Array]:
    """The components of more than one entity as (start, end) positions in ``order``, and
    each entity's block index (-1: in a component of its own)."""
    big = 0
    for c in range(len(comp_ptr) - 1):
        if comp_ptr[c + 1] - comp_ptr[c] > 1:
            big += 1
    blocks = np.empty((big, 2), dtype=np.int64)
    block_of = np.full(n, -1, dtype=np.int32)
    k = 0
    for c in range(len(comp_ptr) - 1):
        if comp_ptr[c + 1] - comp_ptr[c] > 1:
            blocks[k, 0] = comp_ptr[c]
            blocks[k, 1] = comp_ptr[c + 1]
            for i in range(comp_ptr[c], comp_ptr[c + 1]):
                block_of[order[i]] = k
            k += 1
    return blocks, block_of


@njit(cache=True)
def reach_from(
    out_ptr: Array, out_edge: Array, dst: Array, live: Array, reach: Array, queue: Array, tail: int
) -> int:
    """Mark everything reachable from ``queue[:tail]`` along live edges."""
    head = 0
    while head < tail:
        u = queue[head]
        head += 1
        for k in range(out_ptr[u], out_ptr[u + 1]):
            e = out_edge[k]
            if live[e]:
                v = dst[e]
                if not reach[v]:
                    reach[v] = True
                    queue[tail] = v
                    tail += 1
    return tail


@njit(cache=True)
def condense(
    seeds: Array, out_ptr: Array, out_edge: Array, dst: Array, live: Array
) -> tuple[Array, Array, Array]:
    """What the seeds reach along ``live`` holdings, in components along the same holdings
    (so that everything an entity is reached from comes before it).

    Returns (order, blocks, block_of): ``order`` lists what the seeds reach, components
    upstream first; ``blocks`` are the (start, end) positions in ``order`` of the
    components of more than one entity, and ``block_of`` each entity's block (-1: none).
    """
    n = len(seeds)
    reach = seeds.copy()
    queue = np.empty(n, dtype=np.int64)
    start = np.flatnonzero(seeds)
    queue[: len(start)] = start
    tail = reach_from(out_ptr, out_edge, dst, live, reach, queue, len(start))
    order, comp_ptr = tarjan_order(queue[:tail], out_ptr, out_edge, dst, live, n)
    blocks, block_of = blocks_of(order, comp_ptr, n)
    return order, blocks, block_of
