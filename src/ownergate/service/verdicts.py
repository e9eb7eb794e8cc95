"""Stored decisions and overrides as the service returns them, and the effective verdict:
the current decision, unless an approved override in force says otherwise. An allow
override is in force only while the current decision is no worse than the one it was
bound to and rests on the same evidence (``service.binding``); otherwise it is reported as
lapsed and the decision stands.

``current_verdict`` is the hot path (the platform asks it for every account it serves): the
newest decision (by the ``(account_id, id)`` index), without its evidence document unless
asked for, and the approved override in force, in one query. It runs no decider.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, true
from sqlalchemy.orm import aliased

from ownergate.domain.model import Reason, Status
from ownergate.errors import shown
from ownergate.service.binding import Basis, basis_of, lapse_reasons
from ownergate.service.deciding import UNVERIFIED
from ownergate.service.pairs import utcnow
from ownergate.store import (
    Account,
    Decision,
    NotFoundError,
    Override,
    OverrideLapse,
    OverrideReview,
    OverrideState,
    Repositories,
    ReviewOutcome,
    Verdict,
)

_SUMMARY = (
    Decision.id,
    Decision.account_id,
    Decision.entity_id,
    Decision.status,
    Decision.reason,
    Decision.share_min,
    Decision.share_max,
    Decision.method,
    Decision.policy_version,
    Decision.snapshot_digest,
    Decision.computed_at,
    Decision.recorded_at,
    Decision.supersedes,
    Decision.flags.label("decision_flags"),
    Decision.seed_path,
)


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A stored decision; ``evidence`` is None when it was not asked for."""

    id: int
    account_id: str
    entity_id: str | None
    status: Status
    reason: Reason
    share_min: float
    share_max: float
    method: str
    policy_version: int
    snapshot_digest: str | None
    computed_at: dt.datetime
    recorded_at: dt.datetime
    supersedes: int | None
    evidence: dict[str, Any] | None = None
    stored_flags: tuple[str, ...] | None = None
    seed_path: tuple[str, ...] | None = None

    @property
    def flags(self) -> tuple[str, ...]:
        """``unverified`` when it rests on no registry entity, ``link_review`` while a name
        link waits for an analyst, the risk signals that sent it to review, ``inline``
        (the evidence's ``flags`` say the same). Decisions stored before flags were
        recorded derive ``unverified`` from the missing entity."""
        if self.stored_flags is not None:
            return self.stored_flags
        return (UNVERIFIED,) if self.entity_id is None else ()

    def basis(self) -> Basis:
        return Basis(
            self.id,
            self.account_id,
            self.status,
            self.share_min,
            self.share_max,
            self.entity_id,
            self.seed_path,
        )


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    id: int
    account_id: str
    verdict: Verdict
    reason: str
    expires_at: dt.datetime
    requested_by: str
    requested_at: dt.datetime
    state: OverrideState
    reviewed_by: str | None = None
    review_outcome: ReviewOutcome | None = None
    review_reason: str | None = None
    reviewed_at: dt.datetime | None = None
    decision_id: int | None = None
    lapse_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EffectiveVerdict:
    """The current decision and the override in force, if any; ``lapsed`` is the newest
    approved override when it is not in force because the evidence moved (its
    ``lapse_reasons`` say how)."""

    account_id: str
    decision: DecisionRecord
    override: OverrideRecord | None
    # The account's own declared country, as the request gate compares it.
    declared_country: str | None = None
    lapsed: OverrideRecord | None = None

    @property
    def effective_status(self) -> Status:
        if self.override is None:
            return self.decision.status
        return Status.ALLOWED if self.override.verdict is Verdict.ALLOW else Status.RESTRICTED


def decision_record(row: Any, evidence: dict[str, Any] | None = None) -> DecisionRecord:
    """A record from a ``Decision`` or a row of its summary columns."""
    flags = row.flags if isinstance(row, Decision) else row.decision_flags
    return DecisionRecord(
        id=row.id,
        account_id=row.account_id,
        entity_id=row.entity_id,
        status=Status(row.status),
        reason=Reason(row.reason),
        share_min=row.share_min,
        share_max=row.share_max,
        method=row.method,
        policy_version=row.policy_version,
        snapshot_digest=row.snapshot_digest,
        computed_at=row.computed_at,
        recorded_at=row.recorded_at,
        supersedes=row.supersedes,
        evidence=evidence,
        stored_flags=None if flags is None else tuple(flags),
        seed_path=None if row.seed_path is None else tuple(row.seed_path),
    )


def override_record(
    override: Override,
    review: OverrideReview | None,
    at: dt.datetime | None = None,
    lapse: OverrideLapse | None = None,
) -> OverrideRecord:
    moment = at or utcnow()
    if review is not None and review.outcome is ReviewOutcome.REJECT:
        state = OverrideState.REJECTED
    elif override.expires_at <= moment:
        state = OverrideState.EXPIRED
    elif review is not None and lapse is not None:
        state = OverrideState.LAPSED
    else:
        state = OverrideState.PENDING if review is None else OverrideState.APPROVED
    return OverrideRecord(
        id=override.id,
        account_id=override.account_id,
        verdict=override.verdict,
        reason=override.reason,
        expires_at=override.expires_at,
        requested_by=override.requested_by,
        requested_at=override.requested_at,
        state=state,
        reviewed_by=None if review is None else review.reviewer,
        review_outcome=None if review is None else review.outcome,
        review_reason=None if review is None else review.reason,
        reviewed_at=None if review is None else review.at,
        decision_id=override.decision_id,
        lapse_reasons=() if lapse is None else tuple(lapse.reasons),
    )


# The hot path's statements, built once: building a select costs more than running it.
# _IN_FORCE is OverrideRepository.active_for joined with the review, its lapse and the
# decision it is bound to (a test holds the two to the same answers); _VERDICT is the
# newest decision with it, in one round trip.
_BOUND = aliased(Decision, name="bound")
_IN_FORCE = (
    select(
        Override.id.label("override_id"),
        Override.verdict.label("override_verdict"),
        Override.reason.label("override_reason"),
        Override.expires_at,
        Override.requested_by,
        Override.requested_at,
        OverrideReview.reviewer,
        OverrideReview.outcome.label("review_outcome"),
        OverrideReview.reason.label("review_reason"),
        OverrideReview.at.label("reviewed_at"),
        Override.decision_id.label("bound_id"),
        OverrideLapse.reasons.label("lapse_reasons"),
        _BOUND.status.label("bound_status"),
        _BOUND.share_min.label("bound_share_min"),
        _BOUND.share_max.label("bound_share_max"),
        _BOUND.entity_id.label("bound_entity_id"),
        _BOUND.seed_path.label("bound_seed_path"),
    )
    .join(OverrideReview, OverrideReview.override_id == Override.id)
    .outerjoin(OverrideLapse, OverrideLapse.override_id == Override.id)
    .outerjoin(_BOUND, _BOUND.id == Override.decision_id)
    .where(
        Override.account_id == bindparam("account_id"),
        OverrideReview.outcome == ReviewOutcome.APPROVE,
        OverrideReview.at <= bindparam("now"),
        Override.expires_at > bindparam("now"),
    )
    .order_by(OverrideReview.at.desc(), OverrideReview.id.desc())
    .limit(1)
)
_IN_FORCE_ROW = _IN_FORCE.subquery("in_force")
_DECLARED = (
    select(Account.declared_country)
    .where(Account.id == Decision.account_id)
    .scalar_subquery()
    .label("declared_country")
)
_VERDICT = (
    select(*_SUMMARY, _DECLARED, *_IN_FORCE_ROW.c)
    .outerjoin(_IN_FORCE_ROW, true())
    .where(Decision.account_id == bindparam("account_id"))
    .order_by(Decision.id.desc())
    .limit(1)
)


def current_verdict(
    store: Repositories, account_id: str, *, evidence: bool = False
) -> EffectiveVerdict:
    """The account's newest decision and the override in force; NotFoundError when it has
    no decision (or there is no such account)."""
    params = {"account_id": account_id, "now": utcnow()}
    # Core, not the ORM: these are plain rows, and the ORM's per-query work would be most
    # of the lookup's cost.
    connection = store.session.connection()
    if evidence:
        found = store.decisions.current(account_id)
        if found is not None:
            in_force = connection.execute(_IN_FORCE, params).first()
            declared = store.accounts.get(account_id).declared_country
            return _verdict(account_id, decision_record(found, found.evidence), in_force, declared)
    else:
        row = connection.execute(_VERDICT, params).first()
        if row is not None:
            with_override = None if row.override_id is None else row
            return _verdict(account_id, decision_record(row), with_override, row.declared_country)
    store.accounts.get(account_id)  # NotFoundError naming the account when there is none
    raise NotFoundError(f"account {shown(account_id)} has no decision yet")


def _verdict(
    account_id: str, decision: DecisionRecord, row: Any, declared: str | None
) -> EffectiveVerdict:
    """The verdict on ``decision`` given the newest approved override's row (if any)."""
    if row is None:
        return EffectiveVerdict(account_id, decision, None, declared)
    override = _override(account_id, row, decision.basis())
    if override.lapse_reasons:
        return EffectiveVerdict(account_id, decision, None, declared, override)
    return EffectiveVerdict(account_id, decision, override, declared)


def override_in_force(
    store: Repositories, account_id: str, at: dt.datetime
) -> OverrideRecord | None:
    """The approved override in force for the account at ``at``, with its review (None
    when the newest approved one lapsed on the account's current decision)."""
    params = {"account_id": account_id, "now": at}
    row = store.session.connection().execute(_IN_FORCE, params).first()
    if row is None:
        return None
    found = _override(account_id, row, _current_basis(store, account_id))
    return None if found.lapse_reasons else found


def _current_basis(store: Repositories, account_id: str) -> Basis | None:
    current = store.decisions.current(account_id)
    return None if current is None else basis_of(current)


def _override(account_id: str, row: Any, current: Basis | None = None) -> OverrideRecord:
    """The override of an _IN_FORCE row; ``lapse_reasons`` are set when it lapsed (a lapse
    recorded, or an allow override its bound decision does not support ``current``)."""
    verdict = Verdict(row.override_verdict)
    reasons: tuple[str, ...] = tuple(row.lapse_reasons or ())
    if verdict is Verdict.ALLOW and not reasons:
        bound = (
            None
            if row.bound_id is None or row.bound_status is None
            else Basis(
                int(row.bound_id),
                account_id,
                Status(row.bound_status),
                float(row.bound_share_min),
                float(row.bound_share_max),
                row.bound_entity_id,
                None if row.bound_seed_path is None else tuple(row.bound_seed_path),
            )
        )
        if current is not None:
            reasons = tuple(lapse_reasons(bound, current))
    state = OverrideState.LAPSED if reasons else OverrideState.APPROVED
    return OverrideRecord(
        id=row.override_id,
        account_id=account_id,
        verdict=verdict,
        reason=row.override_reason,
        expires_at=row.expires_at,
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        state=state,
        reviewed_by=row.reviewer,
        review_outcome=ReviewOutcome(row.review_outcome),
        review_reason=row.review_reason,
        reviewed_at=row.reviewed_at,
        decision_id=row.bound_id,
        lapse_reasons=reasons,
    )


def decision_history(
    store: Repositories, account_id: str, *, before: int | None, limit: int
) -> list[DecisionRecord]:
    """The account's decisions, newest first, without their evidence."""
    store.accounts.get(account_id)
    query = select(*_SUMMARY).where(Decision.account_id == account_id)
    if before is not None:
        query = query.where(Decision.id < before)
    rows = store.session.execute(query.order_by(Decision.id.desc()).limit(limit))
    return [decision_record(row) for row in rows]
