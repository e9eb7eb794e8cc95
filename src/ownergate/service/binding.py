"""Overrides bound to the decision they override.

An override is requested on the account's current decision and keeps its id. An *allow*
override is in force only while the account's current decision is no worse than that one
and rests on the same evidence:

- the same registry entity (or still none);
- a status no more severe (allowed < review < restricted);
- a restricted share no larger, at either end of its interval;
- the same seed path (the chain of largest restricted owners, seed first).

The first decision that breaks one of these makes the override lapse for good: a row in
``override_lapses`` (audited) names the decision and the reasons, the account is decided
as the decision says, the flip is reported, and the override waits in the re-approval
queue until a new override is requested on the new evidence. An allow override bound to
nothing (requested before bindings existed) lapses at the first read. A *restrict*
override never lapses on evidence: restricting is the safe direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ownergate.domain.model import Status
from ownergate.explain.basis import percent
from ownergate.store import Repositories

SEVERITY = {Status.ALLOWED: 0, Status.REVIEW: 1, Status.RESTRICTED: 2}


@dataclass(frozen=True, slots=True)
class Basis:
    """What a decision says, as an override is bound to it."""

    decision_id: int
    account_id: str
    status: Status
    share_min: float
    share_max: float
    entity_id: str | None
    seed_path: tuple[str, ...] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id,
            "status": self.status.value,
            "share_min": self.share_min,
            "share_max": self.share_max,
            "entity_id": self.entity_id,
            "seed_path": None if self.seed_path is None else list(self.seed_path),
        }


def basis_of(row: Any) -> Basis:
    """The basis of a ``Decision`` (or a row of its columns, ``id`` first)."""
    path = row.seed_path
    return Basis(
        decision_id=int(row.id),
        account_id=str(row.account_id),
        status=Status(row.status),
        share_min=float(row.share_min),
        share_max=float(row.share_max),
        entity_id=row.entity_id,
        seed_path=None if path is None else tuple(path),
    )


def _path(path: tuple[str, ...] | None) -> str:
    if path is None:
        return "(not recorded)"
    return " → ".join(path) if path else "(none)"


def lapse_reasons(bound: Basis | None, current: Basis) -> list[str]:
    """Why an allow override bound to ``bound`` is not in force on ``current``; empty
    when it is."""
    if bound is None:
        return ["the override is bound to no decision (requested before bindings existed)"]
    if bound.decision_id == current.decision_id:
        return []
    reasons = []
    if bound.entity_id != current.entity_id:
        reasons.append(
            f"registry entity {bound.entity_id or '(none)'} → {current.entity_id or '(none)'}"
        )
    if SEVERITY[current.status] > SEVERITY[bound.status]:
        reasons.append(f"status {bound.status.value} → {current.status.value}")
    if current.share_max > bound.share_max or current.share_min > bound.share_min:
        reasons.append(f"restricted share {_interval(bound)} → {_interval(current)}")
    if bound.seed_path is None or current.seed_path != bound.seed_path:
        reasons.append(f"seed path {_path(bound.seed_path)} → {_path(current.seed_path)}")
    return reasons


def _interval(basis: Basis) -> str:
    if basis.share_min == basis.share_max:
        return percent(basis.share_max)
    return f"{percent(basis.share_min)}–{percent(basis.share_max)}"


@dataclass(frozen=True, slots=True)
class Lapse:
    """An override that lapsed on a new decision."""

    account_id: str
    override_id: int
    decision_id: int
    reasons: list[str]


def lapse_overrides(store: Repositories, new: Sequence[Basis], actor: str) -> list[Lapse]:
    """Record the lapse of every allow override in force on these accounts that their new
    decisions (``new``) break; in the caller's transaction."""
    if not new:
        return []
    by_account = {b.account_id: b for b in new}
    found = []
    for override, bound in store.overrides.allow_in_force(list(by_account)):
        current = by_account[override.account_id]
        reasons = lapse_reasons(None if bound is None else basis_of(bound), current)
        if reasons:
            store.overrides.lapse(override, current.decision_id, reasons, actor=actor)
            found.append(Lapse(override.account_id, override.id, current.decision_id, reasons))
    return found


@dataclass(frozen=True, slots=True)
class InForce:
    """The override that decides an account's effective status, if any."""

    override_id: int
    verdict: str
    status: Status


def effective_overrides(store: Repositories, current: dict[str, Basis]) -> dict[str, InForce]:
    """The override in force on each account given its ``current`` decision basis: the
    newest approved, unexpired one, unless it is an allow override that lapsed (recorded,
    or no longer supported by that decision)."""
    out = {}
    for override, bound, lapsed in store.overrides.newest_approved(list(current)):
        account = override.account_id
        if override.verdict.value == "allow":
            if lapsed or lapse_reasons(
                None if bound is None else basis_of(bound), current[account]
            ):
                continue
            out[account] = InForce(override.id, "allow", Status.ALLOWED)
        else:
            out[account] = InForce(override.id, "restrict", Status.RESTRICTED)
    return out
