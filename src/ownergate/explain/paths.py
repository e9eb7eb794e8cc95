"""Effective-method evidence: the largest ownership paths from seeds, and what decides a review."""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ownergate.domain.shares import End
from ownergate.graph.prepare import Layer, PreparedGraph


@dataclass(frozen=True)
class Path:
    """Entities from a seed down to the decided entity, with the stake of each step."""

    nodes: tuple[int, ...]
    stakes: tuple[float, ...]
    basis: str

    @property
    def product(self) -> float:
        out = 1.0
        for s in self.stakes:
            out *= s
        return out


def _weights(layer: Layer, end: End) -> npt.NDArray[np.float64]:
    return layer.low if end is End.LOW else layer.high


def largest_paths(
    g: PreparedGraph,
    node: int,
    end: End,
    share: npt.NDArray[np.float64],
    limit: int = 10,
    budget: int = 50_000,
) -> list[Path]:
    """Simple paths from seeds to ``node``, largest product first (best-first search).

    Stakes are at most 1, so products only shrink as a path grows backwards: the first
    complete paths popped are the largest. ``share`` (the run's per-entity value) prunes
    owners no seed reaches.
    """
    out: list[Path] = []
    for layer in g.layers:
        w = _weights(layer, end)
        heap: list[tuple[float, tuple[int, ...], tuple[float, ...]]] = [(-1.0, (node,), ())]
        pops = 0
        found = 0
        while heap and found < limit and pops < budget:
            neg, nodes, stakes = heapq.heappop(heap)
            pops += 1
            head = nodes[0]
            if g.seeds[head] and head != node:
                out.append(Path(nodes, stakes, layer.basis.value))
                found += 1
                continue
            for e in range(int(layer.in_ptr[head]), int(layer.in_ptr[head + 1])):
                u = int(layer.src[e])
                if w[e] <= 0 or u in nodes or share[u] <= 0:
                    continue
                heapq.heappush(heap, (neg * float(w[e]), (u, *nodes), (float(w[e]), *stakes)))
    out.sort(key=lambda p: -p.product)
    return out[:limit]


@dataclass(frozen=True)
class Decider:
    """A ranged or unknown holding whose width can move the decision."""

    layer: int
    edge: int
    effect: float


def deciding_holdings(
    g: PreparedGraph, nodes: list[int], share_high: npt.NDArray[np.float64], limit: int = 10
) -> list[Decider]:
    """Uncertain holdings into ``nodes``, by how much restricted share their width can add."""
    found: list[Decider] = []
    for li, layer in enumerate(g.layers):
        for v in nodes:
            for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
                if not layer.uncertain[e]:
                    continue
                width = float(layer.high[e] - layer.low[e])
                effect = width * float(min(1.0, share_high[int(layer.src[e])]))
                if effect > 0:
                    found.append(Decider(li, e, effect))
    found.sort(key=lambda d: -d.effect)
    return found[:limit]
