"""What a decision rests on, in a few facts that can be compared and phrased: the holdings
that count towards the entity's restricted share (with the arithmetic that adds them up)
and its seed path, the chain of largest restricted owners from the seed down.

An override is bound to the seed path of the decision it overrides; bulk decisions list
every contributing holding; explanations print the sum ("CN3 40% + CN4 15% = 55% > 50%").
The run read is the one the decision reports: the low end for a restricted entity, the
high end otherwise, of the method that decided it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ownergate.domain.model import Status
from ownergate.domain.shares import End, format_share, from_scaled
from ownergate.engine.screen import CONTROL, ScreenResult
from ownergate.explain.subgraph import ancestors
from ownergate.graph.tables import NO_NOMINEE
from ownergate.policy.model import Comparator, Policy

MAX_PATH = 12


@dataclass(frozen=True, slots=True)
class Contribution:
    """One merged holding into the entity that counts: ``owner`` holds ``share`` of it
    (``weight`` is the owner's own restricted share under the effective method, 1 under
    control); ``nominees`` are the nominees it is held through, with their shares."""

    owner: str
    owner_name: str | None
    owner_country: str | None
    share: float
    weight: float
    basis: str
    exclusive: bool
    nominees: tuple[tuple[str, str | None, float], ...] = field(default=())

    @property
    def amount(self) -> float:
        return self.share * self.weight

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "owner": self.owner,
            "owner_name": self.owner_name,
            "owner_country": self.owner_country,
            "share": _finite(self.share),
            "basis": self.basis,
        }
        if self.weight != 1.0:
            out["owner_restricted_share"] = _finite(self.weight)
            out["contributes"] = _finite(self.amount)
        if self.exclusive:
            out["exclusive"] = True
        if self.nominees:
            out["nominees"] = [
                {"nominee": n, "nominee_name": name, "share": _finite(s)}
                for n, name, s in self.nominees
            ]
        return out


def _finite(value: float) -> float | str | None:
    # JSON has no infinity (a divergent cross-holding) and no NaN (an unknown share).
    if math.isnan(value):
        return None
    return value if math.isfinite(value) else "Infinity"


def _end(result: ScreenResult, i: int) -> End:
    return End.LOW if result.status_of(i) is Status.RESTRICTED else End.HIGH


def _text(value: object) -> str | None:
    return None if value is None else str(value) or None


def contributions(result: ScreenResult, i: int, end: End | None = None) -> list[Contribution]:
    """The holdings into entity ``i`` that count towards its restricted share, largest
    first (ties by owner id)."""
    g = result.graph
    if g.seeds[i]:
        return []
    end = _end(result, i) if end is None else end
    method = int(result.method[i])
    run = result.runs[(method, end)]
    ents = g.entities
    out: list[Contribution] = []
    for layer in g.layers:
        vals = layer.low if end is End.LOW else layer.high
        open_end = layer.low_exclusive if end is End.LOW else layer.high_exclusive
        for e in range(int(layer.in_ptr[i]), int(layer.in_ptr[i + 1])):
            u = int(layer.src[e])
            value = float(vals[e])
            if value <= 0:
                continue
            if method == CONTROL:
                if not run.restricted[u]:
                    continue
                weight = 1.0
            else:
                weight = float(run.share[u])
                if not weight > 0:
                    continue
                weight = min(weight, 1.0) if g.seeds[u] else weight
            record = ents.record(u)
            out.append(
                Contribution(
                    owner=record.id,
                    owner_name=_text(record.name),
                    owner_country=_text(record.country),
                    share=value,
                    weight=weight,
                    basis=layer.basis.value,
                    exclusive=bool(open_end[e]),
                    nominees=_nominees(result, layer.member_rows(e).tolist()),
                )
            )
    out.sort(key=lambda c: (-c.amount, c.owner))
    return out


def _nominees(result: ScreenResult, rows: list[int]) -> tuple[tuple[str, str | None, float], ...]:
    """The nominees among the raw holdings merged into one edge: (nominee id, name, share)."""
    h = result.graph.holdings
    ents = result.graph.entities
    found = []
    for r in rows:
        if int(h.nominee_for[r]) == NO_NOMINEE:
            continue
        nominee = ents.record(int(h.owner[r]))
        share = float(from_scaled(int(h.low[r]))) if h.known[r] else float("nan")
        found.append((nominee.id, _text(nominee.name), share))
    return tuple(found)


def seed_path(result: ScreenResult, i: int) -> list[str]:
    """Entity ids from the seed down to ``i`` along the largest restricted owner at each
    step (ties by owner id, so every screen of the same registry gives the same path):
    ``[i]`` for a seed, ``[]`` when nothing restricted holds any of it."""
    g = result.graph
    end = _end(result, i)
    chain = [i]
    at = i
    while not g.seeds[at] and len(chain) <= MAX_PATH:
        found = contributions(result, at, end)
        if not found:
            break
        owner = g.entities.position(found[0].owner)
        if owner is None or owner in chain:
            break
        chain.append(owner)
        at = owner
    if len(chain) == 1 and not g.seeds[i]:
        return []
    return [g.entities.id(v) for v in reversed(chain)]


def percent(value: float) -> str:
    """A share as a percentage, e.g. ``55%``, ``33.3333%``."""
    return format_share(value)


def _threshold(policy: Policy) -> str:
    pct = Decimal(policy.threshold.numerator) / Decimal(policy.threshold.denominator) * 100
    return f"{pct.normalize():f}%"


def arithmetic(result: ScreenResult, i: int) -> str | None:
    """The sum that decides ``i``, in percent: "CN3 40% + CN4 15% = 55% > 50%" (control,
    owners added up), "CN3 60% is the largest single stake: 60% > 50%" (one owner must hold
    it), "CN3 40% × 100% + HK1 30% × 50% = 55% > 50%" (effective: stake times the owner's
    own restricted share). None for seeds and entities nothing restricted holds."""
    found = contributions(result, i)
    if not found:
        return None
    # Under equity_or_voting the two layers are separate sums: the larger one is reported.
    by_basis: dict[str, float] = {}
    for c in found:
        by_basis[c.basis] = by_basis.get(c.basis, 0.0) + c.amount
    if len(by_basis) > 1:
        chosen = max(by_basis, key=lambda b: (by_basis[b], b))
        found = [c for c in found if c.basis == chosen]
    policy = result.policy
    end = _end(result, i)
    method = int(result.method[i])
    total = float((result.share_min if end is End.LOW else result.share_max)[i])
    passes = result.status_of(i) is Status.RESTRICTED
    word = (
        (">" if policy.comparator is Comparator.GT else ">=")
        if passes
        else ("<=" if policy.comparator is Comparator.GT else "<")
    )
    verdict = f"{percent(total)} {word} {_threshold(policy)}"
    if end is End.HIGH and result.status_of(i) is Status.REVIEW:
        verdict = f"at most {percent(total)}, at least {percent(float(result.share_min[i]))}"
        verdict += f", against {_threshold(policy)}"
    if method == CONTROL:
        terms = [f"{c.owner} {percent(c.share)}" for c in found]
    else:
        terms = [f"{c.owner} {percent(c.share)} × {percent(c.weight)}" for c in found]
    if not policy.aggregate_owners:
        return f"{terms[0]} is the largest single stake: {verdict}"
    if len(terms) == 1:
        return f"{terms[0]} = {verdict}" if method != CONTROL else f"{terms[0]}: {verdict}"
    return f"{' + '.join(terms)} = {verdict}"


def _region_countries(record: Any, policy: Policy) -> list[str]:
    hq, legal = record.country, record.legal_country
    basis = policy.country_basis.value
    if basis == "headquarters":
        found = [hq or legal]
    elif basis == "legal":
        found = [legal or hq]
    else:
        found = [hq, legal]
    return [c for c in found if c and c in policy.region_set]


def excluded_owners(result: ScreenResult, i: int, limit: int = 20) -> list[dict[str, Any]]:
    """Owners in a policy region that do not seed restriction because of their kind
    (persons, states, ... when ``owner_kinds`` leaves them out), with what they hold in
    ``i`` or in what holds ``i``: "100% held by Zhang Wei (person, CN): persons do not
    seed restriction under this policy (owner_kinds = company)"."""
    g = result.graph
    policy = result.policy
    kinds = ", ".join(k.value for k in policy.owner_kinds)
    end = _end(result, i)
    out: list[dict[str, Any]] = []
    for v in sorted(ancestors(g, i)):
        if g.seeds[v] and v != i:
            continue
        for layer in g.layers:
            vals = layer.low if end is End.LOW else layer.high
            for e in range(int(layer.in_ptr[v]), int(layer.in_ptr[v + 1])):
                u = int(layer.src[e])
                if g.seeds[u] or float(vals[e]) <= 0:
                    continue
                owner = g.entities.record(u)
                countries = _region_countries(owner, policy)
                if not countries or owner.kind in policy.owner_kinds:
                    continue
                plural = f"{owner.kind.value}s" if owner.kind.value != "other" else "others"
                label = f"{owner.name or owner.id} ({owner.kind.value}, {countries[0]})"
                into = "" if v == i else f" of {g.entities.id(v)}"
                out.append(
                    {
                        "owner": owner.id,
                        "owner_name": owner.name or None,
                        "kind": owner.kind.value,
                        "country": countries[0],
                        "owned": g.entities.id(v),
                        "share": _finite(float(vals[e])),
                        "basis": layer.basis.value,
                        "text": f"{percent(float(vals[e]))}{into} held by {label}: {plural} do "
                        f"not seed restriction under this policy (owner_kinds = {kinds})",
                    }
                )
                if len(out) >= limit:
                    return out
    return out


def nominee_texts(result: ScreenResult, layer_index: int, edge: int) -> list[str]:
    """ "70% held by Lion City Nominees for CN3" for each nominee holding merged into one
    edge of a layer."""
    layer = result.graph.layers[layer_index]
    principal = result.graph.entities.id(int(layer.src[edge]))
    return [
        f"{'unknown share' if math.isnan(share) else percent(share)} held by "
        f"{name or nominee} for {principal}"
        for nominee, name, share in _nominees(result, layer.member_rows(edge).tolist())
    ]
