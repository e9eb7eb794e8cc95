"""Registries shaped unlike ``ownergate synth``: corporate groups with cross-holdings.

    python benchmarks/shapes.py --holdings 1000000 --seed 7 --out DIR [--shape NAME]

Writes ``DIR/entities.parquet`` and ``DIR/ownership.parquet`` (interchange format). The
default shape, ``groups``, is what large registries look like to an engine:

- Pareto-sized corporate groups, each a tree of subsidiaries at most ``depth`` levels deep;
  most parents hold a majority, some all, some a minority;
- ``jv`` of the subsidiaries are joint ventures held exactly 50/50 by their parent and a
  company of another group: ties at the threshold everywhere;
- co-owners from a pool of popular investors (funds holding small stakes in thousands of
  companies), and minority stakes between groups;
- ``cross`` of the subsidiaries hold 1-10% of one of their own ancestors: cross-holdings,
  which inside big groups merge into big cyclic components, with many holdings running
  between the same two components;
- ``seeds`` of the companies are headquartered in CN/RU/KP/IR (whole groups, and a part
  of their subsidiaries abroad);
- ``treasury`` of the companies hold 1-15% of themselves (treasury shares).

Other shapes stress one thing each: ``chains`` (long chains of majority stakes with
cross-holdings along them), ``rings`` (few big cyclic components fed from several seeds),
``ties`` (stakes that sum to exactly 50% everywhere). Shares are decimals with four
places. ``generate`` returns plain arrays, which the tests use directly.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.parquet as pq

IntArray = npt.NDArray[np.int64]
WHOLE = 10_000  # shares are integers of 1e-4
RESTRICTED = ("CN", "RU", "KP", "IR")
OTHERS = ("US", "GB", "DE", "FR", "NL", "IE", "LU", "SG", "HK", "JP", "KR", "CH", "KY", "VG")
COUNTRIES = RESTRICTED + OTHERS
SHAPES = ("groups", "chains", "rings", "ties")


@dataclass(frozen=True)
class Shape:
    """A generated registry: ``country[i]`` indexes ``COUNTRIES``; holding ``k`` is
    ``owner[k]`` holding ``units[k]`` / ``WHOLE`` of ``owned[k]``."""

    country: IntArray
    owner: IntArray
    owned: IntArray
    units: IntArray

    @property
    def entities(self) -> int:
        return len(self.country)

    @property
    def seeds(self) -> npt.NDArray[np.bool_]:
        out: npt.NDArray[np.bool_] = self.country < len(RESTRICTED)
        return out


class _Builder:
    """Holdings added in stages, each stake within what its owned company has left."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng = rng
        self.n = n
        self.used = np.zeros(n, dtype=np.int64)
        self.parts: list[tuple[IntArray, IntArray, IntArray]] = []

    def add(self, owner: IntArray, owned: IntArray, units: IntArray, own: bool = False) -> int:
        """Add the stakes that fit (no company over 100%); self-holdings only with ``own``."""
        keep = ((owner != owned) | own) & (units > 0)
        owner, owned, units = owner[keep], owned[keep], units[keep]
        order = self.rng.permutation(len(owner))
        owner, owned, units = owner[order], owned[order], units[order]
        # Within one batch several stakes may go to one company: admit them in order.
        sort = np.argsort(owned, kind="stable")
        cum = np.cumsum(units[sort])
        first = np.r_[0, np.flatnonzero(np.diff(owned[sort])) + 1]
        start = np.repeat(cum[first] - units[sort][first], np.diff(np.r_[first, len(sort)]))
        before = cum - units[sort] - start
        fits = np.zeros(len(owner), dtype=bool)
        fits[sort] = self.used[owned[sort]] + before + units[sort] <= WHOLE
        owner, owned, units = owner[fits], owned[fits], units[fits]
        np.add.at(self.used, owned, units)
        self.parts.append((owner, owned, units))
        return len(owner)

    def room(self, owned: IntArray) -> IntArray:
        out: IntArray = WHOLE - self.used[owned]
        return out

    def shape(self, country: IntArray) -> Shape:
        owner = np.concatenate([p[0] for p in self.parts])
        owned = np.concatenate([p[1] for p in self.parts])
        units = np.concatenate([p[2] for p in self.parts])
        return Shape(country, owner, owned, units)


def _groups(rng: np.random.Generator, n: int, biggest: int) -> IntArray:
    """Group sizes (Pareto tail) summing to ``n``."""
    sizes = np.minimum((rng.pareto(1.05, size=n) + 1).astype(np.int64), biggest)
    cut = int(np.searchsorted(np.cumsum(sizes), n))
    sizes = sizes[: cut + 1]
    sizes[-1] -= int(sizes.sum()) - n
    return sizes[sizes > 0]


def _parents(rng: np.random.Generator, sizes: IntArray, depth: int) -> tuple[IntArray, IntArray]:
    """A parent for every company (-1 for group roots), trees at most ``depth`` deep."""
    n = int(sizes.sum())
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    pos = np.arange(n) - start
    # Earlier members, biased towards the top of the group (shallow, bushy trees).
    parent = np.where(pos > 0, start + (rng.random(n) ** 2 * pos).astype(np.int64), -1)
    for _ in range(64):
        level = np.zeros(n, dtype=np.int64)
        for _ in range(depth + 2):
            has = parent >= 0
            level[has] = level[parent[has]] + 1
        deep = level > depth
        if not deep.any():
            return parent, level
        parent[deep] = start[deep]  # re-hung under the root
    raise RuntimeError("could not bound the depth")


def _ancestor(
    rng: np.random.Generator, parent: IntArray, nodes: IntArray, level: IntArray
) -> IntArray:
    """A random strict ancestor of each of ``nodes``."""
    steps = 1 + (rng.random(len(nodes)) * level[nodes]).astype(np.int64)
    out = nodes.copy()
    for _ in range(int(steps.max(initial=0))):
        move = steps > 0
        out[move] = parent[out[move]]
        steps -= 1
    return out


def _stake(rng: np.random.Generator, low: float, high: float, size: int) -> IntArray:
    return np.round(rng.uniform(low, high, size) * WHOLE).astype(np.int64)


def generate(
    holdings: int,
    seed: int,
    shape: str = "groups",
    *,
    jv: float = 0.03,
    cross: float = 0.003,
    seeds: float = 0.10,
    depth: int = 10,
    treasury: float = 0.01,
) -> Shape:
    """A registry of about ``holdings`` holdings (exactly, unless capacity runs out)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    rng = np.random.default_rng(seed)
    if shape == "chains":
        return _chains(rng, holdings, seeds)
    if shape == "rings":
        return _rings(rng, holdings, seeds)
    if shape == "ties":
        jv, cross = 0.5, cross
    n = max(4, int(holdings / 1.3))
    sizes = _groups(rng, n, biggest=max(2, n // 10))
    parent, level = _parents(rng, sizes, depth)
    group = np.repeat(np.arange(len(sizes)), sizes)
    # Subsidiaries abroad dilute the restricted groups: roots are drawn a little more often.
    root_country = np.where(
        rng.random(len(sizes)) < seeds / 0.7,
        rng.integers(0, len(RESTRICTED), len(sizes)),
        rng.integers(len(RESTRICTED), len(COUNTRIES), len(sizes)),
    )
    country = root_country[group]
    abroad = (parent >= 0) & (rng.random(n) < 0.35)
    country[abroad] = rng.integers(len(RESTRICTED), len(COUNTRIES), int(abroad.sum()))
    b = _Builder(rng, n)
    sub = np.flatnonzero(parent >= 0)
    is_jv = rng.random(len(sub)) < jv
    kind = rng.random(len(sub))
    share = np.where(
        kind < 0.25, WHOLE, np.where(kind < 0.85, _stake(rng, 0.51, 0.99, len(sub)), 0)
    )
    share = np.where(share == 0, _stake(rng, 0.15, 0.5, len(sub)), share)
    share[is_jv] = WHOLE // 2
    b.add(parent[sub], sub, share)
    partner = rng.integers(0, n, int(is_jv.sum()))
    b.add(partner, sub[is_jv], np.full(int(is_jv.sum()), WHOLE // 2))
    investors = rng.choice(n, size=max(1, n // 200), replace=False)
    popular = investors[rng.zipf(1.6, size=n) % len(investors)]
    cross_nodes = sub[rng.random(len(sub)) < cross]
    b.add(
        cross_nodes,
        _ancestor(rng, parent, cross_nodes, level),
        _stake(rng, 0.01, 0.1, len(cross_nodes)),
    )
    held = rng.choice(n, size=int(n * treasury), replace=False)
    b.add(held, held, np.minimum(b.room(held), _stake(rng, 0.01, 0.15, len(held))), own=True)
    made = sum(len(p[0]) for p in b.parts)
    while made < holdings:
        want = holdings - made
        owned = rng.integers(0, n, want * 2)
        room = b.room(owned)
        owned, room = owned[room > 0], room[room > 0]
        owner = np.where(
            rng.random(len(owned)) < 0.7,
            popular[rng.integers(0, n, len(owned))],
            rng.integers(0, n, len(owned)),
        )
        units = np.minimum(room, _stake(rng, 0.001, 0.12, len(owned)))
        made += b.add(owner[:want], owned[:want], units[:want])
        if not len(owned):
            break
    out = b.shape(country)
    extra = len(out.owner) - holdings
    if extra > 0:
        keep = np.ones(len(out.owner), dtype=bool)
        keep[-extra:] = False
        out = Shape(out.country, out.owner[keep], out.owned[keep], out.units[keep])
    return out


def _chains(rng: np.random.Generator, holdings: int, seeds: float) -> Shape:
    """Chains of 60-100% stakes hundreds long, seeds at their heads, cross-holdings back up."""
    length = 500
    n = max(length, holdings)
    country = rng.integers(len(RESTRICTED), len(COUNTRIES), n)
    heads = np.arange(0, n, length)
    country[heads[rng.random(len(heads)) < max(seeds * 5, 0.5)]] = 0
    b = _Builder(rng, n)
    nodes = np.setdiff1d(np.arange(n), heads)
    b.add(nodes - 1, nodes, _stake(rng, 0.5, 1.0, len(nodes)))
    back = nodes[rng.random(len(nodes)) < 0.05]
    b.add(
        back,
        np.maximum(back - rng.integers(1, 50, len(back)), (back // length) * length),
        _stake(rng, 0.01, 0.1, len(back)),
    )
    return b.shape(country)


def _rings(rng: np.random.Generator, holdings: int, seeds: float) -> Shape:
    """Fifty big rings with chords, fed by many seeds, each ring also fed by the one before."""
    n = max(8, int(holdings / 1.6))
    k = max(1, int(n * seeds))
    ring = max(4, n // 50)
    country = np.r_[
        rng.integers(len(RESTRICTED), len(COUNTRIES), n), rng.integers(0, len(RESTRICTED), k)
    ]
    b = _Builder(rng, n + k)
    members = np.arange(n)
    last = ((members + 1) % ring == 0) | (members + 1 == n)
    nxt = np.where(last, (members // ring) * ring, members + 1)
    b.add(members, nxt, _stake(rng, 0.3, 0.7, n))
    chord = rng.integers(0, n, n // 3)
    target = np.minimum((chord // ring) * ring + rng.integers(0, ring, len(chord)), n - 1)
    b.add(chord, target, _stake(rng, 0.01, 0.2, len(chord)))
    down = rng.integers(0, max(1, n - ring), n // 20)
    b.add(
        down,
        np.minimum(down + ring + rng.integers(0, ring, len(down)), n - 1),
        _stake(rng, 0.01, 0.2, len(down)),
    )
    rest = max(0, holdings - sum(len(p[0]) for p in b.parts))
    owned = rng.integers(0, n, rest)
    b.add(
        n + rng.integers(0, k, rest), owned, np.minimum(b.room(owned), _stake(rng, 0.2, 0.6, rest))
    )
    return b.shape(country)


def tables(reg: Shape) -> tuple[pa.Table, pa.Table]:
    """The interchange tables of ``reg`` (ids ``C<n>``, shares as exact decimals), with
    every interchange column present (empty where the shape has nothing to say)."""
    n, m = reg.entities, len(reg.owner)
    ids = pa.array([f"C{i}" for i in range(n)])
    vocab = pa.array(list(COUNTRIES))
    entities = pa.table(
        {
            "id": ids,
            "name": pa.nulls(n, pa.string()),
            "kind": pa.repeat(pa.scalar("company"), n),
            "country": vocab.take(pa.array(reg.country)),
            "legal_country": pa.nulls(n, pa.string()),
            "listed": pa.repeat(pa.scalar(False), n),
        }
    )
    text = pa.array([f"{u // WHOLE}.{u % WHOLE:04d}" for u in range(WHOLE + 1)])
    nothing = pa.nulls(m, pa.string())
    ownership = pa.table(
        {
            "owner": ids.take(pa.array(reg.owner)),
            "owned": ids.take(pa.array(reg.owned)),
            "share": text.take(pa.array(reg.units)),
            "share_min": nothing,
            "share_max": nothing,
            "min_exclusive": pa.nulls(m, pa.bool_()),
            "max_exclusive": pa.nulls(m, pa.bool_()),
            "basis": pa.repeat(pa.scalar("equity"), m),
            "nominee_for": nothing,
            "start": pa.nulls(m, pa.date32()),
            "end": pa.nulls(m, pa.date32()),
        }
    )
    return entities, ownership


def write(reg: Shape, out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    entities, ownership = tables(reg)
    paths = (out / "entities.parquet", out / "ownership.parquet")
    pq.write_table(entities, paths[0])
    pq.write_table(ownership, paths[1])
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--holdings", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--shape", choices=SHAPES, default="groups")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    t = time.perf_counter()
    reg = generate(args.holdings, args.seed, args.shape)
    write(reg, args.out)
    print(
        f"{args.shape}: {reg.entities:,} entities ({int(reg.seeds.sum()):,} seeds), "
        f"{len(reg.owner):,} holdings in {time.perf_counter() - t:.1f} s -> {args.out}"
    )


if __name__ == "__main__":
    main()
