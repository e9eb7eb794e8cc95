"""Pending changes: read them, and approve (apply) or reject them.

A change is held by ``AccountService.put`` or ``LinkReviewService.answer`` when it would
lift an account's restriction (``four_eyes``). Approving one applies it through the same
call, in the approval's transaction, as its requester's write: the approval is refused
(403) for the requester and (409) when the account, its decision or its link changed since
the request. Rejecting one records the answer and changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ownergate.service.accounts import AccountDecision, AccountFields, AccountService
from ownergate.service.four_eyes import Approval
from ownergate.service.links import LinkReviewService
from ownergate.store import (
    ChangeKind,
    ChangeReview,
    ConflictError,
    Database,
    PendingChange,
    PermissionDeniedError,
    ReviewOutcome,
)


class ChangeState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    change: PendingChange
    review: ChangeReview | None

    @property
    def state(self) -> ChangeState:
        if self.review is None:
            return ChangeState.PENDING
        if self.review.outcome is ReviewOutcome.APPROVE:
            return ChangeState.APPROVED
        return ChangeState.REJECTED


@dataclass(frozen=True, slots=True)
class Applied:
    """An approved change and the account's verdict once it was applied."""

    record: ChangeRecord
    decision: AccountDecision


class PendingChangeService:
    def __init__(self, db: Database, accounts: AccountService, links: LinkReviewService) -> None:
        self._db = db
        self._accounts = accounts
        self._links = links

    def get(self, change_id: int) -> ChangeRecord:
        with self._db.read() as store:
            return ChangeRecord(store.pending.get(change_id), store.pending.review_of(change_id))

    def list_for(self, account_id: str) -> list[ChangeRecord]:
        """The account's changes, newest first (NotFoundError without such an account)."""
        with self._db.read() as store:
            store.accounts.get(account_id)
            return [
                ChangeRecord(c, store.pending.review_of(c.id))
                for c in store.pending.list_for(account_id)
            ]

    def waiting(self, *, after: int = 0, limit: int = 100) -> list[ChangeRecord]:
        """Changes waiting for a review, oldest first."""
        with self._db.read() as store:
            return [ChangeRecord(c, None) for c in store.pending.waiting(after=after, limit=limit)]

    def approve(self, change_id: int, *, reason: str, actor: str) -> Applied:
        """Apply the change as its requester's write, approved by ``actor``."""
        found = self.get(change_id)
        change = found.change
        if found.review is not None:
            raise ConflictError(f"change {change_id} has been reviewed already")
        if actor == change.requested_by:  # checked again, in the transaction, by the store
            raise PermissionDeniedError(
                f"{actor} requested change {change_id}: lifting a restriction needs the "
                "approval of another principal"
            )
        approval = Approval(change_id, actor, reason)
        if change.kind is ChangeKind.ACCOUNT:
            decision = self._accounts.put(
                change.account_id,
                AccountFields.from_json(change.change),
                actor=change.requested_by,
                approval=approval,
            )
        else:
            answer = self._links.answer(
                change.account_id,
                change.change["entity_id"],
                change.change["verdict"],
                change.change["reason"],
                actor=change.requested_by,
                approval=approval,
            )
            decision = answer.decision
        return Applied(self.get(change_id), decision)

    def reject(self, change_id: int, *, reason: str, actor: str) -> ChangeRecord:
        with self._db.write() as store:
            review = store.pending.review(
                change_id, outcome=ReviewOutcome.REJECT, reason=reason, actor=actor
            )
            return ChangeRecord(store.pending.get(change_id), review)
