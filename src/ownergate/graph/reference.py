"""The exact reference implementation of docs/semantics.md in plain Python.

Simple and exact (``fractions.Fraction`` throughout, never float): the oracle the vectorised
engine is property-tested against and the checker the explanations are verified with. Read
it next to docs/semantics.md; section numbers refer to that file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ownergate.domain.model import Basis, Entity, Holding, Reason, Status
from ownergate.domain.shares import End
from ownergate.errors import InputError, shown
from ownergate.graph.reference_effective import (
    ONE,
    ZERO,
    Edge,
    Value,
    integrated_ownership,
    strictly_reached,
)
from ownergate.policy.model import Comparator, CountryBasis, Method, Policy, PolicyBasis

__all__ = [
    "End",
    "Layer",
    "MergedShare",
    "PreparedGraph",
    "ReferenceDecision",
    "ReferenceResult",
    "Value",
    "control_restricted",
    "control_share",
    "effective_shares",
    "is_seed",
    "passes",
    "prepare_graph",
    "region_countries",
    "screen_reference",
]


@dataclass(frozen=True)
class MergedShare:
    """The merged share of one (owner, owned, basis) after unknown caps (§1.5, §1.6)."""

    low: Fraction
    high: Fraction
    low_exclusive: bool = False
    high_exclusive: bool = False

    def at(self, end: End) -> Fraction:
        return self.low if end is End.LOW else self.high

    def exclusive_at(self, end: End) -> bool:
        """Whether the true share is strictly beyond ``at(end)`` (above at low, below at high)."""
        return self.low_exclusive if end is End.LOW else self.high_exclusive


Layer = dict[Edge, MergedShare]
"""One basis: (owner, owned) → merged share."""


@dataclass(frozen=True)
class PreparedGraph:
    layers: dict[Basis, Layer]
    conflicts: list[tuple[str, str, Fraction]]
    dropped_self_holdings: list[Holding]  # treasury shares: not stakes, they scale the others
    treasury: dict[tuple[str, Basis], MergedShare]  # (entity, basis) → merged self-holding


@dataclass(frozen=True)
class ReferenceDecision:
    id: str
    status: Status
    reason: Reason
    share_min: Fraction | float  # float only for math.inf (divergent effective values)
    share_max: Fraction | float
    method: str  # "control" or "effective" (§6)


@dataclass(frozen=True)
class ReferenceResult:
    decisions: dict[str, ReferenceDecision]
    conflicts: list[tuple[str, str, Fraction]]  # (owned id, basis value, sum of low ends)
    dropped_self_holdings: list[Holding]


# ---------------------------------------------------------------- §1 preparing the graph


def prepare_graph(
    entities: Sequence[Entity],
    holdings: Sequence[Holding],
    policy: Policy,
    as_of: dt.date | None = None,
) -> PreparedGraph:
    """Validity, nominees, self-holdings, basis, unknown caps, merging and conflicts (§1).

    ``as_of`` defaults to today. Raises ``InputError`` for a holding naming an unknown id.
    """
    day = as_of or dt.date.today()
    ids = {e.id for e in entities}
    if len(ids) != len(entities):
        raise InputError("duplicate entity id", field="id")
    for n, h in enumerate(holdings):
        for name, value in (("owner", h.owner), ("owned", h.owned), ("nominee_for", h.nominee_for)):
            if value is not None and value not in ids:
                raise InputError(f"{shown(value)} is not an entity", record=str(n), field=name)
    bases = (Basis.EQUITY,) if policy.basis is PolicyBasis.EQUITY else (Basis.EQUITY, Basis.VOTING)
    counted = [h for h in holdings if h.valid_on(day) and h.basis in bases]
    treasury_rows = [h for h in counted if h.beneficiary == h.owned]
    known_low: dict[tuple[str, Basis], Fraction] = {}
    self_low: dict[tuple[str, Basis], Fraction] = {}
    for h in counted:
        key = (h.owned, h.basis)
        low = h.share.low if h.share.known else ZERO
        known_low[key] = known_low.get(key, ZERO) + low
        if h.beneficiary == h.owned:
            self_low[key] = self_low.get(key, ZERO) + low
    conflicts = [
        (owned, basis.value, total)
        for (owned, basis), total in sorted(
            known_low.items(), key=lambda kv: (kv[0][0], kv[0][1].value)
        )
        if total > ONE or self_low.get((owned, basis), ZERO) >= ONE
    ]
    layers: dict[Basis, Layer] = {b: {} for b in bases}
    for h in counted:
        s = h.share
        if s.known:
            share = MergedShare(s.low, s.high, s.low_exclusive, s.high_exclusive)
        else:  # unknown: [0, max(0, 1 - K)], K the other holdings' low ends (unknowns are 0)
            share = MergedShare(ZERO, max(ZERO, ONE - known_low[(h.owned, h.basis)]))
        edge = (h.beneficiary, h.owned)
        old = layers[h.basis].get(edge)
        if old is not None:
            share = MergedShare(
                old.low + share.low,
                old.high + share.high,
                old.low_exclusive or share.low_exclusive,
                old.high_exclusive or share.high_exclusive,
            )
        layers[h.basis][edge] = share
    treasury: dict[tuple[str, Basis], MergedShare] = {}
    for basis, layer in layers.items():
        for owner, owned in list(layer):
            if owner == owned:
                treasury[(owned, basis)] = layer.pop((owner, owned))
        for (owner, owned), share in layer.items():
            if (owned, basis) in treasury:
                layer[(owner, owned)] = outstanding(share, treasury[(owned, basis)])
    return PreparedGraph(layers, conflicts, treasury_rows, treasury)


def _of_outstanding(h: Fraction, s: Fraction) -> tuple[Fraction, bool]:
    """``h`` measured against ``1 - s`` outstanding, capped at one whole; and whether the
    cap applies (or ``h / (1 - s)`` is exactly one whole)."""
    if s >= ONE:
        return (ONE if h > 0 else ZERO), h > 0
    ratio = h / (ONE - s)
    return min(ratio, ONE), ratio >= ONE


def outstanding(share: MergedShare, treasury: MergedShare) -> MergedShare:
    """A stake in an entity holding ``treasury`` of itself, measured against what is
    outstanding (§1.3): ``h / (1 - s)`` capped at 1, the low end against the low treasury
    share and the high end against the high one.

    An exclusive treasury bound makes an uncapped positive stake exclusive at that end (the
    true treasury share is larger at the low end, so the stake is; smaller at the high
    end). A capped stake is exactly one whole, never exclusive; at the high end a stake of
    exactly one whole keeps an exclusive bound (the true value lies below it).
    """
    low, low_capped = _of_outstanding(share.low, treasury.low)
    high, high_over = _of_outstanding(share.high, treasury.high)
    high_capped = high_over and (treasury.high >= ONE or share.high > ONE - treasury.high)
    low_x = not low_capped and (share.low_exclusive or (treasury.low_exclusive and low > 0))
    high_x = not high_capped and (share.high_exclusive or (treasury.high_exclusive and high > 0))
    return MergedShare(low, high, low_x, high_x)


# ---------------------------------------------------------------- §2 seeds


def region_countries(entity: Entity, basis: CountryBasis) -> frozenset[str]:
    """The countries of ``entity`` that count under ``country_basis`` (§2)."""
    if basis is CountryBasis.HEADQUARTERS:
        found = {entity.country or entity.legal_country}
    elif basis is CountryBasis.LEGAL:
        found = {entity.legal_country or entity.country}
    else:
        found = {entity.country, entity.legal_country}
    return frozenset(c for c in found if c)


def is_seed(entity: Entity, policy: Policy) -> Reason | None:
    """``Reason.REGION`` or ``Reason.LISTED`` when ``entity`` is a seed, else ``None`` (§2)."""
    if entity.kind in policy.owner_kinds and region_countries(entity, policy.country_basis) & (
        policy.region_set
    ):
        return Reason.REGION
    return Reason.LISTED if entity.listed else None


# ---------------------------------------------------------------- §3, §5 passing


def passes(value: Value, strict: bool, policy: Policy, end: End) -> bool:
    """``value ⋗ threshold`` at one end of the intervals (§3, §5).

    ``strict`` says the true value is strictly beyond ``value``: above it at the low end (so
    ``value == threshold`` passes ``>``), below it at the high end (so it fails ``>=``).
    """
    t = policy.threshold
    if value > t:
        return True
    if value != t:
        return False
    if policy.comparator is Comparator.GT:
        return end is End.LOW and strict
    return not (end is End.HIGH and strict)


# ---------------------------------------------------------------- §4 control


def control_share(
    incoming: Iterable[tuple[str, MergedShare]],
    restricted: set[str],
    end: End,
    aggregate_owners: bool,
) -> tuple[Fraction, bool]:
    """``S(e)`` from the holdings ``incoming`` into ``e`` and whether it is strict (§4, §5).

    Aggregating: the sum over restricted owners, strict when any summand's bound is
    exclusive. UK style: the largest single share; strict at the low end when one of the
    largest is exclusive, at the high end when all of the largest are.
    """
    parts = [(s.at(end), s.exclusive_at(end)) for owner, s in incoming if owner in restricted]
    if not parts:
        return ZERO, False
    if aggregate_owners:
        return sum((v for v, _ in parts), ZERO), any(x for _, x in parts)
    top = max(v for v, _ in parts)
    flags = [x for v, x in parts if v == top]
    return top, (any(flags) if end is End.LOW else all(flags))


def _incoming(layer: Layer) -> dict[str, list[tuple[str, MergedShare]]]:
    out: dict[str, list[tuple[str, MergedShare]]] = {}
    for (owner, owned), share in sorted(layer.items()):
        out.setdefault(owned, []).append((owner, share))
    return out


def control_restricted(
    ids: Sequence[str], layers: Mapping[Basis, Layer], seeds: set[str], policy: Policy, end: End
) -> tuple[set[str], dict[str, Fraction]]:
    """The least fixed point ``R`` of the control cascade at one end, and ``S(e)`` against it.

    Iterates from ``R = seeds`` until nothing changes; ``e`` joins when its share passes on
    any layer. The reported share is the larger over the layers.
    """
    incoming = {b: _incoming(layer) for b, layer in layers.items()}
    agg = policy.aggregate_owners

    def layer_shares(e: str, restricted: set[str]) -> list[tuple[Fraction, bool]]:
        return [control_share(inc.get(e, ()), restricted, end, agg) for inc in incoming.values()]

    restricted = set(seeds)
    changed = True
    while changed:
        changed = False
        for e in ids:
            if e not in restricted and any(
                passes(v, x, policy, end) for v, x in layer_shares(e, restricted)
            ):
                restricted.add(e)
                changed = True
    shares = {e: max(v for v, _ in layer_shares(e, restricted)) for e in ids}
    return restricted, shares


# ---------------------------------------------------------------- §4 effective


def effective_shares(
    layer: Layer, seeds: set[str], end: End, aggregate_owners: bool
) -> dict[str, tuple[Value, bool]]:
    """``S(e)`` of integrated ownership on one layer at one end, with its strictness (§4, §5).

    Only entities with an owner appear; others have ``(0, False)``. With
    ``aggregate_owners = False`` the value is the largest per-seed ``r_s(e)``.
    """
    weights = {edge: s.at(end) for edge, s in layer.items()}
    live = [
        edge for edge, s in layer.items() if s.at(end) > 0 or (end is End.LOW and s.low_exclusive)
    ]
    exclusive = {edge for edge, s in layer.items() if s.exclusive_at(end)}
    targets = sorted({e for _, e in layer} - seeds)
    groups = [seeds] if aggregate_owners else [{s} for s in sorted(seeds)]
    per_group = [
        (integrated_ownership(weights, g, seeds), strictly_reached(live, exclusive, g, seeds))
        for g in groups
    ]
    out: dict[str, tuple[Value, bool]] = {}
    for e in targets:
        values = [(r.get(e, ZERO), e in strict) for r, strict in per_group]
        top: Value = max((v for v, _ in values), default=ZERO)
        flags = [x for v, x in values if v == top]
        out[e] = top, (any(flags) if end is End.LOW else bool(flags) and all(flags))
    return out


def _effective_run(
    ids: Sequence[str], layers: Mapping[Basis, Layer], seeds: set[str], policy: Policy, end: End
) -> tuple[set[str], dict[str, Value]]:
    per_layer = [
        effective_shares(layer, seeds, end, policy.aggregate_owners) for layer in layers.values()
    ]
    restricted = set(seeds)
    shares: dict[str, Value] = {}
    for e in ids:
        found = [s.get(e, (ZERO, False)) for s in per_layer]
        shares[e] = max(v for v, _ in found)
        if any(passes(v, x, policy, end) for v, x in found):
            restricted.add(e)
    return restricted, shares


# ---------------------------------------------------------------- §5, §6 decisions

Run = Callable[
    [Sequence[str], Mapping[Basis, Layer], set[str], Policy, End],
    tuple[set[str], Mapping[str, Value]],
]
_RUNS: dict[str, Run] = {"control": control_restricted, "effective": _effective_run}


def screen_reference(
    entities: Sequence[Entity],
    holdings: Sequence[Holding],
    policy: Policy,
    as_of: dt.date | None = None,
) -> ReferenceResult:
    """Decide every entity exactly as docs/semantics.md says (``as_of`` defaults to today)."""
    graph = prepare_graph(entities, holdings, policy, as_of)
    ids = [e.id for e in entities]
    seed_reasons = {e.id: r for e in entities if (r := is_seed(e, policy)) is not None}
    seeds = set(seed_reasons)
    methods = (
        ["control", "effective"]
        if policy.method in (Method.EITHER, Method.BOTH)
        else [policy.method.value]
    )
    combine = all if policy.method is Method.BOTH else any
    runs = {
        (m, end): _RUNS[m](ids, graph.layers, seeds, policy, end) for m in methods for end in End
    }
    decisions: dict[str, ReferenceDecision] = {}
    for e in ids:
        low = {m: e in runs[(m, End.LOW)][0] for m in methods}
        high = {m: e in runs[(m, End.HIGH)][0] for m in methods}
        share_max = {m: runs[(m, End.HIGH)][1][e] for m in methods}
        if combine(low.values()):
            method = next(m for m in methods if low[m])
            status, reason = Status.RESTRICTED, seed_reasons.get(e, Reason.OWNERSHIP)
        elif not combine(high.values()):
            method = max(methods, key=lambda m: share_max[m])
            status, reason = Status.ALLOWED, Reason.NONE
        else:
            method = next(m for m in methods if high[m])
            status, reason = Status.REVIEW, Reason.UNDETERMINED
        if e in seeds:
            lo: Value = ONE
            hi: Value = ONE
        else:
            lo, hi = runs[(method, End.LOW)][1][e], share_max[method]
        decisions[e] = ReferenceDecision(e, status, reason, lo, hi, method)
    return ReferenceResult(decisions, graph.conflicts, graph.dropped_self_holdings)
