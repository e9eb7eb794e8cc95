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
from numba import njit

from ownergate import compiled  # noqa: F401  (the kernel cache's place, set first)
from ownergate.engine.blocks import solve_block
from ownergate.engine.decimals import add, as_float, times

Array = Any

FAIL, PASS, TIE, UNDECIDED = 0, 1, 2, 3
_U = 2.0**-53  # unit roundoff of float64


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
            if not solve_block(
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
