"""Strongly connected components in dependency order (compiled): the effective method's
schedule. Components come upstream first, so one pass settles each after everything that
feeds it; a component of one entity needs no solve at all."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

Array = Any


@njit(cache=True)
def condense(
    seeds: Array, out_ptr: Array, out_edge: Array, dst: Array, live: Array, positive: Array
) -> tuple[Array, Array, Array, Array]:
    """Reach from the seeds along ``live`` holdings; components along ``positive`` ones.

    Returns (reach, order, comp_ptr, comp_of): ``order[comp_ptr[c]:comp_ptr[c + 1]]`` are
    the members of component ``c``, components upstream first; ``comp_of`` is -1 outside.
    """
    n = len(seeds)
    reach = seeds.copy()
    queue = np.empty(n, dtype=np.int64)
    tail = 0
    for v in range(n):
        if seeds[v]:
            queue[tail] = v
            tail += 1
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
    count = tail
    index = np.full(n, -1, dtype=np.int64)
    low = np.zeros(n, dtype=np.int64)
    on_stack = np.zeros(n, dtype=np.bool_)
    stack = np.empty(count, dtype=np.int64)
    call_node = np.empty(count, dtype=np.int64)
    call_next = np.empty(count, dtype=np.int64)
    comp_of = np.full(n, -1, dtype=np.int64)
    order = np.empty(count, dtype=np.int64)
    starts = np.empty(count + 1, dtype=np.int64)
    pos = count
    comps = 0
    counter = 0
    sp = 0
    # Roots in the order reached, so that every reached entity is visited.
    for r in range(count):
        root = queue[r]
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
                if not positive[e] or not live[e]:
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
                while True:
                    sp -= 1
                    x = stack[sp]
                    on_stack[x] = False
                    pos -= 1
                    order[pos] = x
                    comp_of[x] = comps  # renumbered below
                    if x == v:
                        break
                starts[comps] = pos
                comps += 1
            if csp > 0:
                p = call_node[csp - 1]
                if low[v] < low[p]:
                    low[p] = low[v]
    # Tarjan completes downstream components first: reverse to put upstream first.
    comp_ptr = np.empty(comps + 1, dtype=np.int64)
    for c in range(comps):
        comp_ptr[c] = starts[comps - 1 - c]
    comp_ptr[comps] = count
    for c in range(comps):
        for i in range(comp_ptr[c], comp_ptr[c + 1]):
            comp_of[order[i]] = c
    return reach, order, comp_ptr, comp_of
