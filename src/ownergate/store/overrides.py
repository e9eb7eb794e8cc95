"""Overrides: an analyst's verdict on an account, in force once approved, until it expires.

An override is requested, then reviewed once (approved or rejected); neither row ever
changes. Allowing an account needs the approval of a principal other than the requester
(the two-person rule); a restriction, the safe direction, may be approved by its requester.
When several approved overrides are in force, the most recently approved one counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from ownergate.errors import InputError, shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError, PermissionDeniedError
from ownergate.store.models import (
    Account,
    Decision,
    Override,
    OverrideLapse,
    OverrideReview,
    ReviewOutcome,
    Verdict,
)
from ownergate.store.states import override_lapse_state, override_state
from ownergate.store.types import utcnow

MAX_REASON_LENGTH = 4000


class OverrideState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    # Approved, but a later decision was worse or rested on other evidence.
    LAPSED = "lapsed"


class OverrideRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def request(
        self,
        account_id: str,
        *,
        verdict: Verdict | str,
        reason: str,
        expires_at: dt.datetime,
        actor: str,
        decision_id: int | None = None,
    ) -> Override:
        """Ask for ``verdict`` on the account until ``expires_at``; ``actor`` is the requester.
        ``decision_id`` is the account's current decision, the one the override is bound to
        (a ConflictError when it is not the current one)."""
        kind = checks.choice(Verdict, verdict, "verdict")
        checks.text(reason, "reason", MAX_REASON_LENGTH)
        expiry = checks.aware(expires_at, "expires_at")
        now = utcnow()
        if expiry <= now:
            raise InputError("is not in the future", field="expires_at")
        with self._audit.writing(actor):
            if self.session.get(Account, account_id) is None:
                raise NotFoundError(f"no account {shown(account_id)}")
            if decision_id is not None:
                newest = self.session.scalar(
                    select(Decision.id)
                    .where(Decision.account_id == account_id)
                    .order_by(Decision.id.desc())
                    .limit(1)
                )
                if newest != decision_id:
                    raise ConflictError(
                        f"decision {decision_id} is not account {shown(account_id)}'s current "
                        f"decision ({newest}): an override is bound to the current one"
                    )
            override = Override(
                account_id=account_id,
                verdict=kind,
                reason=reason,
                expires_at=expiry,
                requested_by=checks.text(actor, "actor", 200),
                requested_at=now,
                decision_id=decision_id,
            )
            self.session.add(override)
            self.session.flush()
            self._audit.append(
                actor,
                "override.request",
                "override",
                override.id,
                override_state(override, None),
            )
        return override

    def review(
        self, override_id: int, *, outcome: ReviewOutcome | str, reason: str, actor: str
    ) -> OverrideReview:
        """Approve or reject a pending override; ``actor`` is the reviewer."""
        result = checks.choice(ReviewOutcome, outcome, "outcome")
        checks.text(reason, "reason", MAX_REASON_LENGTH)
        checks.text(actor, "actor", 200)
        with self._audit.writing(actor):
            override = self.get(override_id)
            if self.review_of(override_id) is not None:
                raise ConflictError(f"override {override_id} has been reviewed already")
            now = utcnow()
            if override.expires_at <= now:
                raise ConflictError(f"override {override_id} expired before it was reviewed")
            if (
                result is ReviewOutcome.APPROVE
                and override.verdict is Verdict.ALLOW
                and actor == override.requested_by
            ):
                raise PermissionDeniedError(
                    f"{actor} requested override {override_id}: allowing an account needs "
                    "the approval of another principal"
                )
            review = OverrideReview(
                override_id=override_id, reviewer=actor, outcome=result, reason=reason, at=now
            )
            self.session.add(review)
            self.session.flush()
            self._audit.append(
                actor,
                f"override.{result.value}",
                "override",
                override_id,
                override_state(override, review),
            )
        return review

    def active_for(self, account_id: str, at: dt.datetime | None = None) -> Override | None:
        """The newest approved override at ``at`` (default: now) unless it expired or a lapse
        is recorded for it. Whether an allow override's bound decision still supports it is
        the service's to judge (``ownergate.service.binding``)."""
        moment = utcnow() if at is None else checks.aware(at, "at")
        query = (
            select(Override, OverrideLapse.id)
            .join(OverrideReview, OverrideReview.override_id == Override.id)
            .outerjoin(OverrideLapse, OverrideLapse.override_id == Override.id)
            .where(
                Override.account_id == account_id,
                OverrideReview.outcome == ReviewOutcome.APPROVE,
                OverrideReview.at <= moment,
                Override.expires_at > moment,
            )
            .order_by(OverrideReview.at.desc(), OverrideReview.id.desc())
            .limit(1)
        )
        found = self.session.execute(query).first()
        return None if found is None or found[1] is not None else found[0]

    def get(self, override_id: int) -> Override:
        override = self.session.get(Override, override_id)
        if override is None:
            raise NotFoundError(f"no override {override_id}")
        return override

    def review_of(self, override_id: int) -> OverrideReview | None:
        query = select(OverrideReview).where(OverrideReview.override_id == override_id)
        return self.session.scalars(query).first()

    def state(self, override_id: int, at: dt.datetime | None = None) -> OverrideState:
        """Pending, approved or rejected; expired once past ``expires_at`` unless rejected."""
        override = self.get(override_id)
        review = self.review_of(override_id)
        if review is not None and review.outcome is ReviewOutcome.REJECT:
            return OverrideState.REJECTED
        moment = utcnow() if at is None else checks.aware(at, "at")
        if override.expires_at <= moment:
            return OverrideState.EXPIRED
        if review is not None and self.lapse_of(override_id) is not None:
            return OverrideState.LAPSED
        return OverrideState.PENDING if review is None else OverrideState.APPROVED

    def list_for(self, account_id: str) -> list[Override]:
        """The account's overrides, newest first."""
        query = (
            select(Override).where(Override.account_id == account_id).order_by(Override.id.desc())
        )
        return list(self.session.scalars(query))

    def allow_in_force(
        self, account_ids: Sequence[str], at: dt.datetime | None = None
    ) -> list[tuple[Override, Decision | None]]:
        """The approved allow overrides in force at ``at`` on these accounts (the newest
        approved one per account, unless it lapsed), each with the decision it is bound to."""
        return [
            (override, bound)
            for override, bound, lapsed in self.newest_approved(account_ids, at)
            if override.verdict is Verdict.ALLOW and not lapsed
        ]

    def newest_approved(
        self, account_ids: Sequence[str], at: dt.datetime | None = None
    ) -> list[tuple[Override, Decision | None, bool]]:
        """The newest approved, unexpired override of each of these accounts at ``at``, with
        the decision it is bound to and whether a lapse is recorded for it."""
        moment = utcnow() if at is None else checks.aware(at, "at")
        bound = aliased(Decision)
        out: list[tuple[Override, Decision | None, bool]] = []
        for start in range(0, len(account_ids), 2_000):
            part = list(account_ids[start : start + 2_000])
            query = (
                select(Override, OverrideReview.at, bound, OverrideLapse.id)
                .join(OverrideReview, OverrideReview.override_id == Override.id)
                .outerjoin(bound, bound.id == Override.decision_id)
                .outerjoin(OverrideLapse, OverrideLapse.override_id == Override.id)
                .where(
                    Override.account_id.in_(part),
                    OverrideReview.outcome == ReviewOutcome.APPROVE,
                    OverrideReview.at <= moment,
                    Override.expires_at > moment,
                )
                .order_by(OverrideReview.at.desc(), OverrideReview.id.desc())
            )
            seen: set[str] = set()
            for override, _at, decision, lapse_id in self.session.execute(query):
                if override.account_id in seen:
                    continue
                seen.add(override.account_id)
                out.append((override, decision, lapse_id is not None))
        return out

    def lapse(
        self, override: Override, decision_id: int | None, reasons: list[str], *, actor: str
    ) -> OverrideLapse:
        """Record that ``override`` stopped being in force on decision ``decision_id``."""
        with self._audit.writing(actor):
            lapse = OverrideLapse(
                override_id=override.id,
                account_id=override.account_id,
                decision_id=decision_id,
                reasons=list(reasons),
                at=utcnow(),
            )
            self.session.add(lapse)
            self.session.flush()
            self._audit.append(
                actor, "override.lapse", "override_lapse", lapse.id, override_lapse_state(lapse)
            )
        return lapse

    def lapse_of(self, override_id: int) -> OverrideLapse | None:
        query = select(OverrideLapse).where(OverrideLapse.override_id == override_id)
        return self.session.scalars(query).first()

    def reapproval_queue(
        self, *, after: int | None = None, limit: int = 100
    ) -> list[tuple[OverrideLapse, Override]]:
        """Lapsed overrides whose account has had no override requested since, in lapse
        order (``after``: a lapse id, for paging)."""
        newer = aliased(Override)
        query = (
            select(OverrideLapse, Override)
            .join(Override, Override.id == OverrideLapse.override_id)
            .where(
                ~exists().where(
                    newer.account_id == OverrideLapse.account_id, newer.id > Override.id
                )
            )
            .order_by(OverrideLapse.id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(OverrideLapse.id > after)
        return [(lapse, override) for lapse, override in self.session.execute(query)]
