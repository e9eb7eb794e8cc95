"""Pending changes: account writes and link answers that would lift a restriction, held
for a second analyst (the two-person rule, as for allow overrides).

``PUT /v1/accounts/{id}`` and ``POST /v1/accounts/{id}/link/confirm|reject`` answer 202
with the change when they are held. Another analyst approves it (it is then applied, as its
requester's write) or anyone with the role rejects it. Approving one's own change is a 403
(code ``two-person-rule``); approving a change whose account, decision or link changed
since it was requested is a 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from ownergate.api.access import Analyst, require
from ownergate.api.models import Page, RequestModel, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.decision_models import VerdictOut
from ownergate.api.routes.fields import AccountId, Cursor, Limit, OverrideId, ReasonText
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.service.pending import ChangeRecord, ChangeState
from ownergate.store import ChangeKind, PendingChange, ReviewOutcome

router = APIRouter(tags=["changes"])

_REVIEW_PROBLEMS = documented_problems(
    **{
        "403": "The role is too low (code `forbidden`), or the approver requested this "
        "change (code `two-person-rule`)",
        "404": "No such change (code `not-found`)",
        "409": "Reviewed already, or the account changed since the request (code `conflict`)",
    }
)


class ChangeReviewOut(ResponseModel):
    reviewer: str
    outcome: ReviewOutcome
    reason: str
    at: dt.datetime


class ChangeOut(ResponseModel):
    """A held write: ``change`` is the account's fields (``kind`` account) or the link
    answer (``kind`` link); ``from_status`` and ``to_status`` the decision it would move
    the account from and to, when it was requested."""

    id: int
    account_id: str
    kind: ChangeKind
    change: dict[str, Any]
    from_status: str
    to_status: str
    requested_by: str
    requested_at: dt.datetime
    state: ChangeState
    review: ChangeReviewOut | None

    @classmethod
    def of(cls, record: ChangeRecord) -> ChangeOut:
        change, review = record.change, record.review
        return cls(
            id=change.id,
            account_id=change.account_id,
            kind=change.kind,
            change=change.change,
            from_status=change.from_status,
            to_status=change.to_status,
            requested_by=change.requested_by,
            requested_at=change.requested_at,
            state=record.state,
            review=None
            if review is None
            else ChangeReviewOut(
                reviewer=review.reviewer, outcome=review.outcome, reason=review.reason, at=review.at
            ),
        )

    @classmethod
    def held(cls, change: PendingChange) -> ChangeOut:
        return cls.of(ChangeRecord(change, None))


def held_response(change: PendingChange) -> JSONResponse:
    """202 Accepted with the held change: nothing was applied."""
    return JSONResponse(ChangeOut.held(change).model_dump(mode="json"), status_code=202)


HELD: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ChangeOut,
        "description": "Held: the write would lift the account's restriction, so it waits "
        "for another analyst's approval (`/v1/changes/{id}/approve`); nothing changed",
    }
}


class ChangeReviewIn(RequestModel):
    reason: ReasonText


class ChangeApplied(ResponseModel):
    """The approved change, and the account's verdict once it was applied."""

    change: ChangeOut
    verdict: VerdictOut
    new_decision: bool


@router.get(
    "/changes",
    dependencies=[require(Role.VIEWER)],
    summary="Changes waiting for a second analyst, oldest first",
)
def waiting_changes(
    services: ServicesDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[ChangeOut]:
    found = services.changes.waiting(after=int(cursor or 0), limit=limit)
    following = str(found[-1].change.id) if len(found) == limit else None
    return Page[ChangeOut](items=[ChangeOut.of(r) for r in found], next_cursor=following)


@router.get(
    "/changes/{change_id}",
    dependencies=[require(Role.VIEWER)],
    summary="A change and its review",
    responses=documented_problems(**{"404": "No such change (code `not-found`)"}),
)
def get_change(change_id: OverrideId, services: ServicesDep) -> ChangeOut:
    return ChangeOut.of(services.changes.get(change_id))


@router.get(
    "/accounts/{account_id}/changes",
    dependencies=[require(Role.VIEWER)],
    summary="The account's held changes, newest first",
    responses=documented_problems(**{"404": "No such account (code `not-found`)"}),
)
def account_changes(account_id: AccountId, services: ServicesDep) -> Page[ChangeOut]:
    return Page[ChangeOut](items=[ChangeOut.of(r) for r in services.changes.list_for(account_id)])


@router.post(
    "/changes/{change_id}/approve",
    summary="Approve a held change, which applies it",
    responses=_REVIEW_PROBLEMS,
)
def approve_change(
    change_id: OverrideId, body: ChangeReviewIn, who: Analyst, services: ServicesDep
) -> ChangeApplied:
    """Applies the change as its requester's write (the account is decided again)."""
    applied = services.changes.approve(change_id, reason=body.reason, actor=who.key_id)
    return ChangeApplied(
        change=ChangeOut.of(applied.record),
        verdict=VerdictOut.of(applied.decision.verdict),
        new_decision=applied.decision.new_decision,
    )


@router.post(
    "/changes/{change_id}/reject",
    summary="Reject a held change",
    responses=_REVIEW_PROBLEMS,
)
def reject_change(
    change_id: OverrideId, body: ChangeReviewIn, who: Analyst, services: ServicesDep
) -> ChangeApplied:
    """Records the answer; the account stays as it is."""
    record = services.changes.reject(change_id, reason=body.reason, actor=who.key_id)
    verdict = services.accounts.verdict(record.change.account_id)
    return ChangeApplied(
        change=ChangeOut.of(record), verdict=VerdictOut.of(verdict), new_decision=False
    )
