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
    """A stored decision. ``flags``: ``unverified`` when it rests on no registry entity,
    ``link_review`` while a name link waits for an analyst (the decision then follows the
    most restrictive candidate), the risk signals that sent an unverified account to review
    (``offshore_declaration``, ``region_name``, ``parent_in_region``), ``inline``.
    ``seed_path``: entity ids from the seed down to the decided entity (what an override is
    bound to; null on decisions made before it was recorded). ``evidence`` only when asked
    for."""

    id: int
    account_id: str
    entity_id: str | None
    status: Status
    reason: Reason
    share_min: float
    share_max: float
    method: str
    flags: list[str]
    seed_path: list[str] | None
    policy_version: int
    snapshot_digest: str | None
    computed_at: dt.datetime
    recorded_at: dt.datetime
    supersedes: int | None = Field(description="The decision this one superseded")
    evidence: dict[str, Any] | None = None

    @classmethod
    def of(cls, record: DecisionRecord) -> DecisionOut:
        return cls.model_validate(record)


class OverrideOut(ResponseModel):
    """An override and its review; ``state``: pending, approved, rejected, expired, or
    lapsed (approved, but a later decision was worse or rested on other evidence than
    ``decision_id``, the decision it was requested on: ``lapse_reasons`` say how)."""

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
    decision_id: int | None
    lapse_reasons: list[str]

    @classmethod
    def of(cls, record: OverrideRecord) -> OverrideOut:
        return cls.model_validate(record)


class VerdictOut(ResponseModel):
    """The account's current decision, the approved override in force (if any), and the
    status that results: the override's when there is one, else the decision's. An allow
    override whose decision moved (worse, or other evidence) is not in force: it is
    ``lapsed_override``, and the decision's status stands."""

    account_id: str
    decision: DecisionOut
    override: OverrideOut | None
    effective_status: Status
    lapsed_override: OverrideOut | None = Field(
        default=None, validation_alias="lapsed", description="The lapsed override, if any"
    )

    @classmethod
    def of(cls, verdict: EffectiveVerdict) -> VerdictOut:
        return cls.model_validate(verdict)
