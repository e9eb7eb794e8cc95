"""Policy versions: create a draft from TOML, publish it (immutable from then on), activate
it. Decisions already stored keep the version they were made under; re-decide accounts
(``POST /v1/accounts/{id}/decide``) to apply a newly active one."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter
from pydantic import AfterValidator, Field, StrictStr

from ownergate.api.access import Admin, require
from ownergate.api.models import RequestModel, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.fields import PolicyVersionNo, encodable
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.service import PolicyRecord

router = APIRouter(prefix="/policies", tags=["policies"])

MAX_TOML_CHARACTERS = 64 * 1024


class PolicyIn(RequestModel):
    """The policy as TOML (the keys of the policy file format; ``version`` may be left out,
    the store numbers drafts). An unknown key or a bad value is a 422 ``invalid-policy``
    whose ``field`` names it."""

    toml: Annotated[
        StrictStr,
        Field(min_length=1, max_length=MAX_TOML_CHARACTERS),
        AfterValidator(encodable),
    ]


class PolicyOut(ResponseModel):
    version: int
    name: str
    effective_from: dt.date | None
    sha256: str = Field(description="SHA-256 of the stored TOML")
    toml: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    published: bool
    active: bool

    @classmethod
    def of(cls, record: PolicyRecord) -> PolicyOut:
        p = record.policy
        return cls(
            version=p.version,
            name=p.name,
            effective_from=p.effective_from,
            sha256=p.sha256,
            toml=p.toml,
            created_at=p.created_at,
            published_at=p.published_at,
            published=p.published,
            active=record.active,
        )


class PolicyList(ResponseModel):
    items: list[PolicyOut]


_NOT_FOUND = documented_problems(**{"404": "No such policy version (code `not-found`)"})


@router.post("", status_code=201, summary="Create a draft policy version")
def create_policy(body: PolicyIn, who: Admin, services: ServicesDep) -> PolicyOut:
    return PolicyOut.of(services.policies.create_draft(body.toml, actor=who.key_id))


@router.get("", summary="Every policy version, oldest first", dependencies=[require(Role.VIEWER)])
def list_policies(services: ServicesDep) -> PolicyList:
    return PolicyList(items=[PolicyOut.of(r) for r in services.policies.list()])


@router.get(
    "/{version}",
    summary="A policy version",
    responses=_NOT_FOUND,
    dependencies=[require(Role.VIEWER)],
)
def get_policy(version: PolicyVersionNo, services: ServicesDep) -> PolicyOut:
    return PolicyOut.of(services.policies.get(version))


@router.post(
    "/{version}/publish",
    summary="Publish a draft",
    responses={
        **_NOT_FOUND,
        **documented_problems(**{"409": "Published already (code `conflict`)"}),
    },
)
def publish_policy(version: PolicyVersionNo, who: Admin, services: ServicesDep) -> PolicyOut:
    """From now on the version cannot change."""
    return PolicyOut.of(services.policies.publish(version, actor=who.key_id))


@router.post(
    "/{version}/activate",
    summary="Make a published version the active one",
    responses={
        **_NOT_FOUND,
        **documented_problems(**{"409": "The version is a draft (code `conflict`)"}),
    },
)
def activate_policy(version: PolicyVersionNo, who: Admin, services: ServicesDep) -> PolicyOut:
    """New decisions are made under it from now on."""
    return PolicyOut.of(services.policies.activate(version, actor=who.key_id))
