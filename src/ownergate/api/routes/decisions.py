"""Replaying a stored decision on the policy version and snapshot it pins."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter

from ownergate.api.access import require
from ownergate.api.models import ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.decision_models import DecisionOut
from ownergate.api.routes.fields import DecisionId
from ownergate.api.routes.screen import ScreenOut
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep

router = APIRouter(prefix="/decisions", tags=["decisions"])


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
