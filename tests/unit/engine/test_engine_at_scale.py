"""Both methods on large registries shaped unlike ``ownergate synth``, against references
written here, independently of the engine.

Small random graphs did not find the bug a large registry found at once (a cyclic
component fed twice by one upstream component was never settled), so each shape here
stresses one thing at scale: corporate groups with cross-holdings, joint ventures exactly
at 50% and treasury shares (``groups``), chains of hundreds of majority stakes with
cross-holdings along them (``chains``), fifty rings of 2,500 companies fed by many seeds
(``rings``), and stakes summing to exactly 50% everywhere (``ties``).

- control: a worklist fixpoint on exact integer units;
- effective: scipy, strongly connected components in topological order, a sparse solve
  per cyclic component. A float reference may disagree with the exact engine only within
  1e-9 of the threshold; there the exact value (``Fraction``s, over the entity's ancestors)
  must agree with the engine.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import replace
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pytest
import scipy.sparse as sp
from benchmarks.shapes import COUNTRIES, WHOLE, Shape, generate
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve

from ownergate.domain.model import KINDS, Kind
from ownergate.domain.shares import SCALE
from ownergate.engine.screen import screen
from ownergate.graph.order import dependency_order, renumbering
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import OPEN_END, OPEN_START, EntityColumns, HoldingColumns
from ownergate.policy.model import Policy

pytestmark = pytest.mark.slow
DAY = dt.date(2026, 1, 1)
HALF = WHOLE // 2
Floats = npt.NDArray[np.float64]


def columns(reg: Shape) -> tuple[EntityColumns, HoldingColumns]:
    n, m = reg.entities, len(reg.owner)
    vocab = ("", *COUNTRIES)
    ents = EntityColumns(
        ids=np.array([f"C{i}" for i in range(n)], dtype=object),
        kind=np.full(n, KINDS.index(Kind.COMPANY), dtype=np.int8),
        country=(reg.country + 1).astype(np.int16),
        legal_country=np.zeros(n, dtype=np.int16),
        listed=np.zeros(n, dtype=bool),
        country_vocab=vocab,
    )
    scaled = reg.units * (SCALE // WHOLE)
    holds = HoldingColumns(
        owner=reg.owner.astype(np.int64),
        owned=reg.owned.astype(np.int64),
        nominee_for=np.full(m, -1, dtype=np.int64),
        low=scaled,
        high=scaled.copy(),
        low_exclusive=np.zeros(m, dtype=bool),
        high_exclusive=np.zeros(m, dtype=bool),
        known=np.ones(m, dtype=bool),
        basis=np.zeros(m, dtype=np.int8),
        start=np.full(m, OPEN_START, dtype=np.int32),
        end=np.full(m, OPEN_END, dtype=np.int32),
    )
    return ents, holds


class Registry:
    """The test's own view: stakes into non-seeds, measured against outstanding capital."""

    def __init__(self, reg: Shape) -> None:
        self.n = reg.entities
        self.seeds = reg.seeds
        own = reg.owner == reg.owned
        self.treasury = np.zeros(self.n, dtype=np.int64)
        np.add.at(self.treasury, reg.owned[own], reg.units[own])
        keep = ~own & ~self.seeds[reg.owned]
        self.owner, self.owned, self.units = reg.owner[keep], reg.owned[keep], reg.units[keep]
        # Several holdings of one owner in one company add up.
        key = self.owner * self.n + self.owned
        uniq, inverse = np.unique(key, return_inverse=True)
        self.units = np.bincount(inverse, weights=self.units).astype(np.int64)
        self.owner, self.owned = uniq // self.n, uniq % self.n
        self.outstanding = WHOLE - self.treasury  # > 0: the generator keeps stakes within 100%
        self.into: dict[int, list[int]] = {}
        for k, v in enumerate(self.owned.tolist()):
            self.into.setdefault(v, []).append(k)

    def share(self, k: int) -> Fraction:
        return Fraction(int(self.units[k]), int(self.outstanding[self.owned[k]]))

    def control(self) -> npt.NDArray[np.bool_]:
        """Least fixed point: sums of restricted owners' stakes, exact, strictly above 1/2."""
        out_edges: dict[int, list[int]] = {}
        for k, o in enumerate(self.owner.tolist()):
            out_edges.setdefault(o, []).append(k)
        total = np.zeros(self.n, dtype=np.int64)
        restricted = self.seeds.copy()
        queue = deque(np.flatnonzero(restricted).tolist())
        while queue:
            u = queue.popleft()
            for k in out_edges.get(u, ()):
                v = int(self.owned[k])
                total[v] += self.units[k]
                # total / outstanding > 1/2, in integers
                if not restricted[v] and 2 * total[v] > self.outstanding[v]:
                    restricted[v] = True
                    queue.append(v)
        return restricted

    def effective(self) -> Floats:
        """Integrated ownership, float, by components in topological order."""
        w = self.units / self.outstanding[self.owned]
        a = sp.csr_array((w, (self.owner, self.owned)), shape=(self.n, self.n))
        ncomp, label = connected_components(a, directed=True, connection="strong")
        cu, cv = label[self.owner], label[self.owned]
        cross = cu != cv
        succ = sp.csr_array(
            (np.ones(int(cross.sum())), (cu[cross], cv[cross])), shape=(ncomp, ncomp)
        )
        succ.sum_duplicates()
        indeg = np.bincount(succ.indices, minlength=ncomp)
        members: dict[int, list[int]] = {}
        for v, c in enumerate(label.tolist()):
            members.setdefault(c, []).append(v)
        into = self.into
        r = np.zeros(self.n)
        r[self.seeds] = 1.0
        queue = deque(np.flatnonzero(indeg == 0).tolist())
        while queue:
            c = queue.popleft()
            nodes = members[c]
            if len(nodes) == 1:
                v = nodes[0]
                if not self.seeds[v]:
                    r[v] = sum(w[k] * r[self.owner[k]] for k in into.get(v, ()))
            else:
                pos = {v: i for i, v in enumerate(nodes)}
                b = np.zeros(len(nodes))
                rows, cols, vals = [], [], []
                for v in nodes:
                    for k in into.get(v, ()):
                        u = int(self.owner[k])
                        if u in pos:
                            rows.append(pos[v])
                            cols.append(pos[u])
                            vals.append(w[k])
                        else:
                            b[pos[v]] += w[k] * r[u]
                m = sp.csc_array((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
                x = spsolve(sp.identity(len(nodes), format="csc") - m, b)
                r[nodes] = np.atleast_1d(x)
            for d in succ.indices[succ.indptr[c] : succ.indptr[c + 1]].tolist():
                indeg[d] -= 1
                if indeg[d] == 0:
                    queue.append(d)
        assert (indeg == 0).all()
        return r

    def exact(self, v: int) -> Fraction:
        """Integrated ownership of ``v`` in ``Fraction``s over its ancestors."""
        into = self.into
        up, todo = {v}, [v]
        while todo:
            x = todo.pop()
            if self.seeds[x]:
                continue
            for k in into.get(x, ()):
                u = int(self.owner[k])
                if u not in up:
                    up.add(u)
                    todo.append(u)
        nodes = sorted(up)
        pos = {x: i for i, x in enumerate(nodes)}
        size = len(nodes)
        assert size <= 400, f"ancestors of {v} too many for the dense exact solve ({size})"
        a = [[Fraction(int(i == j)) for j in range(size)] for i in range(size)]
        b = [Fraction(int(self.seeds[x])) for x in nodes]
        for x in nodes:
            if self.seeds[x]:
                continue
            for k in into.get(x, ()):
                a[pos[x]][pos[int(self.owner[k])]] -= self.share(k)
        for col in range(size):
            piv = next(i for i in range(col, size) if a[i][col] != 0)
            a[col], a[piv], b[col], b[piv] = a[piv], a[col], b[piv], b[col]
            for i in range(size):
                if i != col and a[i][col]:
                    f = a[i][col] / a[col][col]
                    a[i] = [p - f * q for p, q in zip(a[i], a[col], strict=True)]
                    b[i] -= f * b[col]
        return b[pos[v]] / a[pos[v]][pos[v]]


CASES = [
    ("groups", 200_000, 11),
    ("chains", 60_000, 12),
    ("rings", 100_000, 13),
    ("ties", 100_000, 14),
]


def screened(reg: Shape, policy: Policy, ordered: bool) -> tuple[Floats, npt.NDArray[np.bool_]]:
    """(share_min, restricted) per entity of ``reg``: screened as numbered, or renumbered in
    dependency order as a snapshot is (results mapped back to ``reg``'s rows)."""
    ents, holds = columns(reg)
    if not ordered:
        result = screen(prepare(ents, holds, policy, DAY), policy)
        return result.share_min, result.status == 0  # STATUSES: restricted first
    order, blocks = dependency_order(reg.entities, holds)
    new = renumbering(order)
    ents = replace(ents, ids=ents.ids[order], country=ents.country[order], kind=ents.kind[order])
    holds = replace(holds, owner=new[holds.owner], owned=new[holds.owned])
    result = screen(prepare(ents, holds, policy, DAY, blocks=blocks), policy)
    return result.share_min[new], (result.status == 0)[new]


@pytest.mark.parametrize("ordered", [False, True], ids=["as-numbered", "dependency-order"])
@pytest.mark.parametrize(("shape", "holdings", "seed"), CASES)
def test_both_methods_match_independent_references(
    shape: str, holdings: int, seed: int, ordered: bool
) -> None:
    reg = generate(holdings, seed, shape)
    mine = Registry(reg)

    _, got = screened(reg, Policy(), ordered)
    want = mine.control()
    assert np.array_equal(got, want), np.flatnonzero(got != want)[:10]
    by_control = want & ~mine.seeds

    share, got = screened(reg, Policy(method="effective"), ordered)
    r = mine.effective()
    want = mine.seeds | (r > 0.5)
    near = np.abs(r - 0.5) <= 1e-9
    differ = np.flatnonzero((got != want) & ~near)
    assert len(differ) == 0, [(int(v), r[v], share[v]) for v in differ[:10]]
    for v in np.flatnonzero(near & ~mine.seeds).tolist():
        assert got[v] == (mine.exact(v) > Fraction(1, 2)), v
    finite = np.isfinite(r) & ~mine.seeds
    assert np.allclose(share[finite], r[finite], rtol=1e-9, atol=1e-12)
    # Each shape restricts many entities through their owners, not only its seeds.
    assert (by_control | (want & ~mine.seeds)).sum() > reg.entities // 200
