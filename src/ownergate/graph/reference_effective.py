"""Exact integrated (effective) ownership for the reference implementation.

``r(s) = 1`` for every source ``s``; for every other entity ``r(e) = Σ_o w(o, e) · r(o)``,
the least non-negative solution (docs/semantics.md §4). Computed exactly with
``fractions.Fraction``:

1. nodes not reachable from a source through positive-weight edges have ``r = 0``;
2. the reachable nodes are split into strongly connected components (iterative Tarjan),
   processed upstream first;
3. a single node is the sum of its inflow; a cycle solves ``(I - M) x = b`` by Gaussian
   elimination without pivoting. ``I - M`` is a nonsingular M-matrix (spectral radius of
   ``M`` below 1) exactly when every pivot is positive; otherwise, or when the inflow is
   already infinite, the least solution is ``math.inf`` on the whole component.

Edges into absorbing nodes (seeds) are ignored, and absorbing nodes that are not sources
pass nothing on (their value is 0 in a per-seed system).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

Edge = tuple[str, str]
"""(owner, owned)."""

Value = Fraction | float
"""An exact share, or ``math.inf`` for a divergent integrated ownership."""

N = TypeVar("N", str, int)
ZERO = Fraction(0)
ONE = Fraction(1)


def strongly_connected_components(
    nodes: Sequence[N], successors: Mapping[N, Sequence[N]]
) -> list[list[N]]:
    """Tarjan's algorithm without recursion; components come upstream first (topological)."""
    index: dict[N, int] = {}
    lowlink: dict[N, int] = {}
    on_stack: set[N] = set()
    stack: list[N] = []
    components: list[list[N]] = []

    def visit(node: N) -> Iterator[N]:
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        return iter(successors.get(node, ()))

    for root in nodes:
        if root in index:
            continue
        work: list[tuple[N, Iterator[N]]] = [(root, visit(root))]
        while work:
            node, children = work[-1]
            descended = False
            for child in children:
                if child not in index:
                    work.append((child, visit(child)))
                    descended = True
                    break
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component: list[N] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    components.reverse()  # Tarjan emits downstream components first
    return components


def _usable(
    edges: Iterable[Edge], sources: Collection[str], absorbing: Collection[str]
) -> list[Edge]:
    """Drop edges into absorbing nodes and out of absorbing nodes that are not sources."""
    return [
        (o, e)
        for o, e in edges
        if e not in absorbing and (o not in absorbing or o in sources) and o != e
    ]


def _reach(starts: Iterable[str], edges: Iterable[Edge]) -> set[str]:
    successors: dict[str, list[str]] = {}
    for o, e in edges:
        successors.setdefault(o, []).append(e)
    seen = set(starts)
    queue = deque(seen)
    while queue:
        for nxt in successors.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _solve_cycle(matrix: list[list[Fraction]], rhs: list[Fraction]) -> list[Fraction] | None:
    """Solve ``matrix · x = rhs`` exactly; ``None`` when a pivot is not positive."""
    a = [row[:] for row in matrix]
    b = rhs[:]
    n = len(a)
    for k in range(n):
        pivot = a[k][k]
        if pivot <= 0:
            return None
        for i in range(k + 1, n):
            factor = a[i][k] / pivot
            if factor:
                for j in range(k, n):
                    a[i][j] -= factor * a[k][j]
                b[i] -= factor * b[k]
    x = [ZERO] * n
    for i in reversed(range(n)):
        x[i] = (b[i] - sum((a[i][j] * x[j] for j in range(i + 1, n)), ZERO)) / a[i][i]
    return x


def integrated_ownership(
    weights: Mapping[Edge, Fraction], sources: Collection[str], absorbing: Collection[str]
) -> dict[str, Value]:
    """Least non-negative ``r`` with ``r(source) = 1``; nodes missing from the result are 0.

    ``absorbing`` (the seeds, a superset of ``sources``) receive nothing; those that are not
    sources contribute nothing.
    """
    edges = [edge for edge in _usable(weights, sources, absorbing) if weights[edge] > 0]
    live = _reach(sources, edges) - set(sources)
    edges = [(o, e) for o, e in edges if e in live and (o in live or o in sources)]
    predecessors: dict[str, list[Edge]] = {}
    successors: dict[str, list[str]] = {}
    for o, e in edges:
        predecessors.setdefault(e, []).append((o, e))
        if o in live:
            successors.setdefault(o, []).append(e)
    for children in successors.values():
        children.sort()
    r: dict[str, Value] = dict.fromkeys(sources, ONE)
    for component in strongly_connected_components(sorted(live), successors):
        members = set(component)
        inflow: dict[str, Value] = {}
        for node in component:
            total: Value = ZERO
            for edge in predecessors.get(node, ()):
                if edge[0] not in members:
                    total = (
                        math.inf if math.isinf(r[edge[0]]) else total + weights[edge] * r[edge[0]]
                    )
            inflow[node] = total
        if len(component) == 1:
            r[component[0]] = inflow[component[0]]
            continue
        finite = [v for v in inflow.values() if isinstance(v, Fraction)]
        solution = None
        if len(finite) == len(component):
            pos = {node: i for i, node in enumerate(component)}
            matrix = [[ONE if i == j else ZERO for j in component] for i in component]
            for node in component:
                for o, e in predecessors.get(node, ()):
                    if o in members:
                        matrix[pos[e]][pos[o]] -= weights[(o, e)]
            solution = _solve_cycle(matrix, finite)
        for i, node in enumerate(component):
            r[node] = math.inf if solution is None else solution[i]
    return r


def strictly_reached(
    live: Iterable[Edge],
    exclusive: Collection[Edge],
    sources: Collection[str],
    absorbing: Collection[str],
) -> set[str]:
    """Nodes reached from a source by a walk of ``live`` edges containing an ``exclusive`` one.

    ``live`` are the edges whose true weight is positive; at the low run those with
    ``low > 0`` or an exclusive low end, at the high run those with ``high > 0``. A node so
    reached has a true integrated ownership strictly beyond its value at that end.
    """
    usable = _usable(live, sources, absorbing)
    reached = _reach(sources, usable)
    starts = {e for o, e in usable if (o, e) in exclusive and o in reached}
    return _reach(starts, usable)
