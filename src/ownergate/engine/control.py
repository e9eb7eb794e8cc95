"""The control method (OFAC/BIS cascade) as a frontier fixpoint (docs/semantics.md §4).

Each round touches only the holdings out of the entities restricted in the round before.
Sums are exact: integer units of the graph's common decimal resolution (``PreparedGraph.unit``)
with a count of contributing exclusive bounds; where that resolution could overflow int64
sums, the same kernel runs interpreted on Python integers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergate.domain.shares import SCALE, End
from ownergate.engine import kernels
from ownergate.engine.threshold import BAND, Threshold
from ownergate.graph.prepare import Layer, PreparedGraph

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


ExactShare = Callable[[int], Fraction | float]


@dataclass(frozen=True)
class RunResult:
    """One monotone run: who is restricted, the share ``S`` (max over layers; seeds 1),
    for control the round in which each entity was restricted (-1: never), and the exact
    share of one entity (``Fraction``, or ``math.inf``) where a float is too close to call."""

    restricted: BoolArray
    share: FloatArray
    rank: npt.NDArray[np.int32]
    exact: ExactShare


def _exact_sums(g: PreparedGraph, totals: list[tuple[Any, BoolArray, IntArray]]) -> ExactShare:
    """Exact aggregate shares from the worklist's integer sums, per layer."""
    whole = SCALE // g.unit

    def exact(v: int) -> Fraction:
        if g.seeds[v]:
            return Fraction(1)
        best = Fraction(0)
        for total, plain, denom in totals:
            best = max(best, Fraction(int(total[v]), whole if plain[v] else int(denom[v])))
        return best

    return exact


def _exact_largest(g: PreparedGraph, restricted: BoolArray, end: End) -> ExactShare:
    """Exact UK-style shares: the largest single stake of a restricted owner."""

    def exact(v: int) -> Fraction:
        if g.seeds[v]:
            return Fraction(1)
        best = Fraction(0)
        for layer in g.layers:
            for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
                if restricted[layer.src[e]]:
                    best = max(best, layer.exact_share(e, end))
        return best

    return exact


def values(layer: Layer, end: End) -> tuple[FloatArray, IntArray, BoolArray]:
    if end is End.LOW:
        return layer.low, layer.low_units, layer.low_exclusive
    return layer.high, layer.high_units, layer.high_exclusive


def passes_units(
    total: IntArray, strict: BoolArray, threshold: int, thr: Threshold, end: End
) -> BoolArray:
    """Vectorised ``Threshold.passes`` on exact integer sums."""
    at = total == threshold
    if end is End.LOW:
        tie: BoolArray = at & (strict | thr.inclusive)
    else:
        tie = at & ~strict & thr.inclusive
    out: BoolArray = (total > threshold) | tie
    return out


def edge_passes(g: PreparedGraph, layer: Layer, end: End, thr: Threshold) -> BoolArray:
    """Per merged holding: does this single stake pass the threshold on its own?"""
    vals, units, excl = values(layer, end)
    if g.units_exact:
        out = passes_units(units, excl, g.units(thr.scaled), thr, end)
        near = np.flatnonzero(np.isin(layer.dst, layer.treasury[:, 0]))
    else:
        out = vals > thr.approx + BAND
        near = np.flatnonzero(np.abs(vals - thr.approx) <= BAND)
    for edge in near.tolist():
        out[edge] = thr.passes(layer.exact_share(edge, end), bool(excl[edge]), end)
    return out


def _largest_stake(g: PreparedGraph, restricted: BoolArray, end: End) -> FloatArray:
    """UK style: the largest single stake a restricted owner holds (seeds 1)."""
    share = np.zeros(g.n)
    for layer in g.layers:
        vals, _, _ = values(layer, end)
        from_r = restricted[layer.src]
        np.maximum.at(share, layer.dst[from_r], vals[from_r])
    share[g.seeds] = 1.0
    return share


def run_control(g: PreparedGraph, end: End, thr: Threshold, aggregate: bool = True) -> RunResult:
    """The least fixed point R = seeds ∪ {e : S(e) ⋗ t} with every share at ``end``."""
    n = g.n
    restricted = g.seeds.copy()
    rank = np.full(n, -1, dtype=np.int32)
    rank[restricted] = 0
    queue = np.empty(n, dtype=np.int32)  # every entity enters at most once
    seeds = np.flatnonzero(restricted)
    tail = len(seeds)
    queue[:tail] = seeds
    heads = [0] * len(g.layers)
    exact = g.units_exact
    worklist = kernels.control_worklist if exact else kernels.control_worklist.py_func
    state = []
    shares = []
    whole = SCALE // g.unit
    for layer in g.layers:
        _, units, excl = values(layer, end)
        plain, denom = layer.denominators(n, end)
        shares.append((plain, denom if exact else denom.astype(object)))
        if aggregate:
            total = np.zeros(n, dtype=np.int64 if exact else object)
            state.append((units if exact else units.astype(object), excl, total))
        else:
            state.append((edge_passes(g, layer, end, thr), excl, np.zeros(0, dtype=np.int64)))
    strict = [np.zeros(n, dtype=np.bool_) for _ in g.layers]
    threshold = g.units(thr.scaled)
    # Each layer walks the shared queue from its own head: an entity restricted through one
    # basis passes on its stakes in the other too.
    while any(h < tail for h in heads):
        for i, layer in enumerate(g.layers):
            first = heads[i]
            if aggregate:
                units_i, excl_i, total_i = state[i]
                tail = worklist(
                    layer.out_ptr,
                    layer.out_edge,
                    layer.dst,
                    units_i,
                    excl_i,
                    total_i,
                    strict[i],
                    restricted,
                    rank,
                    queue,
                    first,
                    tail,
                    threshold,
                    thr.inclusive,
                    end is End.LOW,
                    shares[i][0],
                    shares[i][1],
                    whole,
                )
            else:
                tail = kernels.control_single_owner(
                    layer.out_ptr,
                    layer.out_edge,
                    layer.dst,
                    state[i][0],
                    restricted,
                    rank,
                    queue,
                    first,
                    tail,
                )
            heads[i] = tail
    if aggregate:
        # The worklist summed every restricted owner's stake: that is the share to report.
        share = np.zeros(0)
        for (_, _, total), (plain, denom) in zip(state, shares, strict=True):
            layer_share = total.astype(np.float64)
            layer_share /= float(whole)
            scaled = np.flatnonzero(~plain)
            layer_share[scaled] = total[scaled].astype(np.float64) / denom[scaled]
            if len(share):
                np.maximum(share, layer_share, out=share)
            else:
                share = layer_share
        share[g.seeds] = 1.0
        exact_share = _exact_sums(
            g,
            [(t, plain, denom) for (_, _, t), (plain, denom) in zip(state, shares, strict=True)],
        )
    else:
        share = _largest_stake(g, restricted, end)
        exact_share = _exact_largest(g, restricted, end)
    return RunResult(restricted, share, rank, exact_share)
