"""Screening an organisation on the fly: a decision with evidence, stored nowhere."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from ownergate.api.access import require
from ownergate.api.models import RequestModel, ResponseModel, StrictBool
from ownergate.api.routes.fields import CountryCode, EntityRef, Lei, Name, ShareText
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.domain.model import Basis, Reason, Status
from ownergate.service import Decided, InlineHolding, Subject
from ownergate.service.screening import MAX_INLINE_HOLDINGS

router = APIRouter(tags=["screening"])


class HoldingIn(RequestModel):
    """A stake in the organisation held by ``owner``, an entity id of the active snapshot:
    ``share``, or ``share_min`` and ``share_max`` (bounds exclusive when flagged); neither
    means a stake of unknown size."""

    owner: EntityRef
    share: ShareText | None = None
    share_min: ShareText | None = None
    share_max: ShareText | None = None
    min_exclusive: StrictBool = False
    max_exclusive: StrictBool = False
    basis: Basis = Basis.EQUITY


class OrganisationIn(RequestModel):
    """An organisation: looked up in the active snapshot by ``registry_id`` or ``lei``, then
    looked through its inline ``holdings``; found nowhere and given no holdings, it is decided
    on ``country`` alone (flagged ``unverified``)."""

    name: Name
    country: CountryCode
    registry_id: EntityRef | None = None
    lei: Lei | None = None
    holdings: Annotated[list[HoldingIn], Field(max_length=MAX_INLINE_HOLDINGS)] = []


class ScreenOut(ResponseModel):
    """A computed decision. ``entity_id`` is the registry entity it rests on (null when the
    organisation was found in no registry); ``flags``: ``unverified`` (no registry entity),
    ``inline`` (inline holdings counted)."""

    status: Status
    reason: Reason
    share_min: float
    share_max: float
    method: str
    entity_id: str | None
    flags: list[str]
    policy_version: int
    snapshot_digest: str | None
    as_of: dt.date
    evidence: dict[str, Any]

    @classmethod
    def of(cls, decided: Decided) -> ScreenOut:
        return cls(
            status=decided.status,
            reason=decided.reason,
            share_min=decided.share_min,
            share_max=decided.share_max,
            method=decided.method,
            entity_id=decided.entity_id,
            flags=list(decided.flags),
            policy_version=decided.pair.policy_version,
            snapshot_digest=decided.pair.snapshot_digest,
            as_of=decided.as_of,
            evidence=decided.evidence,
        )


@router.post(
    "/screen",
    summary="Screen an organisation (nothing is stored)",
    dependencies=[require(Role.ANALYST)],
)
def screen(body: OrganisationIn, services: ServicesDep) -> ScreenOut:
    """Decides the organisation under the active policy and snapshot and returns the
    decision with its evidence. Stateless: no account, decision or audit row is written;
    use ``PUT /v1/accounts/{id}`` to keep a decision."""
    subject = Subject(body.name, body.country, body.registry_id, body.lei)
    holdings = [
        InlineHolding(
            owner=h.owner,
            share=h.share,
            share_min=h.share_min,
            share_max=h.share_max,
            min_exclusive=h.min_exclusive,
            max_exclusive=h.max_exclusive,
            basis=h.basis,
        )
        for h in body.holdings
    ]
    return ScreenOut.of(services.screening.screen(subject, holdings))
