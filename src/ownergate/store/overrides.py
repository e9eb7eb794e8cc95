"""Overrides: an analyst's verdict on an account, in force once approved, until it expires.

An override is requested, then reviewed once (approved or rejected); neither row ever
changes. Allowing an account needs the approval of a principal other than the requester
(the two-person rule); a restriction, the safe direction, may be approved by its requester.
When several approved overrides are in force, the most recently approved one counts.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import InputError, shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError, PermissionDeniedError
from ownergate.store.models import Account, Override, OverrideReview, ReviewOutcome, Verdict
from ownergate.store.states import override_state
from ownergate.store.types import utcnow

MAX_REASON_LENGTH = 4000


class OverrideState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"


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
    ) -> Override:
        """Ask for ``verdict`` on the account until ``expires_at``; ``actor`` is the requester."""
        kind = checks.choice(Verdict, verdict, "verdict")
        checks.text(reason, "reason", MAX_REASON_LENGTH)
        expiry = checks.aware(expires_at, "expires_at")
        now = utcnow()
        if expiry <= now:
            raise InputError("is not in the future", field="expires_at")
        with self._audit.writing(actor):
            if self.session.get(Account, account_id) is None:
                raise NotFoundError(f"no account {shown(account_id)}")
            override = Override(
                account_id=account_id,
                verdict=kind,
                reason=reason,
                expires_at=expiry,
                requested_by=checks.text(actor, "actor", 200),
                requested_at=now,
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
        """The override in force for the account at ``at`` (default: now), if any."""
        moment = utcnow() if at is None else checks.aware(at, "at")
        query = (
            select(Override)
            .join(OverrideReview, OverrideReview.override_id == Override.id)
            .where(
                Override.account_id == account_id,
                OverrideReview.outcome == ReviewOutcome.APPROVE,
                OverrideReview.at <= moment,
                Override.expires_at > moment,
            )
            .order_by(OverrideReview.at.desc(), OverrideReview.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

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
        return OverrideState.PENDING if review is None else OverrideState.APPROVED

    def list_for(self, account_id: str) -> list[Override]:
        """The account's overrides, newest first."""
        query = (
            select(Override).where(Override.account_id == account_id).order_by(Override.id.desc())
        )
        return list(self.session.scalars(query))
