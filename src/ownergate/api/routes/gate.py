"""``POST /v1/gate``: one verdict for one request of the platform's, from the account's
ownership decision and where the request comes from.

``allow``, ``challenge`` (ask for more: step-up verification, a human look) or ``deny``, with
every gate rule that matched as a reason and the signals it rests on. The rules are the
active policy's ``[gate]`` section. Verdicts other than allow are journalled to disk before
the reply (``audited``, ``audit: durable``) and written to the audit log, attributed to the
calling key; a sample of the allows is queued for it (``audit: best-effort``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from ownergate.api.access import Viewer
from ownergate.api.models import RequestModel, ResourceId, ResponseModel, StrictStr
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.fields import CountryCode
from ownergate.api.state import ServicesDep
from ownergate.policy.gate import Action
from ownergate.service.gate import GateRequest, GateVerdict
from ownergate.service.gate_audit import AuditState

router = APIRouter(tags=["gate"])

IpText = Annotated[StrictStr, Field(min_length=1, max_length=64, description="IPv4 or IPv6")]
Locale = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.@-]+$",
        description="BCP 47 tag or POSIX locale, e.g. zh-Hans-CN or ru_RU.UTF-8",
    ),
]


class GateIn(RequestModel):
    """The request to gate: the account it acts for (omit when not known: such a request is
    gated as an undecided account), the client's IP address, and what the request claims."""

    account_id: ResourceId | None = None
    ip: IpText
    declared_country: CountryCode | None = None
    locale: Locale | None = None
    payment_country: CountryCode | None = None


class ReasonOut(ResponseModel):
    rule: str
    action: Action
    reason: str


class SourceAnswer(ResponseModel):
    source: str
    country: str


class IpFlag(ResponseModel):
    name: str
    source: str


class IpOut(ResponseModel):
    """The IP address as the gate saw it: the chosen country and every source's answer
    (sources disagree; ``disputed`` says so), the AS and the anonymiser flags."""

    ip: str
    country: str | None
    country_source: str | None
    country_sources: list[SourceAnswer]
    disputed: bool
    asn: int | None
    as_org: str | None
    flags: list[IpFlag]


class GateOut(ResponseModel):
    action: Action
    reasons: list[ReasonOut]
    account_id: str | None
    account_status: str = Field(description="allowed, restricted, review or unknown")
    account_flags: list[str]
    decision_id: int | None
    override_id: int | None
    account_country: str | None
    ip: IpOut | None
    claimed_countries: list[str]
    policy_version: int
    rules_version: int
    audited: bool = Field(
        description="On record in a way that survives a crash of the server (a deny or "
        "challenge journalled to disk before this reply)"
    )
    audit: AuditState = Field(
        description="durable (on disk), best-effort (a sampled allow, queued in memory), "
        "none (an allow outside the sample), failed (a refusal that could not be put on "
        "record: the journal is full or unwritable)"
    )
    audit_id: str | None = Field(description="The audit row's id, in its payload")

    @classmethod
    def of(cls, verdict: GateVerdict) -> GateOut:
        info = verdict.ip
        return cls(
            action=verdict.action,
            reasons=[
                ReasonOut(rule=r.name, action=r.action, reason=r.reason) for r in verdict.reasons
            ],
            account_id=verdict.request.account_id,
            account_status=verdict.account_status,
            account_flags=list(verdict.account_flags),
            decision_id=verdict.decision_id,
            override_id=verdict.override_id,
            account_country=verdict.account_country,
            ip=None
            if info is None
            else IpOut(
                ip=info.ip,
                country=info.country,
                country_source=info.country_source,
                country_sources=[
                    SourceAnswer(source=a.source, country=a.country) for a in info.country_sources
                ],
                disputed=info.disputed,
                asn=info.asn,
                as_org=info.as_org,
                flags=[IpFlag(name=f.name, source=f.source) for f in info.flags],
            ),
            claimed_countries=list(verdict.claimed),
            policy_version=verdict.policy_version,
            rules_version=verdict.rules_version,
            audited=verdict.audited,
            audit=verdict.audit,
            audit_id=verdict.audit_id,
        )


@router.post(
    "/gate",
    summary="Gate one request",
    responses=documented_problems(
        **{"422": "A malformed field, e.g. an IP address that is neither IPv4 nor IPv6"}
    ),
)
async def gate(body: GateIn, who: Viewer, services: ServicesDep) -> GateOut:
    """Answers from memory when the account's verdict is cached (the usual case), else
    reads the store. Needs only the viewer role: it decides nothing, and what it records
    is the audit trail of the caller's own requests."""
    request = GateRequest(
        account_id=body.account_id,
        ip=body.ip,
        declared_country=body.declared_country,
        locale=body.locale,
        payment_country=body.payment_country,
    )
    gate = services.gate
    verdict = gate.check_cached(request, actor=who.key_id)
    if verdict is None:
        verdict = await run_in_threadpool(gate.check, request, actor=who.key_id)
    elif verdict.audit is AuditState.DUE:  # a refusal: on disk before the reply says so
        verdict = await run_in_threadpool(gate.finish, verdict)
    return GateOut.of(verdict)
