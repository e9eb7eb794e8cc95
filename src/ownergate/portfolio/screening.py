"""Whole-base screening: many accounts decided at once from one screened registry.

Each account gets exactly the outcome the decision service gives it one at a time
(``service.deciding``): its registry entity's decision when it has one, else the decision
on its declared country and the policy's ``unverified`` rule, flagged ``unverified``; while
an analyst has yet to say which of its candidate entities it is, the most restrictive of
the candidates' decisions and that one, flagged ``link_review`` (``service.uncertain``).
Only the evidence differs: a full explanation costs milliseconds per entity, so a bulk
decision records a summary (the decision, its entity, every holding that counts and the
sum they make, the chain of largest restricted owners up to the seed, the subject and how
it was resolved) and says so (``detail: summary``). The full document is one replay away:
a decision pins its policy version and snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ownergate.domain.model import Status
from ownergate.engine.screen import ScreenResult
from ownergate.explain.basis import arithmetic, contributions, seed_path
from ownergate.explain.columns import DecisionColumns
from ownergate.graph.tables import text
from ownergate.portfolio.accounts import Customers, FloatArray, IntArray, ObjectArray
from ownergate.resolve.signals import unverified_outcome
from ownergate.store import NewDecision

UNVERIFIED = "unverified"
LINK_REVIEW = "link_review"
MAX_PATH = 12
SEVERITY = {"allowed": 0, "review": 1, "restricted": 2}


@dataclass(frozen=True, slots=True)
class Declared:
    """The decision on a declared country alone (as the service makes it)."""

    status: str
    reason: str
    share_min: float
    share_max: float
    method: str


@dataclass(frozen=True)
class Resolved:
    """Per account of a batch: its registry row (-1: none), how it was found
    (``registry_entity_id``, ``lei``, a resolver method, or None), the name link's
    outcome (``linked``, ``review``, ``unmatched``; None when known by identifier) and score."""

    rows: IntArray
    by: ObjectArray
    link: ObjectArray
    score: FloatArray
    # Per account waiting on a link review: its candidates' registry rows, best first
    # (-1: not in this registry); None for the others.
    candidates: ObjectArray | None = None

    def take(self, at: Any) -> Resolved:
        """The accounts at ``at`` (a slice or index array), as copies."""
        return Resolved(
            self.rows[at].copy(),
            self.by[at].copy(),
            self.link[at].copy(),
            self.score[at].copy(),
            None if self.candidates is None else self.candidates[at].copy(),
        )


def _country(result: ScreenResult, row: int) -> str | None:
    ents = result.graph.entities
    code = int(ents.country[row])
    return ents.country_vocab[code] if code else None


def _name(result: ScreenResult, row: int) -> str | None:
    names = result.graph.entities.names
    return None if names is None else text(names[row]) or None


def owner_path(result: ScreenResult, cols: DecisionColumns, row: int) -> list[dict[str, Any]]:
    """The entity's chain of largest restricted owners, up to the seed (or a repeat)."""
    path: list[dict[str, Any]] = []
    seen = {row}
    at = row
    while len(path) < MAX_PATH:
        owner = int(cols.top_owner[at])
        if owner < 0 or owner in seen:
            break
        path.append(
            {
                "owned": result.graph.entities.id(at),
                "owner": result.graph.entities.id(owner),
                "owner_name": _name(result, owner),
                "owner_country": _country(result, owner),
                "share": round(float(cols.top_value[at]), 6),
            }
        )
        seen.add(owner)
        at = owner
    return path


def _share(value: float) -> float:
    # As the service stores it: JSON has no infinity, a divergent component counts as 1.
    return 1.0 if value == float("inf") else float(value)


def _entity_summary(result: ScreenResult, cols: DecisionColumns, row: int) -> dict[str, Any]:
    """The registry part of a bulk decision's evidence: the entity's decision, every
    holding that counts towards it, their sum, and the chains up to the seeds."""
    found = contributions(result, row) if result.share_max[row] > 0 else []
    return {
        "entity": {
            "id": result.graph.entities.id(row),
            "name": _name(result, row),
            "country": _country(result, row),
        },
        "path": owner_path(result, cols, row),
        "contributions": [c.as_json() for c in found],
        "arithmetic": arithmetic(result, row) if found else None,
    }


def entity_seed_path(result: ScreenResult, row: int) -> tuple[str, ...]:
    if not result.graph.seeds[row] and not result.share_max[row] > 0:
        return ()
    return tuple(seed_path(result, row))


def decisions(
    customers: Customers,
    result: ScreenResult,
    cols: DecisionColumns,
    resolved: Resolved,
    declared: Callable[[str], Declared],
    *,
    snapshot_digest: str | None,
    as_of: dt.date,
    computed_at: dt.datetime,
) -> list[NewDecision]:
    """One decision per account of ``customers`` (a batch)."""
    out: list[NewDecision] = []
    status_of, reason_of, method_of = result.status_of, result.reason_of, result.method_of
    policy = result.policy
    for i in range(len(customers)):
        row = int(resolved.rows[i])
        parent = None if customers.parent_country is None else customers.parent_country[i]
        subject: dict[str, Any] = {
            "organisation_name": customers.name[i],
            "declared_country": customers.country[i],
            "registry_entity_id": customers.registry_entity_id[i],
            "lei": customers.lei[i],
        }
        if parent is not None:
            subject["parent_country"] = parent
        flags: list[str] = []
        extra: dict[str, Any] = {}
        path: tuple[str, ...] = ()
        if row >= 0:
            entity_id: str | None = result.graph.entities.id(row)
            status, reason = status_of(row).value, reason_of(row).value
            low, high = _share(result.share_min[row]), _share(result.share_max[row])
            method = method_of(row)
            summary = _entity_summary(result, cols, row)
            path = entity_seed_path(result, row)
        else:
            entity_id = None
            found = declared(str(customers.country[i]))
            unverified = unverified_outcome(
                policy, Status(found.status), str(customers.name[i]), customers.country[i], parent
            )
            same = unverified.status.value == found.status
            status, reason = unverified.status.value, unverified.reason.value
            low, high = (found.share_min, found.share_max) if same else (0.0, 0.0)
            method = found.method
            summary = {
                "entity": {"id": None, "name": customers.name[i], "country": customers.country[i]},
                "path": [],
            }
            extra["unverified"] = unverified.as_json(policy)
            pending = None if resolved.candidates is None else resolved.candidates[i]
            flags.append(UNVERIFIED)
            if pending is not None:
                flags.append(LINK_REVIEW)
                options = []
                for candidate in pending:
                    if candidate < 0:
                        continue
                    key = (
                        SEVERITY[status_of(candidate).value],
                        _share(result.share_max[candidate]),
                        _share(result.share_min[candidate]),
                    )
                    options.append((key, candidate))
                # A candidate ties with the unverified decision: the candidate drives it,
                # as in the service (candidates come first there).
                driver = _driver(options, (SEVERITY[status], high, low))
                extra["pending_link"] = {
                    "driven_by": None if driver is None else result.graph.entities.id(driver),
                    "candidates": [
                        {
                            "entity_id": result.graph.entities.id(c),
                            "status": status_of(c).value,
                            "reason": reason_of(c).value,
                            "share_min": _share(result.share_min[c]),
                            "share_max": _share(result.share_max[c]),
                        }
                        for _, c in options
                    ],
                }
                if driver is not None:
                    status, reason = status_of(driver).value, reason_of(driver).value
                    low = _share(result.share_min[driver])
                    high = _share(result.share_max[driver])
                    method = method_of(driver)
                    summary = _entity_summary(result, cols, driver)
                    path = entity_seed_path(result, driver)
            flags.extend(unverified.signals)
        evidence = {
            "format": 1,
            "detail": "summary",
            "decision": {
                "status": status,
                "reason": reason,
                "share_min": low,
                "share_max": high,
                "method": method,
            },
            **summary,
            "seed_path": list(path),
            "as_of": as_of.isoformat(),
            "subject": subject,
            "resolution": {
                "entity_id": entity_id,
                "by": resolved.by[i],
                "link": resolved.link[i],
                "score": None if np.isnan(resolved.score[i]) else float(resolved.score[i]),
            },
            "flags": flags,
            "snapshot_digest": snapshot_digest,
            **extra,
        }
        out.append(
            NewDecision(
                account_id=str(customers.account_id[i]),
                entity_id=entity_id,
                status=status,
                reason=reason,
                share_min=low,
                share_max=high,
                method=method,
                evidence=evidence,
                computed_at=computed_at,
                flags=tuple(flags),
                seed_path=path,
            )
        )
    return out


def _driver(
    options: list[tuple[tuple[int, float, float], int]], floor: tuple[int, float, float]
) -> int | None:
    """The candidate row the decision follows: the most restrictive, the first of equals,
    and only if it is at least as restrictive as the unverified decision (``floor``)."""
    best: tuple[tuple[int, float, float], int] | None = None
    for key, candidate in options:
        if best is None or key > best[0]:
            best = (key, candidate)
    if best is None or best[0] < floor:
        return None
    return best[1]


def changed(
    new: list[NewDecision],
    current: Mapping[str, tuple[int, Any]],
    policy_version: int,
    snapshot_digest: str | None,
) -> list[NewDecision]:
    """The decisions whose outcome differs from the account's current one (the others
    would only repeat it: the service appends nothing then either)."""
    return [
        d
        for d in new
        if d.account_id not in current
        or current[d.account_id][1] != d.key(policy_version, snapshot_digest)
    ]
