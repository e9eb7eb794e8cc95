"""Turn entity and holding tables into the engine's prepared arrays (docs/semantics.md §1-2).

Built once per (registry, policy, as-of date): nominee attribution, date validity, dropped
treasury shares, unknown-share caps, merged (owner, owned, basis) holdings, seeds, and CSR
arrays both ways. Shares become float64 for the fast paths; the exact scaled integers stay
available per raw holding for the exact checks at the threshold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction
from functools import cached_property

import numpy as np
import numpy.typing as npt

from ownergate.domain.model import BASES, KINDS, Basis
from ownergate.domain.shares import SCALE, End
from ownergate.graph import build
from ownergate.graph.csr import gather_ranges
from ownergate.graph.tables import EntityColumns, HoldingColumns, day_number
from ownergate.policy.model import CountryBasis, Policy, PolicyBasis

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class SeedReason(IntEnum):
    NONE = 0
    REGION = 1
    LISTED = 2


@dataclass(frozen=True)
class Layer:
    """Merged holdings of one basis. Edge ``i`` is ``src[i]`` holding ``low[i]..high[i]`` of
    ``dst[i]``; edges are ordered by ``dst`` (``in_ptr`` indexes them), and ``out_edge``
    lists edge ids ordered by ``src`` (``out_ptr`` indexes it). Holdings into seeds are
    left out: seeds absorb."""

    basis: Basis
    src: IntArray
    dst: IntArray
    per_one: float
    low_exclusive: BoolArray
    high_exclusive: BoolArray
    uncertain: BoolArray
    low_units: IntArray
    high_units: IntArray
    in_ptr: IntArray
    out_ptr: IntArray
    out_edge: IntArray
    member_ptr: IntArray
    members: IntArray
    treasury: IntArray  # rows (entity, outstanding units at the low end, at the high end)

    def __len__(self) -> int:
        return len(self.src)

    # Dividing exact integer units by an exact power of ten rounds correctly; kept lazy so
    # that runs needing only integer units (control) never hold the float copies.
    @cached_property
    def low(self) -> FloatArray:
        return self._shares(self.low_units, 1)

    @cached_property
    def high(self) -> FloatArray:
        return self._shares(self.high_units, 2)

    @cached_property
    def certain(self) -> bool:
        """No ranged or unknown share, exclusive bound or ranged treasury share: the low
        and the high end of every stake are the same."""
        return not (
            self.uncertain.any()
            or self.low_exclusive.any()
            or self.high_exclusive.any()
            or np.any(self.treasury[:, 1] != self.treasury[:, 2])
        )

    def _shares(self, units: IntArray, column: int) -> FloatArray:
        out: FloatArray = units / self.per_one
        if len(self.treasury):
            # Stakes in an entity holding treasury shares are measured against what is
            # outstanding: units over that entity's own denominator.
            ent = self.treasury[:, 0]
            edges = gather_ranges(self.in_ptr, ent)
            counts = self.in_ptr[ent + 1] - self.in_ptr[ent]
            denom = np.repeat(self.treasury[:, column], counts)
            out[edges] = units[edges] / denom
        return out

    def denominators(self, n: int, end: End) -> tuple[BoolArray, IntArray]:
        """Per entity: are its stakes plain decimals (``units / per_one``), and otherwise
        the units outstanding at ``end`` that they are measured against."""
        plain = np.ones(n, dtype=np.bool_)
        denom = np.zeros(n if len(self.treasury) else 0, dtype=np.int64)
        if len(self.treasury):
            ent = self.treasury[:, 0]
            plain[ent] = False
            denom[ent] = self.treasury[:, 1 if end is End.LOW else 2]
        return plain, denom

    def exact_share(self, edge: int, end: End) -> Fraction:
        """The stake of ``edge`` at ``end`` as an exact fraction of one whole."""
        units = int((self.low_units if end is End.LOW else self.high_units)[edge])
        owned = int(self.dst[edge])
        if len(self.treasury):
            hit = np.flatnonzero(self.treasury[:, 0] == owned)
            if len(hit):
                return Fraction(units, int(self.treasury[hit[0], 1 if end is End.LOW else 2]))
        return Fraction(units, int(self.per_one))

    def member_rows(self, edge: int) -> IntArray:
        """Raw holding rows merged into ``edge``."""
        return self.members[self.member_ptr[edge] : self.member_ptr[edge + 1]]


@dataclass(frozen=True)
class Conflict:
    owned: int
    basis: Basis
    low_sum: int  # scaled by SCALE


@dataclass(frozen=True)
class PreparedGraph:
    entities: EntityColumns
    holdings: HoldingColumns
    as_of: dt.date
    seeds: BoolArray
    seed_reason: npt.NDArray[np.int8]
    region_country: npt.NDArray[np.int16]
    layers: tuple[Layer, ...]
    raw_low: IntArray
    raw_high: IntArray
    active: BoolArray
    self_holdings: IntArray
    conflicts: tuple[Conflict, ...]
    unit: int
    units_exact: bool
    # The cross-holding blocks (start, end rows) where the entity numbering is a
    # dependency order of the whole registry (a snapshot's, ``graph/order.py``), else None.
    blocks: IntArray | None = None
    # Where the registry is a part of a larger one: each holding's row in that one.
    holding_rows: IntArray | None = None

    def holding_row(self, row: int) -> int:
        """The row of holding ``row`` in the registry the graph was taken from."""
        return int(row if self.holding_rows is None else self.holding_rows[row])

    @cached_property
    def block_of(self) -> npt.NDArray[np.int32]:
        """Each entity's index in ``blocks`` (-1: outside every block)."""
        out = np.full(self.n, -1, dtype=np.int32)
        if self.blocks is not None:
            for k, (a, b) in enumerate(self.blocks.tolist()):
                out[a:b] = k
        return out

    @property
    def n(self) -> int:
        return len(self.entities)

    def units(self, scaled: int) -> int:
        """A scaled share (or threshold) in this graph's integer units, rounded down."""
        return scaled // self.unit

    def exact_low(self, layer: Layer, edge: int) -> int:
        return int(sum(int(v) for v in self.raw_low[layer.member_rows(edge)]))

    def exact_high(self, layer: Layer, edge: int) -> int:
        return int(sum(int(v) for v in self.raw_high[layer.member_rows(edge)]))


def seed_mask(
    entities: EntityColumns, policy: Policy
) -> tuple[BoolArray, npt.NDArray[np.int8], npt.NDArray[np.int16]]:
    """Seeds, why they are seeds, and the region country that made each a region seed."""
    vocab = entities.country_vocab
    in_region = np.array([code in policy.region_set for code in vocab], dtype=bool)
    hq, legal = entities.country, entities.legal_country
    if policy.country_basis is CountryBasis.HEADQUARTERS:
        primary = np.where(hq != 0, hq, legal)
        hit = in_region[primary]
        region_country = np.where(hit, primary, 0)
    elif policy.country_basis is CountryBasis.LEGAL:
        primary = np.where(legal != 0, legal, hq)
        hit = in_region[primary]
        region_country = np.where(hit, primary, 0)
    else:
        hit_hq, hit_legal = in_region[hq], in_region[legal]
        hit = hit_hq | hit_legal
        region_country = np.where(hit_hq, hq, np.where(hit_legal, legal, 0))
    kinds = np.array([k in policy.owner_kinds for k in KINDS], dtype=bool)
    region_seed = hit & kinds[entities.kind]
    listed = entities.listed.astype(bool)
    # Built in int8 directly: int64 temporaries over millions of entities cost more than
    # the rest of this function.
    reason = np.zeros(len(listed), dtype=np.int8)
    reason[listed] = SeedReason.LISTED
    reason[region_seed] = SeedReason.REGION
    return region_seed | listed, reason, np.where(region_seed, region_country, 0).astype(np.int16)


def _build_layer(
    basis: Basis,
    rows: IntArray,
    holdings: HoldingColumns,
    seeds: BoolArray,
    unit: int,
    capped_high: IntArray,
) -> tuple[Layer, BoolArray, float]:
    h = holdings
    (src, dst, lo_u, hi_u, lx, hx, unc, in_ptr, member_ptr, members, conflict, largest, tre) = (
        build.build_layer(
            rows,
            h.owner,
            h.nominee_for,
            h.owned,
            h.low // unit,  # exact: ``unit`` divides every known share
            h.high // unit,
            h.known,
            h.low_exclusive,
            h.high_exclusive,
            seeds,
            unit,
            capped_high,
        )
    )
    out_ptr, out_edge = build.order_by_source(src, len(seeds))
    layer = Layer(
        basis=basis,
        src=src,
        dst=dst,
        per_one=float(SCALE // unit),
        low_units=lo_u,
        high_units=hi_u,
        low_exclusive=lx,
        high_exclusive=hx,
        uncertain=unc,
        in_ptr=in_ptr,
        out_ptr=out_ptr,
        out_edge=out_edge,
        member_ptr=member_ptr,
        members=members,
        treasury=tre,
    )
    return layer, conflict, largest


def prepare(
    entities: EntityColumns,
    holdings: HoldingColumns,
    policy: Policy,
    as_of: dt.date | None = None,
    blocks: IntArray | None = None,
) -> PreparedGraph:
    """Prepared arrays for ``policy`` on ``as_of`` (default: today). ``blocks``: the
    registry's cross-holding blocks where its numbering is a dependency order."""
    h = holdings
    seeds, seed_reason, region_country = seed_mask(entities, policy)
    as_of = as_of or dt.date.today()
    day = day_number(as_of)
    active = (h.start <= day) & (day < h.end)
    # Self-holdings stay in the layers' rows: they are treasury shares (``build_layer``).
    is_self = active & (np.where(h.nominee_for >= 0, h.nominee_for, h.owner) == h.owned)
    known = h.known
    unit = _common_unit(h.low[known], h.high[known], int(policy.threshold * SCALE))
    capped_high = h.high.astype(np.int64, copy=True)
    bases = [Basis.EQUITY]
    if policy.basis is PolicyBasis.EQUITY_OR_VOTING:
        bases.append(Basis.VOTING)
    layers: list[Layer] = []
    conflicts: list[Conflict] = []
    units_exact = True
    for basis in bases:
        rows = np.flatnonzero(active & (h.basis == BASES.index(basis)))
        layer, conflict, largest = _build_layer(basis, rows, h, seeds, unit, capped_high)
        layers.append(layer)
        units_exact &= largest < 2.0**62
        involved = rows[conflict[h.owned[rows]] & known[rows]]
        totals = dict.fromkeys(np.flatnonzero(conflict).tolist(), 0)
        for e, v in zip(h.owned[involved].tolist(), h.low[involved].tolist(), strict=True):
            totals[e] += v
        conflicts += [Conflict(e, basis, total) for e, total in sorted(totals.items())]
    return PreparedGraph(
        entities=entities,
        holdings=holdings,
        as_of=as_of,
        seeds=seeds,
        seed_reason=seed_reason,
        region_country=region_country,
        layers=tuple(layers),
        raw_low=h.low,
        raw_high=capped_high,
        active=active,
        self_holdings=np.flatnonzero(is_self),
        conflicts=tuple(conflicts),
        unit=unit,
        units_exact=units_exact,
        blocks=blocks,
    )


def _common_unit(low: IntArray, high: IntArray, threshold: int) -> int:
    """The largest power of ten dividing every share and the threshold.

    Shares given to six places make integer units of 1e-6, so that sums of stakes are exact
    in int64 for any realistic in-degree.
    """
    return unit_of(share_gcd(low, high), threshold)


def share_gcd(low: IntArray, high: IntArray) -> int:
    """The greatest common divisor of the scaled known shares (0 when there are none)."""
    common = int(np.gcd.reduce(low)) if len(low) else 0
    return int(np.gcd(common, np.gcd.reduce(high))) if len(high) else common


def unit_of(common: int, threshold: int) -> int:
    """The largest power of ten dividing ``common`` (a ``share_gcd``) and the threshold."""
    common = int(np.gcd(common, threshold))
    unit = SCALE
    while unit > 1 and common % unit:
        unit //= 10
    return unit
