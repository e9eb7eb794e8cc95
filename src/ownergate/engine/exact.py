"""Exact integrated ownership for a few entities: the effective method's boundary check.

The float solve decides every entity clearly away from the threshold; for the rest this
recomputes ``r`` exactly (``Fraction``) over their ancestors, in topological order of
strongly connected components, with exact Gaussian elimination inside a component. Values
are memoised across calls, so entities sharing ancestors share the work.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal, Inexact, InvalidOperation, Overflow, Rounded
from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ownergate.domain.shares import SCALE_DIGITS, End
from ownergate.engine import kernels
from ownergate.graph.condense import reach_from
from ownergate.graph.prepare import Layer, PreparedGraph
from ownergate.graph.reference_effective import strongly_connected_components

INF = float("inf")
Value = Decimal | Fraction | float  # float only for INF
BoolArray = npt.NDArray[np.bool_]


def solve_exact(
    comp: list[int], inner: dict[tuple[int, int], Fraction], rhs: dict[int, Value]
) -> dict[int, Value]:
    """Least non-negative x with x_v = rhs_v + Σ_u inner[u, v] x_u on one component.

    (I − M) is a nonsingular M-matrix exactly when every pivot of elimination without
    pivoting is positive; otherwise the spectral radius is ≥ 1 and, the component being
    fed from outside, its least solution is unbounded.
    """
    if any(isinstance(rhs[v], float) for v in comp):
        return dict.fromkeys(comp, INF)
    pos = {v: i for i, v in enumerate(comp)}
    size = len(comp)
    a = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
    b = [Fraction(rhs[v]) for v in comp]  # Decimal and Fraction convert exactly
    for (u, v), w in inner.items():
        a[pos[v]][pos[u]] -= w
    for k in range(size):
        if a[k][k] <= 0:
            return dict.fromkeys(comp, INF)
        for i in range(k + 1, size):
            if a[i][k]:
                f = a[i][k] / a[k][k]
                for j in range(k, size):
                    a[i][j] -= f * a[k][j]
                b[i] -= f * b[k]
    x = [Fraction(0)] * size
    for i in reversed(range(size)):
        acc = b[i] - sum((a[i][j] * x[j] for j in range(i + 1, size)), Fraction(0))
        x[i] = acc / a[i][i]
    return {v: x[pos[v]] for v in comp}


# Sums and products of terminating decimals are exact at this precision; anything that would
# round raises instead (then the value is carried as a Fraction).
EXACT = Context(prec=4000, traps=[Inexact, Rounded, Overflow, InvalidOperation])


def add_product(total: Value, w: Decimal | Fraction, ru: Value) -> Value:
    """``total + w * ru`` exactly, in Decimal while possible, else Fraction or infinity."""
    if isinstance(total, float) or isinstance(ru, float):
        return INF if isinstance(total, float) or (w > 0 and ru > 0) else total
    if isinstance(total, Decimal) and isinstance(ru, Decimal) and isinstance(w, Decimal):
        try:
            return EXACT.add(total, EXACT.multiply(w, ru))
        except (Inexact, Rounded):
            pass
    return Fraction(total) + Fraction(w) * Fraction(ru)


class KnownValues(Protocol):
    """Values a float pass already knows exactly: ``num · 10^-exp`` where ``exact``."""

    @property
    def exact(self) -> BoolArray: ...

    @property
    def num(self) -> npt.NDArray[np.int64]: ...

    @property
    def exp(self) -> npt.NDArray[np.int16]: ...


class ExactEffective:
    """Exact ``r`` (aggregate, or per seed) for chosen entities of one layer and run.

    With ``known`` (the certified pass's exact decimals), aggregate values stop at the
    entities already known exactly: only the ancestors in or below cross-holdings, or
    whose decimals overflowed, are recomputed.
    """

    def __init__(
        self,
        g: PreparedGraph,
        layer: Layer,
        end: End,
        reach: BoolArray,
        known: KnownValues | None = None,
    ) -> None:
        self.g, self.layer, self.end, self.reach = g, layer, end, reach
        self.excl = layer.low_exclusive if end is End.LOW else layer.high_exclusive
        self.known = known
        self._weight: dict[int, Decimal | Fraction] = {}
        self._memo: dict[tuple[int, int], Value] = {}
        self._strict: BoolArray | None = None
        self._live: BoolArray | None = None
        self._scaled = set(layer.treasury[:, 0].tolist()) if len(layer.treasury) else set()

    def weight(self, edge: int) -> Decimal | Fraction:
        w = self._weight.get(edge)
        if w is None:
            if int(self.layer.dst[edge]) in self._scaled:
                w = self._weight[edge] = self.layer.exact_share(edge, self.end)
            else:
                units = self.layer.low_units if self.end is End.LOW else self.layer.high_units
                raw = int(units[edge]) * self.g.unit
                w = self._weight[edge] = Decimal(raw).scaleb(-SCALE_DIGITS, EXACT)
        return w

    def _known(self, v: int) -> Value | None:
        """The exact aggregate value of ``v`` where the float pass knows it, else None."""
        if self.known is None or not self.known.exact[v]:
            return None
        return Decimal(int(self.known.num[v])).scaleb(-int(self.known.exp[v]), EXACT)

    def positive(self, edge: int) -> bool:
        return self.weight(edge) > 0 or (self.end is End.LOW and bool(self.excl[edge]))

    def in_edges(self, v: int) -> Iterable[int]:
        layer = self.layer
        for edge in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
            if self.reach[layer.src[edge]] and self.positive(edge):
                yield edge

    def ancestors(self, targets: Iterable[int]) -> list[int]:
        seen: set[int] = set()
        todo = [t for t in targets if self.reach[t]]
        order: list[int] = []
        while todo:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            order.append(v)
            if not self.g.seeds[v]:
                todo.extend(int(self.layer.src[e]) for e in self.in_edges(v))
        return order

    def value(self, v: int, seed: int = -1) -> Value:
        """r(v) over all seeds (``seed=-1``) or the integrated ownership of one seed."""
        key = (v, seed)
        if key not in self._memo:
            if seed == -1:
                self.settle([v])
            else:
                self._solve(self.ancestors([v]), seed)
        return self._memo[key]

    def live_edges(self) -> BoolArray:
        """Holdings that can carry a positive value from a seed in this run (computed once:
        every exact value asks for them)."""
        if self._live is None:
            layer = self.layer
            units = layer.low_units if self.end is End.LOW else layer.high_units
            live: BoolArray = units > 0
            if self.end is End.LOW:
                live = live | self.excl
            self._live = live & self.reach[layer.src]
        return self._live

    def settle(self, targets: list[int]) -> None:
        """Exact aggregate ``r`` for many entities at once, ancestors in dependency order.

        The order comes from a compiled sweep; the exact arithmetic runs once per holding
        of the ancestor set. Entities in or below cross-holdings go to ``_solve``.
        """
        layer, memo, seeds = self.layer, self._memo, self.g.seeds
        live = self.live_edges()
        stop = seeds if self.known is None else seeds | self.known.exact
        order, settled = kernels.ancestors_in_order(
            layer.in_ptr, layer.src, live, stop, np.asarray(targets, dtype=np.int64), self.g.n
        )
        in_ptr, src = layer.in_ptr, layer.src
        for v in order[:settled].tolist():
            if (v, -1) in memo:
                continue
            if seeds[v]:
                memo[(v, -1)] = Decimal(1)
                continue
            known = self._known(v)
            if known is not None:
                memo[(v, -1)] = known
                continue
            total: Value = Decimal(0)
            for e in range(int(in_ptr[v]), int(in_ptr[v + 1])):
                if live[e]:
                    total = add_product(total, self.weight(e), memo[(int(src[e]), -1)])
            memo[(v, -1)] = total
        rest = order[settled:].tolist()
        if rest:
            self._solve(rest, -1)

    def strict_mask(self) -> BoolArray:
        """Per entity: does a positive path from a seed carry an exclusive bound?

        Such entities' true values lie strictly beyond ``r`` (above it at the low end,
        below it at the high end). One sweep from the exclusive holdings a seed feeds.
        """
        if self._strict is None:
            layer = self.layer
            live = self.live_edges()
            start = np.unique(layer.dst[live & self.excl]).astype(np.int64)
            mask = np.zeros(self.g.n, dtype=np.bool_)
            mask[start] = True
            queue = np.zeros(self.g.n, dtype=np.int64)
            queue[: len(start)] = start
            reach_from(layer.out_ptr, layer.out_edge, layer.dst, live, mask, queue, len(start))
            self._strict = mask
        return self._strict

    def _seed_value(self, v: int, seed: int) -> Value:
        return Decimal(1) if seed in (-1, v) else Decimal(0)

    def _solve(self, nodes: list[int], seed: int) -> None:
        memo, layer = self._memo, self.layer
        todo = [v for v in nodes if (v, seed) not in memo]
        for v in todo:
            if self.g.seeds[v]:
                memo[(v, seed)] = self._seed_value(v, seed)
            elif seed == -1 and (known := self._known(v)) is not None:
                memo[(v, seed)] = known
        todo = [v for v in todo if (v, seed) not in memo]
        todo_set = set(todo)
        succ: dict[int, list[int]] = {}
        for v in todo:
            for e in self.in_edges(v):
                u = int(layer.src[e])
                if u in todo_set:
                    succ.setdefault(u, []).append(v)
        for comp in strongly_connected_components(todo, succ):
            members = set(comp)
            inner: dict[tuple[int, int], Fraction] = {}
            rhs: dict[int, Value] = {}
            for v in comp:
                total: Value = Decimal(0)
                for e in self.in_edges(v):
                    u, w = int(layer.src[e]), self.weight(e)
                    if u in members:
                        inner[(u, v)] = inner.get((u, v), Fraction(0)) + Fraction(w)
                        continue
                    total = add_product(total, w, memo[(u, seed)])
                rhs[v] = total
            if len(comp) == 1 and not inner:
                memo[(comp[0], seed)] = rhs[comp[0]]
                continue
            for v, x in solve_exact(comp, inner, rhs).items():
                memo[(v, seed)] = x

    def strict(self, v: int, seed: int = -1) -> bool:
        """Whether a path from a seed (or from ``seed``) to ``v`` of positive holdings
        carries an exclusive bound, so that the true value lies strictly beyond ``r``."""
        nodes = self.ancestors([v])
        node_set = set(nodes)
        feeds: set[int] = set()
        if seed == -1:
            feeds = node_set
        else:
            # Entities the chosen seed reaches inside the ancestor set.
            succ: dict[int, list[int]] = {}
            for w in nodes:
                for e in self.in_edges(w):
                    succ.setdefault(int(self.layer.src[e]), []).append(w)
            stack = [seed] if seed in node_set else []
            while stack:
                u = stack.pop()
                if u not in feeds:
                    feeds.add(u)
                    stack.extend(succ.get(u, []))
        strict: set[int] = set()
        changed = True
        while changed:
            changed = False
            for w in nodes:
                if w in strict or self.g.seeds[w]:
                    continue
                for e in self.in_edges(w):
                    u = int(self.layer.src[e])
                    if u in feeds and (bool(self.excl[e]) or u in strict):
                        strict.add(w)
                        changed = True
                        break
        return v in strict
