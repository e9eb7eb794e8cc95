"""The effective (integrated ownership) method (docs/semantics.md §4, §7).

Only entities that seeds reach can have a non-zero value. ``certified.settle`` takes them
in a dependency order (a snapshot's entity numbering, or ``condense``'s for the run), the
strongly connected blocks whole, in one pass: each value an exact decimal part plus a float
part with a rigorous error bound, cross-holdings by Gauss-Seidel with a certified bound.
Almost every entity is then decided by its bounds. The rest are exact: ties exactly at the
threshold (strictness decides them) and the rare entity whose bounds straddle it,
recomputed in exact arithmetic over its ancestors back to the nearest exactly known values.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ownergate.domain.shares import SCALE_DIGITS, End
from ownergate.engine import certified
from ownergate.engine.components import settle_component
from ownergate.engine.control import RunResult
from ownergate.engine.exact import ExactEffective
from ownergate.engine.threshold import Threshold
from ownergate.graph.condense import condense
from ownergate.graph.prepare import Layer, PreparedGraph

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Sweep:
    """One layer's effective run: what seeds reach and every reached entity's value as
    ``num · 10^-exp`` (exact) plus ``f`` (``fpos``: strictly positive) within ``ferr``."""

    reach: BoolArray
    num: IntArray
    exp: npt.NDArray[np.int16]
    f: FloatArray
    ferr: FloatArray
    fpos: BoolArray

    @cached_property
    def exact(self) -> BoolArray:
        """Entities whose value is the exact decimal alone."""
        out: BoolArray = self.reach & ~self.fpos
        return out


def live_edges(layer: Layer, end: End) -> tuple[IntArray, BoolArray]:
    """Units at ``end``, and the holdings a seed's reach follows: positive, or with an
    exclusive low end at the low end (strictly above zero)."""
    if end is End.LOW:
        return layer.low_units, (layer.low_units > 0) | layer.low_exclusive
    return layer.high_units, layer.high_units > 0


def _schedule(
    g: PreparedGraph, layer: Layer, live: BoolArray
) -> tuple[IntArray, IntArray, npt.NDArray[np.int32]]:
    """(order, blocks, block_of) for ``certified.settle``: the entity numbering itself
    where it is a dependency order (a snapshot's), else one computed for this run."""
    if g.blocks is not None:
        return np.empty(0, dtype=np.int64), g.blocks, g.block_of
    order, blocks, block_of = condense(g.seeds, layer.out_ptr, layer.out_edge, layer.dst, live)
    return order, blocks, block_of


def effective_layer(g: PreparedGraph, layer: Layer, end: End) -> Sweep:
    """The effective values of one layer at one end, certified (module docstring)."""
    units, live = live_edges(layer, end)
    order, blocks, block_of = _schedule(g, layer, live)
    n = g.n
    reach = np.zeros(n, dtype=np.bool_)
    num = np.zeros(n, dtype=np.int64)
    exp = np.zeros(n, dtype=np.int16)
    f = np.zeros(n)
    ferr = np.zeros(n)
    fpos = np.zeros(n, dtype=np.bool_)
    plain, denom = layer.denominators(n, end)
    unit_digits = SCALE_DIGITS - (len(str(g.unit)) - 1)
    start = 0
    while True:
        stuck = certified.settle(
            order, blocks, block_of, g.seeds, live, layer.in_ptr, layer.src, units, plain,
            layer.per_one, denom, unit_digits, reach, num, exp, f, ferr, fpos, start,
        )  # fmt: skip
        if stuck < 0:
            break
        a, b = int(blocks[stuck, 0]), int(blocks[stuck, 1])
        members = order[a:b] if len(order) else np.arange(a, b, dtype=np.int64)
        settle_component(layer, end, members, g.seeds, reach, num, exp, f, ferr, fpos)
        start = b
    return Sweep(reach, num, exp, f, ferr, fpos)


def decimal_of(value: Fraction) -> tuple[int, int]:
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


def decide_layer(
    g: PreparedGraph, layer: Layer, end: End, thr: Threshold
) -> tuple[BoolArray, FloatArray, ExactEffective]:
    """Which entities pass on one layer at one end, their values, and the exact checker."""
    sweep = effective_layer(g, layer, end)
    t_num, t_exp = decimal_of(thr.value)
    verdict, share = certified.verdicts(
        sweep.reach, g.seeds, sweep.num, sweep.exp, sweep.f, sweep.ferr, sweep.fpos,
        t_num, t_exp,
    )  # fmt: skip
    passes: BoolArray = verdict == certified.PASS
    exact = ExactEffective(g, layer, end, sweep.reach, sweep)
    tie = np.flatnonzero(verdict == certified.TIE)
    if len(tie):
        strict = exact.strict_mask()[tie]
        passes[tie] = (strict | thr.inclusive) if end is End.LOW else (~strict & thr.inclusive)
    hard = np.flatnonzero(verdict == certified.UNDECIDED).tolist()
    if hard:
        exact.settle(hard)
        strict_mask = exact.strict_mask()
        for v in hard:
            passes[v] = thr.passes(exact.value(v), bool(strict_mask[v]), end)
    return passes, share, exact


def run_effective(g: PreparedGraph, end: End, thr: Threshold, aggregate: bool = True) -> RunResult:
    """Restricted entities and shares under the effective method with every share at ``end``."""
    restricted = g.seeds.copy()
    share = np.zeros(g.n)
    checkers = []
    for layer in g.layers:
        passes, r, exact = decide_layer(g, layer, end, thr)
        if not aggregate:
            r, passes = _single_owner(g, end, thr, exact)
        restricted |= passes
        np.maximum(share, r, out=share)
        checkers.append(exact)
    share[g.seeds] = 1.0

    def exact_share(v: int) -> Fraction | float:
        if g.seeds[v]:
            return Fraction(1)
        best: Fraction | float = Fraction(0)
        for checker in checkers:
            if not checker.reach[v]:
                continue
            if aggregate:
                value: Fraction | float = _fraction(checker.value(v))
            else:
                seeds = [s for s in checker.ancestors([v]) if g.seeds[s]]
                value = max((_fraction(checker.value(v, s)) for s in seeds), default=Fraction(0))
            best = max(best, value)
        return best

    return RunResult(restricted, share, np.full(g.n, -1, dtype=np.int32), exact_share)


def _fraction(value: Fraction | Decimal | float) -> Fraction | float:
    return value if isinstance(value, float) else Fraction(value)


def _single_owner(
    g: PreparedGraph, end: End, thr: Threshold, exact: ExactEffective
) -> tuple[FloatArray, BoolArray]:
    """Per-seed attribution (UK style), exact, for every entity a seed reaches.

    Slower than the aggregate (one exact value per entity and upstream seed), which is the
    price of a rarely used combination; the aggregate bounds it from above.
    """
    single = np.zeros(g.n)
    single_pass = np.zeros(g.n, dtype=bool)
    candidates = np.flatnonzero(exact.reach & ~g.seeds)
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
