"""Overrides: an analyst asks for a verdict on an account, another approves or rejects it.

Allowing an account needs an approver other than the requester (the two-person rule: a
403 with code ``two-person-rule``, whatever the approver's role). A restriction may be
approved by its requester. Every override is bound to the account's decision when it is
requested; an allow override lapses when a later decision is worse or rests on other
evidence, and waits in ``/v1/overrides/reapproval`` for a new one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter
from pydantic import Field

from ownergate.api.access import Analyst, require
from ownergate.api.models import Page, RequestModel, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.decision_models import DecisionOut, OverrideOut
from ownergate.api.routes.fields import (
    MAX_BIGINT,
    AccountId,
    AwareDateTime,
    Cursor,
    Limit,
    OverrideId,
    ReasonText,
)
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.service import ReapprovalItem
from ownergate.store import Verdict

router = APIRouter(tags=["overrides"])


class OverrideIn(RequestModel):
    """``verdict`` on the account, for ``reason``, until ``expires_at`` (required: in the
    future, with a time zone). It is bound to the account's current decision;
    ``decision_id``, when given, must be that decision (409 otherwise: the account was
    decided again since the analyst looked)."""

    verdict: Verdict
    reason: ReasonText
    expires_at: AwareDateTime
    decision_id: Annotated[int, Field(ge=1, le=MAX_BIGINT)] | None = None


class ReapprovalOut(ResponseModel):
    """A lapsed override: the decision it was bound to, the decision that made it lapse
    (``lapsed_on``) and the account's decision now."""

    lapse_id: int
    override: OverrideOut
    bound: DecisionOut | None
    current: DecisionOut
    lapsed_at: dt.datetime
    lapsed_on: int | None

    @classmethod
    def of(cls, item: ReapprovalItem) -> ReapprovalOut:
        return cls(
            lapse_id=item.lapse_id,
            override=OverrideOut.of(item.override),
            bound=None if item.bound is None else DecisionOut.of(item.bound),
            current=DecisionOut.of(item.current),
            lapsed_at=item.lapsed_at,
            lapsed_on=item.lapsed_on,
        )


class ReviewIn(RequestModel):
    reason: ReasonText


_REVIEW_PROBLEMS = documented_problems(
    **{
        "403": "The role is too low (code `forbidden`), or the approver requested this "
        "allow override (code `two-person-rule`)",
        "404": "No such override (code `not-found`)",
        "409": "Reviewed already, or expired, or (approving an allow override) the account "
        "was decided again on other evidence since it was requested (code `conflict`)",
    }
)


@router.post(
    "/accounts/{account_id}/overrides",
    status_code=201,
    summary="Ask for an override",
    responses=documented_problems(
        **{
            "404": "No such account (code `not-found`)",
            "409": "The account has no decision, or `decision_id` is not its current one "
            "(code `conflict`)",
        }
    ),
)
def request_override(
    account_id: AccountId, body: OverrideIn, who: Analyst, services: ServicesDep
) -> OverrideOut:
    """Pending until another analyst approves it (or anyone rejects it); bound to the
    account's current decision."""
    record = services.overrides.request(
        account_id,
        verdict=body.verdict,
        reason=body.reason,
        expires_at=body.expires_at,
        actor=who.key_id,
        decision_id=body.decision_id,
    )
    return OverrideOut.of(record)


@router.get(
    "/overrides/reapproval",
    dependencies=[require(Role.VIEWER)],
    summary="Lapsed overrides waiting for re-approval",
)
def reapproval_queue(
    services: ServicesDep, cursor: Cursor = None, limit: Limit = 50
) -> Page[ReapprovalOut]:
    """Allow overrides that lapsed because the account's decision got worse or rested on
    other evidence, oldest first; an account leaves the queue when a new override is
    requested on it (on its current decision)."""
    page = services.overrides.reapproval_queue(
        after=None if cursor is None else int(cursor), limit=limit
    )
    return Page[ReapprovalOut](
        items=[ReapprovalOut.of(item) for item in page.items],
        next_cursor=None if page.next_after is None else str(page.next_after),
    )


@router.get(
    "/accounts/{account_id}/overrides",
    dependencies=[require(Role.VIEWER)],
    summary="The account's overrides, newest first",
    responses=documented_problems(**{"404": "No such account (code `not-found`)"}),
)
def list_overrides(account_id: AccountId, services: ServicesDep) -> Page[OverrideOut]:
    return Page[OverrideOut](
        items=[OverrideOut.of(r) for r in services.overrides.list_for(account_id)]
    )


@router.post(
    "/overrides/{override_id}/approve",
    summary="Approve a pending override",
    responses=_REVIEW_PROBLEMS,
)
def approve_override(
    override_id: OverrideId, body: ReviewIn, who: Analyst, services: ServicesDep
) -> OverrideOut:
    """From now until it expires the override decides the account's effective status."""
    return OverrideOut.of(
        services.overrides.approve(override_id, reason=body.reason, actor=who.key_id)
    )


@router.post(
    "/overrides/{override_id}/reject",
    summary="Reject a pending override",
    responses=_REVIEW_PROBLEMS,
)
def reject_override(
    override_id: OverrideId, body: ReviewIn, who: Analyst, services: ServicesDep
) -> OverrideOut:
    return OverrideOut.of(
        services.overrides.reject(override_id, reason=body.reason, actor=who.key_id)
    )
