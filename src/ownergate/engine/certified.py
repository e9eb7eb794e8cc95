"""Compiled kernels of the effective method: one pass in dependency order, certified bounds.

``condense.condense`` marks what seeds reach and orders it by strongly connected
components, upstream first. ``propagate`` then settles the components in that order.
Every entity's value is carried in two parts:

- ``E``, an exact decimal ``num · 10^-exp`` (int64): the part that flows from seeds along
  chains of decimal stakes while its digits fit;
- ``F``, a float with a rigorous absolute error bound: everything else (stakes measured
  against treasury-reduced capital, decimals that would overflow, and every value inside
  or below a cross-holding). ``fpos`` records that ``F`` is strictly positive, which holds
  exactly when some positive contribution went into it.

A cross-holding component solves ``F = M F + c`` by Gauss-Seidel. Its error bound comes from
a positive vector ``z`` with ``M z <= q z`` for a ``q < 1`` (``z`` solves ``z = M z + 1``):
then ``|F* - F| <= z · max(|residual| / z) / (1 - q)``, residual including the
uncertainty of the inflow and of the float weights. A component that does not converge or
whose ``q`` cannot be certified below 1 is handed back to the caller (``propagate`` stops
there and is resumed after the caller has settled it).

Each entity is then compared with the threshold: ``E`` exactly, ``F`` by its bounds.
Exact ties (no ``F`` part, ``E`` equal to the threshold) and the rare entity whose bounds
straddle the threshold are left to the caller's exact arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

Array = Any

FAIL, PASS, TIE, UNDECIDED = 0, 1, 2, 3
_U = 2.0**-53  # unit roundoff of float64
_LIMIT = 1 << 62
_POW10 = np.array([10**k for k in range(19)], dtype=np.int64)
_MAX_SWEEPS = 2_000
_Q_LIMIT = 1.0 - 1e-9  # beyond this a component is not certified here (slow or divergent)


@njit(cache=True)
def _normal(num: int, exp: int) -> tuple[int, int]:
    while exp > 0 and num % 10 == 0:
        num //= 10
        exp -= 1
    return num, exp


@njit(cache=True)
def _add(a: int, ea: int, b: int, eb: int) -> tuple[int, int, bool]:
    """a·10^-ea + b·10^-eb exactly, or ok=False where int64 would overflow."""
    e = max(ea, eb)
    da, db = e - ea, e - eb
    if da > 18 or db > 18:
        return 0, 0, False
    pa, pb = _POW10[da], _POW10[db]
    if (a != 0 and abs(a) > _LIMIT // pa) or (b != 0 and abs(b) > _LIMIT // pb):
        return 0, 0, False
    total = a * pa + b * pb
    if abs(total) > _LIMIT:
        return 0, 0, False
    num, exp = _normal(total, e)
    return num, exp, True


@njit(cache=True)
def _as_float(num: int, exp: int) -> float:
    return num * 10.0 ** (-exp)


@njit(cache=True)
def _inflow(
    v: int,
    comp: int,
    in_ptr: Array,
    src: Array,
    units: Array,
    comp_of: Array,
    plain: bool,
    per_one: float,
    denom: float,
    unit_digits: int,
    en: Array,
    ee: Array,
    f: Array,
    ferr: Array,
    fpos: Array,
) -> tuple[int, int, float, float, bool, int]:
    """What ``v`` receives from settled owners (outside component ``comp``; -1: all).

    Returns (E num, E exp, F, F error, F positive, terms). The error covers the inflow's
    own bounds and the rounding of every product and sum (nonnegative terms: relative
    rounding of the total, (terms + 4) unit roundoffs).
    """
    num = 0
    exp = 0
    fs = 0.0
    fe = 0.0
    pos = False
    terms = 0
    for e in range(in_ptr[v], in_ptr[v + 1]):
        h = units[e]
        if h <= 0:
            continue
        u = src[e]
        cu = comp_of[u]
        if cu < 0 or (comp >= 0 and cu == comp):
            continue
        terms += 1
        if plain:
            if en[u] != 0:
                ok = abs(en[u]) <= _LIMIT // h
                if ok:
                    pn, pe = _normal(en[u] * h, ee[u] + unit_digits)
                    sn, se, ok = _add(num, exp, pn, pe)
                    if ok:
                        num, exp = sn, se
                if not ok:
                    fs += _as_float(en[u], ee[u]) * (h / per_one)
                    pos = True
            if fpos[u]:
                w = h / per_one
                fs += w * f[u]
                fe += w * ferr[u]
                pos = True
        else:
            w = h / denom
            whole = _as_float(en[u], ee[u]) + f[u]
            fs += w * whole
            fe += w * ferr[u]
            pos = True
    fe += fs * (terms + 4) * _U
    return num, exp, fs, fe, pos, terms


@njit(cache=True)
def _solve_component(
    c: int,
    members: Array,
    in_ptr: Array,
    src: Array,
    units: Array,
    comp_of: Array,
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
    """Settle one cross-holding component; False when it cannot be certified here."""
    m = len(members)
    local = {}
    for i in range(m):
        local[members[i]] = i
    cvec = np.zeros(m)
    cerr = np.zeros(m)
    infinite = False
    count = np.zeros(m + 1, dtype=np.int64)
    for i in range(m):
        v = members[i]
        num, exp, fs, fe, _, _ = _inflow(
            v, c, in_ptr, src, units, comp_of, plain[v], per_one, float(denom[v]),
            unit_digits, en, ee, f, ferr, fpos,
        )  # fmt: skip
        en[v] = num
        ee[v] = exp
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if units[e] > 0 and comp_of[src[e]] == c:
                count[i + 1] += 1
        cvec[i] = fs
        cerr[i] = fe
        if not np.isfinite(fs):
            infinite = True
    ptr = np.cumsum(count)
    nbr = np.empty(ptr[m], dtype=np.int64)
    wts = np.empty(ptr[m])
    fill = ptr[:-1].copy()
    for i in range(m):
        v = members[i]
        d = per_one if plain[v] else float(denom[v])
        for e in range(in_ptr[v], in_ptr[v + 1]):
            if units[e] > 0 and comp_of[src[e]] == c:
                j = local[src[e]]
                w = units[e] / d
                nbr[fill[i]] = j
                wts[fill[i]] = w
                fill[i] += 1
    for i in range(m):
        fpos[members[i]] = True
    if infinite:
        for i in range(m):
            f[members[i]] = np.inf
            ferr[members[i]] = 0.0
        return True
    # Inner stakes pass on the members' exact parts as well (each sum rounds once more).
    for i in range(m):
        for k in range(ptr[i], ptr[i + 1]):
            j = nbr[k]
            ej = _as_float(en[members[j]], ee[members[j]])
            cvec[i] += wts[k] * ej
            cerr[i] += wts[k] * ej * 4 * _U
        cerr[i] += cvec[i] * (ptr[i + 1] - ptr[i] + 2) * _U
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
        terms = ptr[i + 1] - ptr[i]
        gamma = (terms + 6) * _U
        qi = sz * (1.0 + gamma) / z[i]
        if qi > q:
            q = qi
        s = cvec[i] + sx
        resid = abs(x[i] - s) + gamma * (s + x[i]) + cerr[i]
        if resid / z[i] > worst:
            worst = resid / z[i]
    if not q < _Q_LIMIT:
        return False
    bound = worst / (1.0 - q) * (1.0 + 1e-9)
    for i in range(m):
        v = members[i]
        f[v] = x[i]
        ferr[v] = z[i] * bound
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
            d = abs(s - x[i])
            if d > change:
                change = d
            if s > top:
                top = s
            x[i] = s
        if not np.isfinite(top):
            return False
        if change <= 16 * _U * top:
            return True
    return False


@njit(cache=True)
def propagate(
    start: int,
    order: Array,
    comp_ptr: Array,
    comp_of: Array,
    seeds: Array,
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
) -> int:
    """Settle components ``start``, ``start + 1``, ... in order; returns the index of a
    component the caller must settle (then resume after it), or -1 when all are done."""
    comps = len(comp_ptr) - 1
    for c in range(start, comps):
        a, b = comp_ptr[c], comp_ptr[c + 1]
        if b - a == 1:
            v = order[a]
            if seeds[v]:
                en[v] = 1
                ee[v] = 0
                f[v] = 0.0
                ferr[v] = 0.0
                fpos[v] = False
                continue
            num, exp, fs, fe, pos, _ = _inflow(
                v, -1, in_ptr, src, units, comp_of, plain[v], per_one, float(denom[v]),
                unit_digits, en, ee, f, ferr, fpos,
            )  # fmt: skip
            en[v] = num
            ee[v] = exp
            f[v] = fs
            ferr[v] = fe * (1.0 + 1e-12)
            fpos[v] = pos
            continue
        ok = _solve_component(
            c, order[a:b], in_ptr, src, units, comp_of, plain, per_one, denom, unit_digits,
            en, ee, f, ferr, fpos,
        )  # fmt: skip
        if not ok:
            return c
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
    t_float = _as_float(t_num, t_exp)
    for v in range(n):
        if not reach[v]:
            continue
        if seeds[v]:
            out[v] = PASS
            share[v] = 1.0
            continue
        exact = _as_float(en[v], ee[v])
        share[v] = exact + f[v]
        if not np.isfinite(f[v]):
            out[v] = PASS
            continue
        dn, de, ok = _add(t_num, t_exp, -en[v], ee[v])
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
            gap = _as_float(dn, de)
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
