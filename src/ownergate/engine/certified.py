"""Compiled kernels of the effective method: one pass in dependency order, certified bounds.

``settle`` walks entities in a dependency order (owners before what they own), with the
strongly connected blocks of that order taken whole. The order is either the entity
numbering itself (a snapshot numbers its entities so, ``graph/order.py``) or one computed
for the run (``graph/condense.py``). Every entity's value is carried in two parts:

- ``E``, an exact decimal ``num · 10^-exp`` (int64, ``decimals``): the part that flows from
  seeds along chains of decimal stakes while its digits fit;
- ``F``, a float with a rigorous absolute error bound: everything else (stakes measured
  against treasury-reduced capital, decimals that would overflow, and every value inside
  or below a cross-holding). ``fpos`` records that ``F`` is strictly positive, which holds
  exactly when some positive contribution went into it.

A block solves ``F = M F + c`` by Gauss-Seidel. Its error bound comes from a positive
vector ``z`` with ``M z <= q z`` for a ``q < 1`` (``z`` solves ``z = M z + 1``): then
``|F* - F| <= z · max(|residual| / z) / (1 - q)``, the residual including the uncertainty
of the inflow and of the float weights. A block that does not converge or whose ``q``
cannot be certified below 1 is handed back to the caller (``settle`` stops there and is
resumed after the caller has settled it).

``verdicts`` then compares each entity with the threshold: ``E`` exactly, ``F`` by its
bounds. Exact ties (no ``F`` part, ``E`` equal to the threshold) and the rare entity whose
bounds straddle the threshold are left to the caller's exact arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.typed import Dict

from ownergate.engine.decimals import add, as_float, times

Array = Any

FAIL, PASS, TIE, UNDECIDED = 0, 1, 2, 3
_U = 2.0**-53  # unit roundoff of float64
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
    fe += fs * (terms + 4) * _U
    return num, exp, fs, fe, pos, reached


@njit(cache=True)
def _solve_block(
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
            cerr[i] += wts[k] * ej * 4 * _U
        cerr[i] += cvec[i] * (ptr[i + 1] - ptr[i] + 2) * _U
    if not np.all(np.isfinite(cvec)):
        for i in range(m):
            f[nodes[i]] = np.inf
            ferr[nodes[i]] = 0.0
        return True
    x = np.zeros(m)
    z = np.zeros(m)
    if not _gauss_seidel(ptr, nbr, wts, cvec, x) or not _gauss_seidel(ptr, nbr, wts, np.ones(m), z):
        return False
    q = 0.0
    worst = 0.0
    for i in range(m):
        sz = 0.0
        sx = 0.0
        for k in range(ptr[i], ptr[i + 1]):
            sz += wts[k] * z[nbr[k]]
            sx += wts[k] * x[nbr[k]]
        gamma = (ptr[i + 1] - ptr[i] + 6) * _U
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
def _gauss_seidel(ptr: Array, nbr: Array, wts: Array, c: Array, x: Array) -> bool:
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
        if change <= 16 * _U * top:
            return True
    return False


@njit(cache=True)
def settle(
    order: Array,
    blocks: Array,
    block_of: Array,
    seeds: Array,
    live: Array,
    in_ptr: Array,
    src: Array,
    units: Array,
    plain: Array,
    per_one: float,
    denom: Array,
    unit_digits: int,
    reach: Array,
    en: Array,
    ee: Array,
    f: Array,
    ferr: Array,
    fpos: Array,
    start: int,
) -> int:
    """Settle the entities at positions ``start``, ... of ``order`` (the entity numbering
    itself when ``order`` is empty); ``blocks`` are the (start, end) position ranges taken
    whole, sorted. Returns the index of a block the caller must settle (then resume at its
    end), or -1 when all are done."""
    total = len(order) if len(order) else len(seeds)
    k = int(np.searchsorted(blocks[:, 0], start))
    p = start
    while p < total:
        if k < len(blocks) and p == blocks[k, 0]:
            a, b = blocks[k, 0], blocks[k, 1]
            members = order[a:b] if len(order) else np.arange(a, b)
            if not _solve_block(
                k, members, block_of, seeds, live, reach, in_ptr, src, units, plain,
                per_one, denom, unit_digits, en, ee, f, ferr, fpos,
            ):  # fmt: skip
                return k
            p = b
            k += 1
            continue
        v = order[p] if len(order) else p
        p += 1
        if seeds[v]:
            reach[v] = True
            en[v] = 1
            continue
        # ``_inflow``, written out: a call per entity costs more than its work (numba passes
        # every array as a struct and counts its references on each call).
        num = 0
        exp = 0
        fs = 0.0
        fe = 0.0
        pos = False
        reached = False
        terms = 0
        flat = plain[v]
        d = per_one if flat else float(denom[v])
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if not live[e]:
                continue
            u = src[e]
            if not reach[u]:
                continue
            reached = True
            h = units[e]
            if h <= 0:
                continue
            terms += 1
            w = h / d
            if en[u] != 0:
                ok = flat
                if ok:
                    pn, pe, ok = times(en[u], ee[u], h, unit_digits)
                    if ok:
                        pn, pe, ok = add(num, exp, pn, pe)
                    if ok:
                        num, exp = pn, pe
                if not ok:
                    fs += as_float(en[u], ee[u]) * w
                    pos = True
            if fpos[u]:
                fs += w * f[u]
                fe += w * ferr[u]
                pos = True
        if reached:
            reach[v] = True
            en[v] = num
            ee[v] = exp
            f[v] = fs
            ferr[v] = (fe + fs * (terms + 4) * _U) * (1.0 + 1e-12)
            fpos[v] = pos
    return -1


@njit(cache=True)
def verdicts(
    reach: Array,
    seeds: Array,
    en: Array,
    ee: Array,
    f: Array,
    ferr: Array,
    fpos: Array,
    t_num: int,
    t_exp: int,
) -> tuple[Array, Array]:
    """Per entity: FAIL, PASS, TIE (exactly at the threshold) or UNDECIDED; and the value."""
    n = len(reach)
    out = np.zeros(n, dtype=np.int8)
    share = np.zeros(n)
    t_float = as_float(t_num, t_exp)
    for v in range(n):
        if not reach[v]:
            continue
        if seeds[v]:
            out[v] = PASS
            share[v] = 1.0
            continue
        exact = as_float(en[v], ee[v])
        share[v] = exact + f[v]
        if not np.isfinite(f[v]):
            out[v] = PASS
            continue
        dn, de, ok = add(t_num, t_exp, -en[v], ee[v])
        if not ok:
            gap = t_float - exact
            gap_err = (t_float + exact) * 4 * _U
        else:
            if dn < 0 or (dn == 0 and fpos[v]):
                out[v] = PASS
                continue
            if dn == 0:
                out[v] = TIE
                continue
            if not fpos[v]:
                out[v] = FAIL
                continue
            gap = as_float(dn, de)
            gap_err = gap * 4 * _U
        lo = f[v] - ferr[v]
        hi = f[v] + ferr[v]
        if lo > gap + gap_err:
            out[v] = PASS
        elif hi < gap - gap_err:
            out[v] = FAIL
        else:
            out[v] = UNDECIDED
    return out, share
