"""The effective (integrated ownership) method (docs/semantics.md §4).

Only entities reachable from seeds can have a non-zero value. Those are settled in
dependency order: a Kahn sweep, level by level, covers everything not in or below a
cross-holding; what remains is split into strongly connected components and taken in
topological order of the condensation, every cyclic component solved as one sparse linear
system (block-diagonal per level). No sweeps over the whole graph, no depth cap. Entities
within ``BAND`` of the threshold are then settled exactly by ``ExactEffective``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from ownergate.domain.shares import SCALE_DIGITS, End
from ownergate.engine import kernels
from ownergate.engine.control import RunResult
from ownergate.engine.exact import ExactEffective
from ownergate.engine.threshold import BAND, Threshold
from ownergate.graph.csr import gather_ranges
from ownergate.graph.prepare import Layer, PreparedGraph

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

# A component whose inner column sums stay below this cannot be singular.
_SAFE_COLUMN_SUM = 1.0 - 1e-12


def _positive(layer: Layer, end: End) -> tuple[FloatArray, BoolArray]:
    if end is End.LOW:
        return layer.low, (layer.low > 0) | layer.low_exclusive
    return layer.high, layer.high > 0


def _push(r: FloatArray, layer: Layer, vals: FloatArray, edges: IntArray) -> None:
    contrib = vals[edges] * r[layer.src[edges]]
    np.add.at(r, layer.dst[edges], contrib)


def _spectral_radius_below_one(block: sp.csr_array) -> bool:
    if block.shape[0] <= 400:
        return bool(np.max(np.abs(np.linalg.eigvals(block.toarray()))) < _SAFE_COLUMN_SUM)
    from scipy.sparse.linalg import eigs

    vals = eigs(block.astype(np.float64), k=1, which="LM", return_eigenvectors=False)
    return bool(np.abs(vals[0]) < _SAFE_COLUMN_SUM)


def _solve_cyclic(
    layer: Layer, vals: FloatArray, live: BoolArray, remaining: BoolArray, r: FloatArray
) -> None:
    """Settle ``remaining`` (cyclic components and all below them); ``r`` holds inflow."""
    nodes = np.flatnonzero(remaining)
    local = np.full(len(remaining), -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    edges = layer.out_edge[gather_ranges(layer.out_ptr, nodes)]
    edges = edges[live[edges]]
    edges = edges[remaining[layer.dst[edges]]]
    u, v = local[layer.src[edges]], local[layer.dst[edges]]
    size = len(nodes)
    adj = sp.csr_array((np.ones(len(edges)), (u, v)), shape=(size, size))
    ncomp, label = connected_components(adj, directed=True, connection="strong")
    comp_size = np.bincount(label, minlength=ncomp)
    cross = label[u] != label[v]
    # Topological levels of the condensation (Kahn, level by level).
    cu, cv = label[u[cross]], label[v[cross]]
    indeg = np.bincount(cv, minlength=ncomp)
    cond = sp.csr_array((np.ones(len(cu)), (cu, cv)), shape=(ncomp, ncomp))
    comp_members = np.argsort(label, kind="stable")
    comp_ptr = np.zeros(ncomp + 1, dtype=np.int64)
    np.cumsum(comp_size, out=comp_ptr[1:])
    out_ptr = np.zeros(size + 1, dtype=np.int64)
    order = np.argsort(u, kind="stable")
    np.cumsum(np.bincount(u, minlength=size), out=out_ptr[1:])
    level = np.flatnonzero(indeg == 0)
    while len(level):
        members = comp_members[gather_ranges(comp_ptr, level)]
        multi = members[comp_size[label[members]] > 1]
        if len(multi):
            _solve_components(multi, label, u, v, edges, vals, nodes, r)
        out = order[gather_ranges(out_ptr, members)]
        out = out[cross[out]]
        _push(r, layer, vals, edges[out])
        nxt = cond.indices[gather_ranges(cond.indptr, level)]
        np.subtract.at(indeg, nxt, 1)
        nxt = np.unique(nxt)
        level = nxt[indeg[nxt] == 0]


def _solve_components(
    multi: IntArray,
    label: IntArray,
    u: IntArray,
    v: IntArray,
    edges: IntArray,
    vals: FloatArray,
    nodes: IntArray,
    r: FloatArray,
) -> None:
    """Solve x = M x + b on every cyclic component of one level at once (block diagonal)."""
    pos = np.full(len(label), -1, dtype=np.int64)
    pos[multi] = np.arange(len(multi))
    inner = (pos[u] >= 0) & (label[u] == label[v])
    iu, iv = pos[u[inner]], pos[v[inner]]
    w = vals[edges[inner]]
    size = len(multi)
    m = sp.csr_array((w, (iv, iu)), shape=(size, size))
    b = r[nodes[multi]]
    colsum = np.bincount(iv, weights=w, minlength=size)
    x = np.empty(size)
    bad = np.zeros(size, dtype=bool)
    mlabel = label[multi]
    suspect = np.unique(mlabel[(colsum >= _SAFE_COLUMN_SUM) | ~np.isfinite(b)])
    for comp in suspect.tolist():
        idx = np.flatnonzero(mlabel == comp)
        finite = bool(np.all(np.isfinite(b[idx])))
        if not finite or not _spectral_radius_below_one(m[idx][:, idx]):
            bad[idx] = True
    good = np.flatnonzero(~bad)
    if len(good):
        a = sp.identity(len(good), format="csc") - m[good][:, good].tocsc()
        x[good] = np.atleast_1d(spsolve(a, b[good]))
    x[bad] = np.inf
    r[nodes[multi]] = x


@dataclass(frozen=True)
class Sweep:
    """One layer's effective run: float ``r``, what seeds reach, and exact decimals
    ``num · 10^-exp`` where ``exact`` (settled outside cross-holdings, no overflow)."""

    r: FloatArray
    reach: BoolArray
    settled: BoolArray  # in dependency order; the rest of ``reach`` is in/below a cycle
    num: IntArray
    exp: IntArray
    exact: BoolArray

    def value(self, v: int) -> Fraction:
        return Fraction(int(self.num[v]), 10 ** int(self.exp[v]))


def effective_layer(g: PreparedGraph, layer: Layer, end: End) -> Sweep:
    """The effective sweep of one layer and run, cross-holdings solved in float."""
    low_end = end is End.LOW
    units = layer.low_units if low_end else layer.high_units
    excl = layer.low_exclusive if low_end else layer.high_exclusive
    unit_digits = SCALE_DIGITS - (len(str(g.unit)) - 1)
    r, reach, done, num, exp, exact = kernels.effective_sweep(
        layer.out_ptr,
        layer.out_edge,
        layer.dst,
        units,
        excl,
        low_end,
        layer.per_one,
        unit_digits,
        g.seeds,
    )
    remaining = reach & ~done
    if remaining.any():
        vals, positive = _positive(layer, end)
        _solve_cyclic(layer, vals, positive & reach[layer.src], remaining, r)
        exact &= ~remaining
    return Sweep(r, reach, done, num, exp, exact)


def run_effective(g: PreparedGraph, end: End, thr: Threshold, aggregate: bool = True) -> RunResult:
    """Restricted entities and shares under the effective method with every share at ``end``."""
    restricted = g.seeds.copy()
    share = np.zeros(g.n)
    for layer in g.layers:
        sweep = effective_layer(g, layer, end)
        r, reach = sweep.r, sweep.reach
        r[g.seeds] = 1.0
        passes = r > thr.approx + BAND
        near = np.flatnonzero(reach & ~g.seeds & (np.abs(r - thr.approx) <= BAND))
        exact = ExactEffective(g, layer, end, reach)
        if len(near):
            _settle_near(near, sweep, exact, thr, end, passes)
        if not aggregate:
            r, passes = _single_owner(g, end, thr, exact, reach)
        restricted |= passes
        np.maximum(share, r, out=share)
    share[g.seeds] = 1.0
    return RunResult(restricted, share, np.full(g.n, -1, dtype=np.int32))


def _decimal(value: Fraction) -> tuple[int, int]:
    """A terminating fraction as the normal form the sweep uses: num · 10^-exp."""
    exp = 0
    while value.denominator != 1:
        value *= 10
        exp += 1
    num = int(value)
    while exp > 0 and num % 10 == 0:
        num //= 10
        exp -= 1
    return num, exp


def _settle_near(
    near: IntArray,
    sweep: Sweep,
    exact: ExactEffective,
    thr: Threshold,
    end: End,
    passes: BoolArray,
) -> None:
    """Decide the entities within ``BAND`` of the threshold exactly.

    The sweep's decimals are in normal form, so equality with the threshold is a
    comparison of two integers; ties then follow the strictness sweep. Entities in or below
    cross-holdings (or whose decimals overflowed) are recomputed in exact arithmetic.
    """
    t_num, t_exp = _decimal(thr.value)
    easy = near[sweep.exact[near]]
    tie = easy[(sweep.num[easy] == t_num) & (sweep.exp[easy] == t_exp)]
    if len(tie):
        strict = exact.strict_mask()[tie]
        passes[tie] = (strict | thr.inclusive) if end is End.LOW else (~strict & thr.inclusive)
    for v in easy[(sweep.num[easy] != t_num) | (sweep.exp[easy] != t_exp)].tolist():
        passes[v] = sweep.value(v) > thr.value
    hard = near[~sweep.exact[near]].tolist()
    if hard:
        exact.settle(hard)
        strict_mask = exact.strict_mask()
        for v in hard:
            passes[v] = thr.passes(exact.value(v), bool(strict_mask[v]), end)


def _single_owner(
    g: PreparedGraph,
    end: End,
    thr: Threshold,
    exact: ExactEffective,
    reach: BoolArray,
) -> tuple[FloatArray, BoolArray]:
    """Per-seed attribution (UK style), exact, for every entity a seed reaches.

    Slower than the aggregate (one exact value per entity and upstream seed), which is the
    price of a rarely used combination; the aggregate bounds it from above.
    """
    single = np.zeros(g.n)
    single_pass = np.zeros(g.n, dtype=bool)
    candidates = np.flatnonzero(reach & ~g.seeds)
    for v in candidates.tolist():
        seeds = [s for s in exact.ancestors([v]) if g.seeds[s]]
        best = 0.0
        for s in seeds:
            value = exact.value(v, s)
            best = max(best, float(value))
            if thr.passes(value, exact.strict(v, s), end):
                single_pass[v] = True
        single[v] = best
    single[g.seeds] = 1.0
    return single, single_pass | g.seeds
