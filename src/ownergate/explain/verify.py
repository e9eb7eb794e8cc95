"""Re-check a decision offline from its evidence document alone.

The document carries the policy, the as-of date and every entity and holding the decision
rests on; the verifier rebuilds them and runs the exact reference implementation, which
shares no code with the vectorised engine beyond the record types.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ownergate.domain.model import Basis, Entity, Holding, Kind
from ownergate.domain.shares import Share
from ownergate.errors import InputError, shown
from ownergate.graph.reference import screen_reference
from ownergate.policy.model import parse_policy


@dataclass(frozen=True)
class Verification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    recomputed: dict[str, Any] = field(default_factory=dict)


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _share(rec: dict[str, Any]) -> Share:
    if rec.get("share_min") is not None:
        return Share.between(
            rec["share_min"],
            rec["share_max"],
            low_exclusive=bool(rec.get("min_exclusive")),
            high_exclusive=bool(rec.get("max_exclusive")),
        )
    if rec.get("share") is None:
        return Share.unknown()
    return Share.exact(rec["share"])


def records(doc: dict[str, Any]) -> tuple[list[Entity], list[Holding]]:
    """Entity and holding records from an evidence document's ``registry``."""
    reg = doc["registry"]
    entities = [
        Entity(
            id=e["id"],
            name=e.get("name") or "",
            kind=Kind(e.get("kind") or "company"),
            country=e.get("country"),
            legal_country=e.get("legal_country"),
            listed=bool(e.get("listed")),
        )
        for e in reg["entities"]
    ]
    holdings = [
        Holding(
            owner=h["owner"],
            owned=h["owned"],
            share=_share(h),
            basis=Basis(h.get("basis") or "equity"),
            nominee_for=h.get("nominee_for"),
            start=_date(h.get("start")),
            end=_date(h.get("end")),
        )
        for h in reg["holdings"]
    ]
    return entities, holdings


def _same(claimed: float, exact: Fraction | float) -> bool:
    if isinstance(exact, float) and math.isinf(exact):
        return math.isinf(claimed)
    return math.isclose(claimed, float(exact), rel_tol=1e-9, abs_tol=1e-12)


def verify(doc: dict[str, Any]) -> Verification:
    """Recompute the decision in ``doc`` exactly and list every disagreement."""
    try:
        policy = parse_policy(doc["policy"], "<evidence policy>")
        entities, holdings = records(doc)
        as_of = dt.date.fromisoformat(doc["as_of"])
        claimed = doc["decision"]
    except (KeyError, TypeError, ValueError, InputError) as exc:
        return Verification(False, [f"evidence document is incomplete: {exc}"])
    result = screen_reference(entities, holdings, policy, as_of)
    want = result.decisions.get(claimed["id"])
    if want is None:
        return Verification(False, [f"entity {claimed['id']} is not in the evidence registry"])
    problems = []
    for key, value in (
        ("status", want.status.value),
        ("reason", want.reason.value),
        ("method", want.method),
    ):
        if claimed[key] != value:
            problems.append(
                f"{key}: evidence says {shown(claimed[key])}, recomputed {shown(value)}"
            )
    for key, exact in (("share_min", want.share_min), ("share_max", want.share_max)):
        if not _same(float(claimed[key]), exact):
            problems.append(f"{key}: evidence says {claimed[key]}, recomputed {float(exact)}")
    recomputed = {
        "status": want.status.value,
        "reason": want.reason.value,
        "method": want.method,
        "share_min": str(want.share_min),
        "share_max": str(want.share_max),
    }
    return Verification(not problems, problems, recomputed)
