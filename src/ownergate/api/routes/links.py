"""The entity-link review queue: accounts the resolver could not link with confidence, and
analysts' answers on them.

An answer is applied at once (the account is decided again on it), so confirm and reject
return the account's new verdict beside the review. Answers are final for the pair: an
entity rejected for an account cannot be confirmed for it later (409).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from ownergate.api.access import Analyst, require
from ownergate.api.models import Page, RequestModel, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.changes import HELD, held_response
from ownergate.api.routes.decision_models import VerdictOut
from ownergate.api.routes.fields import AccountId, EntityRef, Limit, ReasonText
from ownergate.api.services import Principal, Role, Services
from ownergate.api.state import ServicesDep
from ownergate.errors import InputError
from ownergate.service import ReviewAnswer
from ownergate.store import EntityLink, LinkOutcome, LinkReview, LinkVerdict

router = APIRouter(tags=["links"])

# The queue is in account id order, so its cursor is an account id, not a number like the
# other lists' cursors.
AccountCursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        description="The `next_cursor` of the previous page",
    ),
]

_NOT_FOUND = documented_problems(**{"404": "No such account (code `not-found`)"})
_ANSWER_PROBLEMS = {
    **HELD,
    **documented_problems(
        **{
            "404": "No such account (code `not-found`)",
            "409": "The entity was rejected for this account before: a rejection is final "
            "(code `conflict`); or the active policy or snapshot is unusable",
        }
    ),
}


class CandidateOut(ResponseModel):
    """A candidate entity; ``country_mismatch`` when it is not in the account's declared
    country (its score is lowered for that, and it is never linked without an analyst)."""

    entity_id: str
    score: float
    name: str
    country: str | None = None
    country_mismatch: bool = False


class LinkOut(ResponseModel):
    """An account's current resolution against the registry. ``outcome``: linked (to
    ``entity_id``), review (waiting for an analyst; ``candidates`` best first) or unmatched.
    ``method`` says how it was found (e.g. ``name``, or ``confirmed`` by an analyst)."""

    account_id: str
    subject_name: str
    subject_country: str
    outcome: LinkOutcome
    method: str
    score: float
    entity_id: str | None
    candidates: list[CandidateOut]
    snapshot_digest: str | None
    resolved_at: dt.datetime

    @classmethod
    def of(cls, link: EntityLink) -> LinkOut:
        return cls(
            account_id=link.account_id,
            subject_name=link.subject_name,
            subject_country=link.subject_country,
            outcome=link.outcome,
            method=link.method,
            score=link.score,
            entity_id=link.entity_id,
            candidates=[_candidate(c) for c in link.candidates],
            snapshot_digest=link.snapshot_digest,
            resolved_at=link.resolved_at,
        )


def _candidate(stored: dict[str, Any]) -> CandidateOut:
    # Candidates are a JSON column written by the resolver: read them leniently, so a row
    # from an older resolver (no name) still serves.
    return CandidateOut(
        entity_id=str(stored.get("entity_id", "")),
        score=float(stored.get("score", 0.0)),
        name=str(stored.get("name") or ""),
        country=None if stored.get("country") is None else str(stored.get("country")),
        country_mismatch=bool(stored.get("country_mismatch", False)),
    )


class LinkReviewOut(ResponseModel):
    """An analyst's answer on linking the account to ``entity_id``."""

    id: int
    entity_id: str
    verdict: LinkVerdict
    reviewer: str
    reason: str
    at: dt.datetime

    @classmethod
    def of(cls, review: LinkReview) -> LinkReviewOut:
        return cls.model_validate(review)


class ReviewQueuePage(Page[LinkOut]):
    """A page of the queue; ``total`` counts every account waiting, not only this page's."""

    total: int


class AccountLinkOut(ResponseModel):
    """The account's current link (null before it was ever resolved) and every answer given
    on it, oldest first."""

    account_id: str
    link: LinkOut | None
    reviews: list[LinkReviewOut]


class LinkAnswerIn(RequestModel):
    entity_id: EntityRef
    reason: ReasonText


class LinkAnswerOut(ResponseModel):
    """The review recorded, the account's link after it, and the account's verdict once
    decided again on that link (``new_decision``: whether the outcome changed)."""

    review: LinkReviewOut
    link: LinkOut | None
    verdict: VerdictOut
    new_decision: bool

    @classmethod
    def of(cls, answer: ReviewAnswer) -> LinkAnswerOut:
        assert answer.review is not None  # a held answer is a 202 with its change
        return cls(
            review=LinkReviewOut.of(answer.review),
            link=None if answer.link is None else LinkOut.of(answer.link),
            verdict=VerdictOut.of(answer.decision.verdict),
            new_decision=answer.decision.new_decision,
        )


@router.get(
    "/links/review",
    summary="Accounts waiting for a link review, by account id",
    dependencies=[require(Role.VIEWER)],
)
def review_queue(
    services: ServicesDep,
    cursor: AccountCursor = None,
    limit: Limit = 50,
    outcome: Annotated[
        LinkOutcome | None,
        Query(description="Only `review` (candidates to choose) or `unmatched` (none found)"),
    ] = None,
) -> ReviewQueuePage:
    """Accounts whose name matched several registry entities, or one without confidence
    (``review``), or none at all (``unmatched``: decided as unverified); answer each with
    ``/v1/accounts/{account_id}/link/confirm`` or ``/reject``."""
    if outcome is LinkOutcome.LINKED:
        raise InputError(
            "linked accounts wait for no one: ask review or unmatched", field="outcome"
        )
    page = services.links.queue(after=cursor, limit=limit, outcome=outcome)
    return ReviewQueuePage(
        items=[LinkOut.of(link) for link in page.links],
        next_cursor=page.next_after,
        total=page.total,
    )


@router.get(
    "/accounts/{account_id}/link",
    dependencies=[require(Role.VIEWER)],
    summary="The account's registry link and its reviews",
    responses=_NOT_FOUND,
)
def get_link(account_id: AccountId, services: ServicesDep) -> AccountLinkOut:
    link, reviews = services.links.link(account_id)
    return AccountLinkOut(
        account_id=account_id,
        link=None if link is None else LinkOut.of(link),
        reviews=[LinkReviewOut.of(r) for r in reviews],
    )


@router.post(
    "/accounts/{account_id}/link/confirm",
    summary="Confirm the account is a registry entity",
    response_model=LinkAnswerOut,
    responses=_ANSWER_PROBLEMS,
)
def confirm_link(
    account_id: AccountId, body: LinkAnswerIn, who: Analyst, services: ServicesDep
) -> LinkAnswerOut | JSONResponse:
    """Links the account to ``entity_id`` (which must be in the active snapshot, else a 422
    naming it) and decides it again on that entity; later screens keep the link."""
    return _answer(services, who, account_id, body, LinkVerdict.CONFIRM)


@router.post(
    "/accounts/{account_id}/link/reject",
    summary="Reject a registry entity for the account",
    response_model=LinkAnswerOut,
    responses=_ANSWER_PROBLEMS,
)
def reject_link(
    account_id: AccountId, body: LinkAnswerIn, who: Analyst, services: ServicesDep
) -> LinkAnswerOut | JSONResponse:
    """Drops ``entity_id`` from the account's candidates (unlinking it if it was linked
    there) and decides it again; no later screen links the account to it."""
    return _answer(services, who, account_id, body, LinkVerdict.REJECT)


def _answer(
    services: Services,
    who: Principal,
    account_id: str,
    body: LinkAnswerIn,
    verdict: LinkVerdict,
) -> LinkAnswerOut | JSONResponse:
    answer = services.links.answer(
        account_id, body.entity_id, verdict, body.reason, actor=who.key_id
    )
    if answer.pending is not None:
        return held_response(answer.pending)
    return LinkAnswerOut.of(answer)
