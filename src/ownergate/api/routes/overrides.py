"""Overrides: an analyst asks for a verdict on an account, another approves or rejects it.

Allowing an account needs an approver other than the requester (the two-person rule: a
403 with code ``two-person-rule``, whatever the approver's role). A restriction may be
approved by its requester.
"""

from __future__ import annotations

from fastapi import APIRouter

from ownergate.api.access import Analyst, require
from ownergate.api.models import Page, RequestModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.decision_models import OverrideOut
from ownergate.api.routes.fields import AccountId, AwareDateTime, OverrideId, ReasonText
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.store import Verdict

router = APIRouter(tags=["overrides"])


class OverrideIn(RequestModel):
    """``verdict`` on the account, for ``reason``, until ``expires_at`` (in the future, with
    a time zone)."""

    verdict: Verdict
    reason: ReasonText
    expires_at: AwareDateTime


class ReviewIn(RequestModel):
    reason: ReasonText


_REVIEW_PROBLEMS = documented_problems(
    **{
        "403": "The role is too low (code `forbidden`), or the approver requested this "
        "allow override (code `two-person-rule`)",
        "404": "No such override (code `not-found`)",
        "409": "Reviewed already, or expired (code `conflict`)",
    }
)


@router.post(
    "/accounts/{account_id}/overrides",
    status_code=201,
    summary="Ask for an override",
    responses=documented_problems(**{"404": "No such account (code `not-found`)"}),
)
def request_override(
    account_id: AccountId, body: OverrideIn, who: Analyst, services: ServicesDep
) -> OverrideOut:
    """Pending until another analyst approves it (or anyone rejects it)."""
    record = services.overrides.request(
        account_id,
        verdict=body.verdict,
        reason=body.reason,
        expires_at=body.expires_at,
        actor=who.key_id,
    )
    return OverrideOut.of(record)


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
