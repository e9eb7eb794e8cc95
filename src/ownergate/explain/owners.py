"""Compiled per-entity owner facts for the decision columns: one pass over the holdings
into the entities that have restricted owners, in their CSR order (no scatter over every
holding of the registry).

For each entity: the largest contribution of a restricted owner (control: the stake; for
effective: the stake times the owner's value), the owner that makes it, and how many owners
contribute; and the seed each restriction ultimately comes from, following largest owners.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)

Array = Any


@njit(cache=True)
def top_owners(
    rows: Array,
    in_ptr: Array,
    src: Array,
    units: Array,
    plain: Array,
    denom: Array,
    per_one: float,
    restricted: Array,
    weight: Array,
    control: bool,
    top: Array,
    best: Array,
    count: Array,
) -> None:
    """Fold one layer into ``top``/``best``/``count`` for ``rows``.

    A contribution is a restricted owner's stake (``control``) or a stake times the owner's
    value ``weight`` (an infinite value counts as 1). Within the layer the last holding
    reaching the layer's largest contribution names the owner, where that contribution is
    larger than the earlier layers'. Owners are counted where they contribute (a zero
    stake of a restricted owner does not).
    """
    for v in rows:
        d = per_one if plain[v] else float(denom[v])
        layer_best = 0.0
        for e in range(in_ptr[v], in_ptr[v + 1]):
            u = src[e]
            if control:
                if not restricted[u] or units[e] <= 0:
                    continue
                value = units[e] / d
                count[v] += 1
            else:
                w = weight[u]
                value = units[e] / d * (w if np.isfinite(w) else 1.0)
                if not value > 0:
                    continue
                count[v] += 1
            if value > layer_best:
                layer_best = value
        if not layer_best > best[v]:
            continue
        for e in range(in_ptr[v + 1] - 1, in_ptr[v] - 1, -1):
            u = src[e]
            if control:
                if not restricted[u]:
                    continue
                value = units[e] / d
            else:
                w = weight[u]
                value = units[e] / d * (w if np.isfinite(w) else 1.0)
            if value == layer_best:
                top[v] = u
                break
        best[v] = layer_best


@njit(cache=True)
def ultimate(top: Array, seeds: Array) -> Array:
    """Per entity, the seed at the end of its chain of largest owners (a seed is its own),
    or -1 where the chain ends without one or runs into a cycle. Each entity is walked once
    (answers are memoised along the chain)."""
    n = len(top)
    out = np.full(n, -2, dtype=np.int32)  # -2: not known yet
    path = np.empty(n, dtype=np.int32)
    on_path = np.zeros(n, dtype=np.bool_)
    for start in range(n):
        if out[start] != -2:
            continue
        length = 0
        v = start
        answer = -1
        while True:
            if out[v] != -2:
                answer = out[v]
                break
            if seeds[v]:
                answer = v
                out[v] = v
                break
            if on_path[v] or top[v] < 0:
                answer = -1
                break
            on_path[v] = True
            path[length] = v
            length += 1
            v = top[v]
        for i in range(length):
            out[path[i]] = answer
            on_path[path[i]] = False
    return out
