"""The control method (OFAC/BIS cascade) as a frontier fixpoint (docs/semantics.md §4).

Each round touches only the holdings out of the entities restricted in the round before.
Float sums decide everything clearly above or below the threshold; entities within
``BAND`` of it are decided on exact integer sums, then the cascade goes on from them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ownergate.engine.threshold import BAND, End, Threshold
from ownergate.graph.csr import gather_ranges
from ownergate.graph.prepare import Layer, PreparedGraph

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class RunResult:
    """One monotone run: who is restricted, the share ``S`` (max over layers; seeds 1),
    and for control the round in which each entity was restricted (-1: never)."""

    restricted: BoolArray
    share: FloatArray
    rank: npt.NDArray[np.int32]


def _values(layer: Layer, end: End) -> tuple[FloatArray, BoolArray]:
    if end is End.LOW:
        return layer.low, layer.low_exclusive
    return layer.high, layer.high_exclusive


def _exact_edge_value(g: PreparedGraph, layer: Layer, edge: int, end: End) -> int:
    return g.exact_low(layer, edge) if end is End.LOW else g.exact_high(layer, edge)


def _exact_sum_passes(
    g: PreparedGraph, node: int, restricted: BoolArray, end: End, thr: Threshold
) -> bool:
    for layer in g.layers:
        _, excl = _values(layer, end)
        total, strict = 0, False
        for edge in range(int(layer.in_ptr[node]), int(layer.in_ptr[node + 1])):
            if restricted[layer.src[edge]]:
                total += _exact_edge_value(g, layer, edge, end)
                strict = strict or bool(excl[edge])
        if thr.passes(total, strict, end):
            return True
    return False


def _edge_passes(g: PreparedGraph, layer: Layer, end: End, thr: Threshold) -> BoolArray:
    """Per merged holding: does this single stake pass the threshold on its own?"""
    vals, excl = _values(layer, end)
    out: BoolArray = vals > thr.approx + BAND
    for edge in np.flatnonzero(np.abs(vals - thr.approx) <= BAND).tolist():
        out[edge] = thr.passes(_exact_edge_value(g, layer, edge, end), bool(excl[edge]), end)
    return out


def _reported_share(g: PreparedGraph, restricted: BoolArray, end: End, single: bool) -> FloatArray:
    share = np.zeros(g.n)
    for layer in g.layers:
        vals, _ = _values(layer, end)
        from_r = restricted[layer.src]
        layer_share = np.zeros(g.n)
        if single:
            np.maximum.at(layer_share, layer.dst[from_r], vals[from_r])
        else:
            np.add.at(layer_share, layer.dst[from_r], vals[from_r])
        np.maximum(share, layer_share, out=share)
    share[g.seeds] = 1.0
    return share


def run_control(g: PreparedGraph, end: End, thr: Threshold, aggregate: bool = True) -> RunResult:
    """The least fixed point R = seeds ∪ {e : S(e) ⋗ t} with every share at ``end``."""
    n = g.n
    restricted = g.seeds.copy()
    rank = np.full(n, -1, dtype=np.int32)
    rank[restricted] = 0
    frontier = np.flatnonzero(restricted)
    if not aggregate:
        passing = [_edge_passes(g, layer, end, thr) for layer in g.layers]
    sums = [np.zeros(n) for _ in g.layers]
    level = 0
    while len(frontier):
        level += 1
        touched: list[IntArray] = []
        for i, layer in enumerate(g.layers):
            edges = layer.out_edge[gather_ranges(layer.out_ptr, frontier)]
            if not aggregate:
                edges = edges[passing[i][edges]]
                touched.append(layer.dst[edges])
                continue
            vals, _ = _values(layer, end)
            dst = layer.dst[edges]
            np.add.at(sums[i], dst, vals[edges])
            touched.append(dst)
        cand = np.unique(np.concatenate(touched)) if touched else frontier[:0]
        cand = cand[~restricted[cand]]
        if aggregate:
            clear = np.zeros(len(cand), dtype=bool)
            for s in sums:
                clear |= s[cand] > thr.approx + BAND
            new = cand[clear]
        else:
            new = cand
        if aggregate and len(new) == 0:
            # Nothing clearly passes: settle the entities at the threshold exactly.
            near = np.zeros(n, dtype=bool)
            for s in sums:
                near |= np.abs(s - thr.approx) <= BAND
            near &= ~restricted
            new = np.array(
                [
                    e
                    for e in np.flatnonzero(near).tolist()
                    if _exact_sum_passes(g, e, restricted, end, thr)
                ],
                dtype=np.int64,
            )
        restricted[new] = True
        rank[new] = level
        frontier = new
    return RunResult(restricted, _reported_share(g, restricted, end, not aggregate), rank)
