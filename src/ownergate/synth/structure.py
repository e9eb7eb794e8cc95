"""Corporate groups: heavy-tailed group sizes, subsidiary trees and their countries.

Every group is a tree under a root parent, laid out as one contiguous block of internal
indices sorted by tree level, so a node's parent always comes before it. Group sizes are
``1 + Zipf(2.1)`` subsidiaries, capped at ``tree_edges // 100`` (at most 50 000): most
groups have 1-5 companies, a few tens of thousands at 10M edges. Levels are geometric
(each level about 60% the size of the one above, at most ``MAX_LEVEL``), so large groups
have chains of depth 8-10 below the root while most groups are flat.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ownergate.synth import countries as C

I8 = npt.NDArray[np.int8]
I16 = npt.NDArray[np.int16]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

ZIPF_EXPONENT = 2.1
MAX_GROUP = 50_000
MAX_LEVEL = 10
LEVEL_P = 0.4  # P(level = L) ~ (1 - LEVEL_P) ** (L - 1)
FOREIGN_FIRST = 0.38  # a direct subsidiary of the root is abroad
FOREIGN_DEEP = 0.15  # a deeper subsidiary of a home-country parent is abroad
RETURN_HOME = 0.2  # a subsidiary of a foreign parent is back in the root's country
INHERIT = 0.65  # ... or in its parent's (foreign) country; otherwise a new foreign country
HOME_OFFSHORE = {"CN": 0.25, "HK": 0.25, "RU": 0.15}
ROOT_OFFSHORE = 0.03
HOLDCO_OFFSHORE = 0.08

_CELLS = 1 << 16
LEVEL_PROBS = np.array([0.0] + [LEVEL_P * (1 - LEVEL_P) ** (lv - 1) for lv in range(1, MAX_LEVEL)])
LEVEL_PROBS = np.append(LEVEL_PROBS, 1.0 - LEVEL_PROBS.sum())  # the tail piles up at MAX_LEVEL
COUNTRY_P = np.array(C.COMPANY_WEIGHT) / sum(C.COMPANY_WEIGHT)
FOREIGN_P = np.array(C.FOREIGN_WEIGHT) / sum(C.FOREIGN_WEIGHT)


def uniform(rng: np.random.Generator, n: int) -> F32:
    """``n`` uniform floats in [0, 1), single precision (half the memory of float64)."""
    return rng.random(n, dtype=np.float32)


def draw(rng: np.random.Generator, p: F64, n: int) -> I16:
    """``n`` categorical draws from probabilities ``p`` (a 2**16-cell inverse-CDF table)."""
    cdf = np.cumsum(p) / np.sum(p)
    cells = (np.arange(_CELLS, dtype=np.float64) + 0.5) / _CELLS
    table = np.minimum(np.searchsorted(cdf, cells, side="right"), len(p) - 1).astype(np.int16)
    return table[rng.integers(0, _CELLS, n, dtype=np.uint16)]


def draw_from(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> I16:
    codes = np.array([C.INDEX[code] for code, _ in table], dtype=np.int16)
    return codes[draw(rng, np.array([w for _, w in table]), n)]


@dataclass(frozen=True)
class Forest:
    """Grouped companies ``0..n-1``; ``parent`` is -1 for the roots."""

    parent: I32
    level: I8
    group: I32
    roots: I32
    has_child: Bool
    country: I16
    legal: I16
    offshore: Bool

    @property
    def root(self) -> I32:
        """The root of each node's group."""
        return self.roots[self.group]

    def __len__(self) -> int:
        return len(self.parent)


def group_sizes(rng: np.random.Generator, tree_edges: int) -> I64:
    """Subsidiary counts per group (each >= 1), summing to exactly ``tree_edges``."""
    if tree_edges <= 0:
        return np.zeros(0, dtype=np.int64)
    cap = int(np.clip(tree_edges // 100, 8, MAX_GROUP))
    batches: list[I64] = []
    total = 0
    while total < tree_edges:
        batch = np.minimum(rng.zipf(ZIPF_EXPONENT, max(1024, (tree_edges - total) // 3)), cap)
        batches.append(batch.astype(np.int64))
        total += int(batch.sum())
    subs = np.concatenate(batches)
    cum = np.cumsum(subs)
    last = int(np.searchsorted(cum, tree_edges))
    subs = subs[: last + 1].copy()
    subs[last] -= int(cum[last]) - tree_edges
    return subs


def build_forest(rng: np.random.Generator, tree_edges: int) -> Forest:
    subs = group_sizes(rng, tree_edges)
    n_groups = len(subs)
    sizes = subs + 1
    n = int(sizes.sum())
    group = np.repeat(np.arange(n_groups, dtype=np.int32), sizes)
    starts = np.zeros(n_groups, dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    key = group * np.int32(16)  # (group, level) keys; int32 keeps the big arrays small
    key += draw(rng, LEVEL_PROBS, n)
    key[starts] = group[starts] * 16  # the root is level 0
    key.sort()  # groups stay contiguous
    new_run = np.ones(n, dtype=bool)
    np.not_equal(key[1:], key[:-1], out=new_run[1:])
    del key
    run_id = np.cumsum(new_run, dtype=np.int32)
    run_id -= 1
    run_start = np.flatnonzero(new_run).astype(np.int32)
    del new_run
    level = (run_id - run_id[starts][group]).astype(np.int8)  # empty levels squeezed out
    parent = np.full(n, -1, dtype=np.int32)
    child = np.flatnonzero(level > 0).astype(np.int32)
    prev = run_id[child] - 1
    del run_id
    block = run_start[prev]
    length = run_start[prev + 1] - block
    # u**2 favours the first nodes of the level above: a few intermediate holdcos own many.
    u = uniform(rng, len(child))
    u *= u
    u *= length
    parent[child] = block + np.minimum(u.astype(np.int32), length - 1)
    has_child = np.zeros(n, dtype=bool)
    has_child[parent[child]] = True
    roots = starts.astype(np.int32)
    country, legal, offshore = _countries(rng, parent, level, group, roots, has_child)
    return Forest(parent, level, group, roots, has_child, country, legal, offshore)


def _countries(
    rng: np.random.Generator, parent: I32, level: I8, group: I32, roots: I32, has_child: Bool
) -> tuple[I16, I16, Bool]:
    n = len(parent)
    by_level = np.argsort(level, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(level, minlength=MAX_LEVEL + 1))])
    levels = [by_level[bounds[lv] : bounds[lv + 1]] for lv in range(1, MAX_LEVEL + 1)]
    # 1. Which subsidiaries are in the root's country, which abroad (new or inherited).
    home = np.ones(n, dtype=bool)
    inherit = np.zeros(n, dtype=bool)
    u = uniform(rng, n)
    for lv, idx in enumerate(levels, start=1):
        uu = u[idx]
        if lv == 1:
            home[idx] = uu >= FOREIGN_FIRST
            continue
        parent_home = home[parent[idx]]
        home[idx] = np.where(parent_home, uu >= FOREIGN_DEEP, uu < RETURN_HOME)
        inherit[idx] = ~parent_home & (uu >= RETURN_HOME) & (uu < RETURN_HOME + INHERIT)
    # 2. Root countries: chosen so that the whole mix matches COUNTRY_P (abroad follows
    #    FOREIGN_P), stratified by each group's home-country company count.
    p_home = float(home.mean()) if n else 1.0
    root_p = np.clip(COUNTRY_P - (1.0 - p_home) * FOREIGN_P, 0.0, None) / max(p_home, 1e-9)
    weight = np.bincount(group[home], minlength=len(roots)).astype(np.float64)
    order = rng.permutation(len(roots))
    cum = np.cumsum(weight[order])
    pos = ((cum - weight[order] / 2) / max(float(cum[-1]) if len(cum) else 1.0, 1.0)) % 1.0
    pos = (pos + rng.random()) % 1.0
    cdf = np.cumsum(root_p) / root_p.sum()
    root_country = np.empty(len(roots), dtype=np.int16)
    root_country[order] = np.minimum(np.searchsorted(cdf, pos, side="right"), len(cdf) - 1)
    # 3. Level by level: home, inherited from the parent, or a new foreign country.
    country = np.empty(n, dtype=np.int16)
    country[roots] = root_country
    first, second = draw(rng, FOREIGN_P, n), draw(rng, FOREIGN_P, n)
    us, gb = C.INDEX["US"], C.INDEX["GB"]
    for idx in levels:
        rc = root_country[group[idx]]
        d1, d2 = first[idx], second[idx]
        new = np.where(d1 != rc, d1, np.where(d2 != rc, d2, np.where(rc != us, us, gb)))
        inherited = country[parent[idx]]
        country[idx] = np.where(home[idx], rc, np.where(inherit[idx], inherited, new))
    # 4. Offshore vehicles: incorporated in KY/VG/BM/CY/LU/... but run from `country`.
    legal = country.copy()
    p_root = np.full(len(C.CODES), ROOT_OFFSHORE)
    for code, p in HOME_OFFSHORE.items():
        p_root[C.INDEX[code]] = p
    asia = np.isin(root_country, [C.INDEX["CN"], C.INDEX["HK"]])
    russia = root_country == C.INDEX["RU"]
    off_root = rng.random(len(roots)) < p_root[root_country]
    legal[roots] = np.where(
        off_root & asia,
        draw_from(rng, C.OFFSHORE_ASIA, len(roots)),
        np.where(
            off_root & russia,
            draw_from(rng, C.OFFSHORE_RU, len(roots)),
            np.where(off_root, draw_from(rng, C.OFFSHORE_ANY, len(roots)), root_country),
        ),
    )
    holdco = has_child & (level > 0) & (uniform(rng, n) < HOLDCO_OFFSHORE)
    legal[holdco] = draw_from(rng, C.OFFSHORE_ANY, int(holdco.sum()))
    offshore = legal != country
    return country, legal, offshore
