"""Pending changes: writes that would lift an account's restriction, held for a second
principal (the two-person rule overrides follow, applied to the data a decision rests on).

An account write or a link answer that would move an account's current decision from
``restricted`` to ``allowed`` or ``review`` is not applied: it is requested here, and takes
effect only when a principal other than its requester approves it (then it is applied in
the approval's transaction). A change is reviewed once; neither row ever changes. An
approval is refused when the account, its decision, its link or the active pair changed
since the request (``base`` no longer matches): the approver must see what they approve.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError, PermissionDeniedError
from ownergate.store.models import (
    Account,
    ChangeKind,
    ChangeReview,
    PendingChange,
    ReviewOutcome,
)
from ownergate.store.overrides import MAX_REASON_LENGTH
from ownergate.store.states import pending_change_state
from ownergate.store.types import utcnow

OBJECT_TYPE = "pending_change"


class PendingChangeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def request(
        self,
        account_id: str,
        *,
        kind: ChangeKind | str,
        change: dict[str, Any],
        base: dict[str, Any],
        from_status: str,
        to_status: str,
        actor: str,
    ) -> PendingChange:
        """Hold ``change`` on the account for another principal's approval."""
        what = checks.choice(ChangeKind, kind, "kind")
        with self._audit.writing(actor):
            if self.session.get(Account, account_id) is None:
                raise NotFoundError(f"no account {shown(account_id)}")
            pending = PendingChange(
                account_id=account_id,
                kind=what,
                change=change,
                base=base,
                from_status=from_status,
                to_status=to_status,
                requested_by=checks.text(actor, "actor", 200),
                requested_at=utcnow(),
            )
            self.session.add(pending)
            self.session.flush()
            self._audit.append(
                actor,
                "change.request",
                OBJECT_TYPE,
                pending.id,
                pending_change_state(pending, None),
            )
        return pending

    def review(
        self,
        change_id: int,
        *,
        outcome: ReviewOutcome | str,
        reason: str,
        actor: str,
        base: dict[str, Any] | None = None,
    ) -> ChangeReview:
        """Approve or reject a pending change; ``actor`` is the reviewer. An approval gives
        the account's ``base`` now, which must be the one the change was asked against."""
        result = checks.choice(ReviewOutcome, outcome, "outcome")
        checks.text(reason, "reason", MAX_REASON_LENGTH)
        checks.text(actor, "actor", 200)
        with self._audit.writing(actor):
            pending = self.get(change_id)
            if self.review_of(change_id) is not None:
                raise ConflictError(f"change {change_id} has been reviewed already")
            if result is ReviewOutcome.APPROVE:
                if actor == pending.requested_by:
                    raise PermissionDeniedError(
                        f"{actor} requested change {change_id}: lifting a restriction needs "
                        "the approval of another principal"
                    )
                if base != pending.base:
                    raise ConflictError(
                        f"account {shown(pending.account_id)}, its decision, its link or the "
                        f"active policy or snapshot changed since change {change_id} was "
                        "requested: reject it, and request the change again if it still holds"
                    )
            review = ChangeReview(
                change_id=change_id, reviewer=actor, outcome=result, reason=reason, at=utcnow()
            )
            self.session.add(review)
            self.session.flush()
            self._audit.append(
                actor,
                f"change.{result.value}",
                OBJECT_TYPE,
                change_id,
                pending_change_state(pending, review),
            )
        return review

    def get(self, change_id: int) -> PendingChange:
        pending = self.session.get(PendingChange, change_id)
        if pending is None:
            raise NotFoundError(f"no pending change {change_id}")
        return pending

    def review_of(self, change_id: int) -> ChangeReview | None:
        query = select(ChangeReview).where(ChangeReview.change_id == change_id)
        return self.session.scalars(query).first()

    def list_for(self, account_id: str) -> list[PendingChange]:
        """The account's changes, newest first."""
        query = select(PendingChange).where(PendingChange.account_id == account_id)
        return list(self.session.scalars(query.order_by(PendingChange.id.desc())))

    def waiting(self, *, after: int = 0, limit: int = 100) -> list[PendingChange]:
        """Changes not reviewed yet, oldest first, after the change id ``after``."""
        reviewed = select(ChangeReview.change_id)
        query = (
            select(PendingChange)
            .where(PendingChange.id > after, PendingChange.id.not_in(reviewed))
            .order_by(PendingChange.id)
            .limit(limit)
        )
        return list(self.session.scalars(query))
