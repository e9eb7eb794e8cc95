"""Cross-holding blocks of the effective pass (compiled): what seeds reach inside a block,
its inflow, and ``F = M F + c`` by Gauss-Seidel with a certified error bound (see
``certified``). A block is a strongly connected part of the dependency order; under one
policy and end it may hold several components, or none, which the same solve covers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.typed import Dict

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)
from ownergate.engine.decimals import add, as_float, times

Array = Any

U = 2.0**-53  # unit roundoff of float64
_MAX_SWEEPS = 2_000
_Q_LIMIT = 1.0 - 1e-9  # beyond this a block is not certified here (slow or divergent)


@njit(cache=True)
def _reached(v: int, in_ptr: Array, src: Array, live: Array, reach: Array) -> bool:
    for e in range(in_ptr[v], in_ptr[v + 1]):
        if live[e] and reach[src[e]]:
            return True
    return False


@njit(cache=True)
def _inner(u: int, block: int, block_of: Array, seeds: Array, reach: Array) -> bool:
    """Whether owner ``u`` is an unsettled member of ``block`` (seeds are settled)."""
    return block >= 0 and block_of[u] == block and reach[u] and not seeds[u]


@njit(cache=True)
def _inflow(
    v: int,
    block: int,
    block_of: Array,
    seeds: Array,
    reach: Array,
    live: Array,
    in_ptr: Array,
    src: Array,
    units: Array,
    plain: bool,
    per_one: float,
    denom: float,
    unit_digits: int,
    en: Array,
    ee: Array,
    f: Array,
    ferr: Array,
    fpos: Array,
) -> tuple[int, int, float, float, bool, bool]:
    """What ``v`` receives from settled owners (all but the unsettled ones of ``block``).

    Returns (E num, E exp, F, F error, F positive, reached: a live holding of a reached
    owner). The error covers the inflow's own bounds and the rounding of every product and
    sum (nonnegative terms: relative rounding of the total, (terms + 4) unit roundoffs).
    """
    num = 0
    exp = 0
    fs = 0.0
    fe = 0.0
    pos = False
    reached = False
    terms = 0
    for e in range(in_ptr[v], in_ptr[v + 1]):
        if not live[e]:
            continue
        u = src[e]
        if not reach[u]:
            continue
        reached = True
        h = units[e]
        if h <= 0 or (block >= 0 and _inner(u, block, block_of, seeds, reach)):
            continue
        terms += 1
        if plain:
            if en[u] != 0:
                pn, pe, ok = times(en[u], ee[u], h, unit_digits)
                if ok:
                    pn, pe, ok = add(num, exp, pn, pe)
                if ok:
                    num, exp = pn, pe
                else:
                    fs += as_float(en[u], ee[u]) * (h / per_one)
                    pos = True
            if fpos[u]:
                w = h / per_one
                fs += w * f[u]
                fe += w * ferr[u]
                pos = True
        else:
            w = h / denom
            fs += w * (as_float(en[u], ee[u]) + f[u])
            fe += w * ferr[u]
            pos = True
    fe += fs * (terms + 4) * U
    return num, exp, fs, fe, pos, reached


@njit(cache=True)
def solve_block(
    block: int,
    members: Array,
    block_of: Array,
    seeds: Array,
    live: Array,
    reach: Array,
    in_ptr: Array,
    src: Array,
    units: Array,
    plain: Array,
    per_one: float,
    denom: Array,
    unit_digits: int,
    en: Array,
    ee: Array,
    f: Array,
    ferr: Array,
    fpos: Array,
) -> bool:
    """Settle one block; False when it cannot be certified here (its reach is set)."""
    for v in members:
        if seeds[v]:
            reach[v] = True
            en[v] = 1
    changed = True
    while changed:  # what seeds reach inside the block
        changed = False
        for v in members:
            if not reach[v] and _reached(v, in_ptr, src, live, reach):
                reach[v] = True
                changed = True
    local = Dict.empty(key_type=types.int64, value_type=types.int64)
    m = 0
    for v in members:
        if reach[v] and not seeds[v]:
            local[v] = m
            m += 1
    if m == 0:
        return True
    nodes = np.empty(m, dtype=np.int64)
    for v in members:
        if reach[v] and not seeds[v]:
            nodes[local[v]] = v
    cvec = np.zeros(m)
    cerr = np.zeros(m)
    count = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        v = nodes[i]
        num, exp, fs, fe, pos, _ = _inflow(
            v, block, block_of, seeds, reach, live, in_ptr, src, units, plain[v], per_one,
            float(denom[v]) if len(denom) else per_one, unit_digits, en, ee, f, ferr, fpos,
        )  # fmt: skip
        en[v], ee[v], cvec[i], cerr[i], fpos[v] = num, exp, fs, fe, pos
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if units[e] > 0 and _inner(src[e], block, block_of, seeds, reach):
                count[i + 1] += 1
    ptr = np.cumsum(count)
    nbr = np.empty(ptr[m], dtype=np.int64)
    wts = np.empty(ptr[m])
    for i in range(m):
        v = nodes[i]
        d = per_one if plain[v] else float(denom[v])
        k = ptr[i]
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if units[e] > 0 and _inner(src[e], block, block_of, seeds, reach):
                nbr[k] = local[src[e]]
                wts[k] = units[e] / d
                k += 1
        if ptr[i + 1] > ptr[i]:
            fpos[v] = True  # a positive stake of a reached member: strictly positive
    # Inner stakes pass on the members' exact parts as well (each sum rounds once more).
    for i in range(m):
        for k in range(ptr[i], ptr[i + 1]):
            ej = as_float(en[nodes[nbr[k]]], ee[nodes[nbr[k]]])
            cvec[i] += wts[k] * ej
            cerr[i] += wts[k] * ej * 4 * U
        cerr[i] += cvec[i] * (ptr[i + 1] - ptr[i] + 2) * U
    if not np.all(np.isfinite(cvec)):
        for i in range(m):
            f[nodes[i]] = np.inf
            ferr[nodes[i]] = 0.0
        return True
    x = np.zeros(m)
    z = np.zeros(m)
    if not gauss_seidel(ptr, nbr, wts, cvec, x) or not gauss_seidel(ptr, nbr, wts, np.ones(m), z):
        return False
    q = 0.0
    worst = 0.0
    for i in range(m):
        sz = 0.0
        sx = 0.0
        for k in range(ptr[i], ptr[i + 1]):
            sz += wts[k] * z[nbr[k]]
            sx += wts[k] * x[nbr[k]]
        gamma = (ptr[i + 1] - ptr[i] + 6) * U
        q = max(q, sz * (1.0 + gamma) / z[i])
        s = cvec[i] + sx
        worst = max(worst, (abs(x[i] - s) + gamma * (s + x[i]) + cerr[i]) / z[i])
    if not q < _Q_LIMIT:
        return False
    bound = worst / (1.0 - q) * (1.0 + 1e-9)
    for i in range(m):
        f[nodes[i]] = x[i]
        ferr[nodes[i]] = z[i] * bound
    return True


@njit(cache=True)
def gauss_seidel(ptr: Array, nbr: Array, wts: Array, c: Array, x: Array) -> bool:
    """x = M x + c from x = 0 (monotone from below); False if it does not settle."""
    m = len(c)
    for _ in range(_MAX_SWEEPS):
        change = 0.0
        top = 0.0
        for i in range(m):
            s = c[i]
            for k in range(ptr[i], ptr[i + 1]):
                s += wts[k] * x[nbr[k]]
            change = max(change, abs(s - x[i]))
            top = max(top, s)
            x[i] = s
        if not np.isfinite(top):
            return False
        if change <= 16 * U * top:
            return True
    return False
