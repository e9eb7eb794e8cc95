"""Accounts and their decisions: write an account (which decides it), read it, its current
verdict and its decision history, and decide it again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ownergate.api.access import Analyst, require
from ownergate.api.models import Page, RequestModel, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.changes import HELD, held_response
from ownergate.api.routes.decision_models import DecisionOut, VerdictOut
from ownergate.api.routes.fields import (
    AccountId,
    Amount,
    CountryCode,
    CurrencyCode,
    Cursor,
    EntityRef,
    Lei,
    Limit,
    Name,
)
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.service import AccountDecision, AccountFields
from ownergate.store import Account, AccountStatus

router = APIRouter(prefix="/accounts", tags=["accounts"])

_NOT_FOUND = documented_problems(**{"404": "No such account (code `not-found`)"})
_WRITE_PROBLEMS = documented_problems(
    **{
        "409": "The active policy or snapshot is unusable, e.g. its files are missing "
        "(code `conflict`)",
    }
)


class AccountIn(RequestModel):
    """A customer account as the platform knows it. ``registry_entity_id`` or ``lei`` find
    the organisation in the active snapshot; without a match it is decided on
    ``declared_country`` and the policy's ``unverified`` rule (flagged ``unverified``;
    ``parent_country``, the parent company's country the customer declared, is one of its
    risk signals)."""

    organisation_name: Name
    declared_country: CountryCode
    registry_entity_id: EntityRef | None = None
    lei: Lei | None = None
    annual_revenue: Amount | None = None
    revenue_currency: CurrencyCode | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    parent_country: CountryCode | None = None


class AccountOut(ResponseModel):
    """An account as stored. ``registry_entity_id`` is the one the platform gave, else the
    entity its LEI was found as; the decision says which entity it rests on."""

    id: str
    organisation_name: str
    declared_country: str
    registry_entity_id: str | None
    lei: str | None
    annual_revenue: str | None
    revenue_currency: str | None
    status: AccountStatus
    parent_country: str | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, account: Account) -> AccountOut:
        revenue = account.annual_revenue
        return cls(
            id=account.id,
            organisation_name=account.organisation_name,
            declared_country=account.declared_country,
            registry_entity_id=account.entity_id,
            lei=account.lei,
            annual_revenue=None if revenue is None else format(revenue, "f"),
            revenue_currency=account.revenue_currency,
            status=account.status,
            parent_country=account.parent_country,
            created_at=account.created_at,
            updated_at=account.updated_at,
        )


class AccountDecided(ResponseModel):
    """The account, its verdict, and whether this request appended a new decision (only
    when the outcome changed)."""

    account: AccountOut
    verdict: VerdictOut
    new_decision: bool

    @classmethod
    def of(cls, result: AccountDecision) -> AccountDecided:
        return cls(
            account=AccountOut.of(result.account),
            verdict=VerdictOut.of(result.verdict),
            new_decision=result.new_decision,
        )


@router.put(
    "/{account_id}",
    summary="Create or replace an account, and decide it",
    response_model=AccountDecided,
    responses={
        201: {"model": AccountDecided, "description": "Created"},
        **HELD,
        **_WRITE_PROBLEMS,
    },
)
def put_account(
    account_id: AccountId,
    body: AccountIn,
    who: Analyst,
    services: ServicesDep,
    response: Response,
) -> AccountDecided | JSONResponse:
    """Stores every field (PUT replaces the account), then decides the account under the
    active policy and snapshot; a decision is appended when its outcome differs from the
    current one. 201 when the account is new. A write that would move a restricted account
    to allowed or review is held (202, the pending change) until another analyst approves
    it."""
    fields = AccountFields(
        organisation_name=body.organisation_name,
        declared_country=body.declared_country,
        registry_entity_id=body.registry_entity_id,
        lei=body.lei,
        annual_revenue=None if body.annual_revenue is None else Decimal(body.annual_revenue),
        revenue_currency=body.revenue_currency,
        status=body.status,
        parent_country=body.parent_country,
    )
    result = services.accounts.put(account_id, fields, actor=who.key_id)
    if result.pending is not None:
        return held_response(result.pending)
    if result.created:
        response.status_code = 201
    return AccountDecided.of(result)


@router.get(
    "/{account_id}", summary="An account", responses=_NOT_FOUND, dependencies=[require(Role.VIEWER)]
)
def get_account(account_id: AccountId, services: ServicesDep) -> AccountOut:
    return AccountOut.of(services.accounts.get(account_id))


@router.get(
    "/{account_id}/decision",
    dependencies=[require(Role.VIEWER)],
    summary="The account's current verdict",
    responses=documented_problems(**{"404": "No such account, or not decided yet"}),
)
async def get_decision(
    account_id: AccountId,
    services: ServicesDep,
    evidence: Annotated[bool, Query(description="Include the evidence document")] = False,
) -> VerdictOut:
    """The current decision as stored (nothing is recomputed), the approved override in
    force if any, and the effective status."""
    # The platform asks this on every request: a cached verdict is answered on the event
    # loop, without the hop to a worker thread a store read needs.
    verdict = None if evidence else services.accounts.cached_verdict(account_id)
    if verdict is None:
        verdict = await run_in_threadpool(services.accounts.verdict, account_id, evidence=evidence)
    return VerdictOut.of(verdict)


@router.get(
    "/{account_id}/decisions",
    dependencies=[require(Role.VIEWER)],
    summary="The account's decisions, newest first",
    responses=_NOT_FOUND,
)
def list_decisions(
    account_id: AccountId,
    services: ServicesDep,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[DecisionOut]:
    """Every decision made on the account, each superseding the one after it in this list;
    without evidence (ask ``/decision?evidence=true`` or replay a decision)."""
    records = services.accounts.history(
        account_id, before=None if cursor is None else int(cursor), limit=limit
    )
    more = len(records) == limit
    return Page[DecisionOut](
        items=[DecisionOut.of(r) for r in records],
        next_cursor=str(records[-1].id) if more and records else None,
    )


@router.post(
    "/{account_id}/decide",
    summary="Decide the account again",
    responses={**_NOT_FOUND, **_WRITE_PROBLEMS},
)
def redecide(account_id: AccountId, who: Analyst, services: ServicesDep) -> AccountDecided:
    """Decides the stored account under the active policy and snapshot (after either
    changed); appends a decision only when the outcome differs."""
    return AccountDecided.of(services.accounts.redecide(account_id, actor=who.key_id))
