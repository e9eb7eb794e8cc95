"""The current decisions of the customer base, and replaying a stored decision on the
policy version and snapshot it pins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from ownergate.api.access import require
from ownergate.api.models import Page, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.decision_models import DecisionOut
from ownergate.api.routes.fields import DecisionId, Limit
from ownergate.api.routes.screen import ScreenOut
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.domain.model import Status
from ownergate.service import CurrentDecision

router = APIRouter(prefix="/decisions", tags=["decisions"])

AccountCursor = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
        description="The `next_cursor` of the previous page (an account id)",
    ),
]
FlagFilter = Annotated[
    str | None,
    Query(
        pattern=r"^[a-z_]{1,40}$",
        description="Only decisions with this flag, e.g. `unverified`, `link_review`",
    ),
]


class CurrentDecisionOut(ResponseModel):
    """An account's current decision, with its name and effective status (the override
    in force, if any); ``chain``: the seed path as text, seed first."""

    account_id: str
    organisation_name: str
    declared_country: str
    effective_status: Status
    override_id: int | None
    chain: str
    decision: DecisionOut

    @classmethod
    def of(cls, item: CurrentDecision) -> CurrentDecisionOut:
        return cls(
            account_id=item.account_id,
            organisation_name=item.organisation_name,
            declared_country=item.declared_country,
            effective_status=item.effective_status,
            override_id=item.override_id,
            chain=item.chain,
            decision=DecisionOut.of(item.decision),
        )


@router.get(
    "",
    dependencies=[require(Role.VIEWER)],
    summary="The current decision of every account, by account id",
)
def list_current(
    services: ServicesDep,
    cursor: AccountCursor = None,
    limit: Limit = 100,
    status: Annotated[Status | None, Query(description="Only this decided status")] = None,
    flag: FlagFilter = None,
    effective: Annotated[
        Status | None, Query(description="Only this effective status (after overrides)")
    ] = None,
) -> Page[CurrentDecisionOut]:
    """Every active account's newest decision, in account id order; ``flag=unverified``
    lists the accounts found in no registry entity."""
    page = services.decisions.page(
        after=cursor, limit=limit, status=status, flag=flag, effective=effective
    )
    return Page[CurrentDecisionOut](
        items=[CurrentDecisionOut.of(item) for item in page.items],
        next_cursor=page.next_after,
    )


class ReplayOut(ResponseModel):
    """The stored decision and the one recomputed as of the day it was computed (``as_of``)
    on the same policy version and snapshot; ``same`` when status, reason and shares agree."""

    same: bool
    as_of: dt.date
    stored: DecisionOut
    replayed: ScreenOut


@router.get(
    "/{decision_id}/replay",
    dependencies=[require(Role.VIEWER)],
    summary="Recompute a stored decision and compare",
    responses=documented_problems(
        **{
            "404": "No such decision (code `not-found`)",
            "409": "The snapshot's files are no longer in the data directory (code `conflict`)",
        }
    ),
)
def replay(decision_id: DecisionId, services: ServicesDep) -> ReplayOut:
    """Reads the decision's pinned policy version and snapshot, whatever is active now."""
    report = services.replays.replay(decision_id)
    return ReplayOut(
        same=report.same,
        as_of=report.as_of,
        stored=DecisionOut.of(report.decision),
        replayed=ScreenOut.of(report.replayed),
    )
