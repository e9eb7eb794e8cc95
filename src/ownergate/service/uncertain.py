"""Deciding an account found on no registry entity: unverified, or waiting on a link review.

Unverified, it is decided on its declared country and the policy's ``unverified`` rule
(``ownergate.resolve.signals``). While its name link waits for an analyst, it is decided
on the most restrictive plausible outcome: each candidate entity's decision and the
unverified one; the most severe status wins (restricted, review, allowed), then the larger
restricted share, then the better candidate. The decision is flagged ``link_review`` and
its evidence names the candidate that drives it (``pending_link.driven_by``), so nothing
is allowed on the hope that the analyst will pick the harmless candidate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from ownergate.domain.model import Reason, Status
from ownergate.resolve.signals import unverified_outcome
from ownergate.service.decider import Decider, Outcome
from ownergate.service.deciding import (
    LINK_REVIEW,
    UNVERIFIED,
    Decided,
    Resolution,
    Subject,
    finite_json,
)
from ownergate.service.pairs import Pair

SEVERITY = {Status.ALLOWED: 0, Status.REVIEW: 1, Status.RESTRICTED: 2}


def severity(status: Status | str) -> int:
    return SEVERITY[Status(status)]


def decide_uncertain(
    decider: Decider,
    pair: Pair,
    subject: Subject,
    day: dt.date,
    candidates: Sequence[str] = (),
) -> Decided:
    declared = decider.decide_organisation(subject.name, subject.country, None, day=day)
    unverified = unverified_outcome(
        decider.policy, declared.status, subject.name, subject.country, subject.parent_country
    )
    options: list[tuple[str | None, Outcome]] = []
    for entity_id in dict.fromkeys(candidates):
        if decider.row(entity_id) is not None:
            options.append((entity_id, decider.decide_entity(entity_id, day=day)))
    shares = (declared.share_min, declared.share_max)
    if unverified.status is not declared.status:
        shares = (0.0, 0.0)
    options.append((None, _as_status(declared, unverified.status, unverified.reason, shares)))
    # Candidates first, best score first: a tie keeps the earlier.
    driver, chosen = max(
        options,
        key=lambda o: (severity(o[1].status), o[1].share_max, o[1].share_min),
    )
    pending = bool(candidates)
    flags = (UNVERIFIED, *((LINK_REVIEW,) if pending else ()), *unverified.signals)
    evidence: dict[str, Any] = {
        **chosen.evidence,
        "subject": subject.as_json(),
        "resolution": Resolution(None, None).as_json(),
        "flags": list(flags),
        "snapshot_digest": pair.snapshot_digest,
        "unverified": unverified.as_json(decider.policy),
    }
    if pending:
        evidence["pending_link"] = {
            "driven_by": driver,
            "candidates": [
                {
                    "entity_id": entity_id,
                    "status": o.status.value,
                    "reason": o.reason.value,
                    "share_min": o.share_min,
                    "share_max": o.share_max,
                }
                for entity_id, o in options
                if entity_id is not None
            ],
            "text": _pending_text(driver, chosen),
        }
    return Decided(
        pair=pair,
        as_of=day,
        entity_id=None,
        status=chosen.status,
        reason=chosen.reason,
        share_min=chosen.share_min,
        share_max=chosen.share_max,
        method=chosen.method,
        flags=flags,
        evidence=finite_json(evidence),
        resolved_by=None,
        seed_path=chosen.seed_path if driver is not None else (),
    )


def _as_status(
    declared: Outcome, status: Status, reason: Reason, shares: tuple[float, float]
) -> Outcome:
    return Outcome(
        entity_id=None,
        status=status,
        reason=reason,
        share_min=shares[0],
        share_max=shares[1],
        method=declared.method,
        evidence=declared.evidence,
        flags=declared.flags,
        seed_path=(),
    )


def _pending_text(driver: str | None, chosen: Outcome) -> str:
    if driver is None:
        return (
            f"waiting for a link review; no candidate is more restrictive than the "
            f"unverified decision ({chosen.status.value})"
        )
    return (
        f"waiting for a link review; decided as candidate {driver}, the most restrictive "
        f"plausible one ({chosen.status.value}, {chosen.reason.value})"
    )
