"""Whole-base screening: many accounts decided at once from one screened registry.

Each account gets exactly the outcome the decision service gives it one at a time
(``service.deciding``): its registry entity's decision when it has one, else the decision
on its declared country alone, flagged ``unverified`` (and ``link_review`` while an analyst
has yet to say which of its candidate entities it is). Only the evidence differs: a full
explanation costs milliseconds per entity, so a bulk decision records a summary (the
decision, its entity, the chain of largest restricted owners up to the seed, the subject
and how it was resolved) and says so (``detail: summary``). The full document is one
replay away: a decision pins its policy version and snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ownergate.engine.screen import ScreenResult
from ownergate.explain.columns import DecisionColumns
from ownergate.graph.tables import text
from ownergate.portfolio.accounts import Customers, FloatArray, IntArray, ObjectArray
from ownergate.store import NewDecision

UNVERIFIED = "unverified"
LINK_REVIEW = "link_review"
MAX_PATH = 12


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
    for i in range(len(customers)):
        row = int(resolved.rows[i])
        subject = {
            "organisation_name": customers.name[i],
            "declared_country": customers.country[i],
            "registry_entity_id": customers.registry_entity_id[i],
            "lei": customers.lei[i],
        }
        flags: list[str] = []
        if row >= 0:
            entity_id: str | None = result.graph.entities.id(row)
            status, reason = status_of(row).value, reason_of(row).value
            low, high = _share(result.share_min[row]), _share(result.share_max[row])
            method = method_of(row)
            entity = {"id": entity_id, "name": _name(result, row), "country": _country(result, row)}
            path = owner_path(result, cols, row)
        else:
            entity_id = None
            found = declared(str(customers.country[i]))
            status, reason = found.status, found.reason
            low, high, method = found.share_min, found.share_max, found.method
            entity = {"id": None, "name": customers.name[i], "country": customers.country[i]}
            path = []
            flags.append(UNVERIFIED)
            if resolved.link[i] == "review":
                flags.append(LINK_REVIEW)
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
            "entity": entity,
            "path": path,
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
            )
        )
    return out


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
