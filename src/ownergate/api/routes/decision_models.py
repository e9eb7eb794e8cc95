"""Response bodies for decisions, overrides and the effective verdict."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import Field

from ownergate.api.models import ResponseModel
from ownergate.domain.model import Reason, Status
from ownergate.service import DecisionRecord, EffectiveVerdict, OverrideRecord
from ownergate.store import OverrideState, ReviewOutcome, Verdict


class DecisionOut(ResponseModel):
    """A stored decision. ``flags``: ``unverified`` when it rests on no registry entity (the
    declared country alone). ``evidence`` only when asked for."""

    id: int
    account_id: str
    entity_id: str | None
    status: Status
    reason: Reason
    share_min: float
    share_max: float
    method: str
    flags: list[str]
    policy_version: int
    snapshot_digest: str | None
    computed_at: dt.datetime
    recorded_at: dt.datetime
    supersedes: int | None = Field(description="The decision this one superseded")
    evidence: dict[str, Any] | None = None

    @classmethod
    def of(cls, record: DecisionRecord) -> DecisionOut:
        return cls(
            id=record.id,
            account_id=record.account_id,
            entity_id=record.entity_id,
            status=record.status,
            reason=record.reason,
            share_min=record.share_min,
            share_max=record.share_max,
            method=record.method,
            flags=list(record.flags),
            policy_version=record.policy_version,
            snapshot_digest=record.snapshot_digest,
            computed_at=record.computed_at,
            recorded_at=record.recorded_at,
            supersedes=record.supersedes,
            evidence=record.evidence,
        )


class OverrideOut(ResponseModel):
    """An override and its review; ``state``: pending, approved, rejected or expired."""

    id: int
    account_id: str
    verdict: Verdict
    reason: str
    expires_at: dt.datetime
    requested_by: str
    requested_at: dt.datetime
    state: OverrideState
    reviewed_by: str | None
    review_outcome: ReviewOutcome | None
    review_reason: str | None
    reviewed_at: dt.datetime | None

    @classmethod
    def of(cls, record: OverrideRecord) -> OverrideOut:
        return cls(
            id=record.id,
            account_id=record.account_id,
            verdict=record.verdict,
            reason=record.reason,
            expires_at=record.expires_at,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
            state=record.state,
            reviewed_by=record.reviewed_by,
            review_outcome=record.review_outcome,
            review_reason=record.review_reason,
            reviewed_at=record.reviewed_at,
        )


class VerdictOut(ResponseModel):
    """The account's current decision, the approved override in force (if any), and the
    status that results: the override's when there is one, else the decision's."""

    account_id: str
    decision: DecisionOut
    override: OverrideOut | None
    effective_status: Status

    @classmethod
    def of(cls, verdict: EffectiveVerdict) -> VerdictOut:
        return cls(
            account_id=verdict.account_id,
            decision=DecisionOut.of(verdict.decision),
            override=None if verdict.override is None else OverrideOut.of(verdict.override),
            effective_status=verdict.effective_status,
        )
