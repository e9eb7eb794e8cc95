"""The audit log: every write to the store, who made it and the state it left, in order;
and whether the hash chain over it holds.

Admin only: the entries name every principal and what each did (and the hashes of API key
secrets), which is more than a viewer needs to read decisions.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query

from ownergate.api.access import require
from ownergate.api.models import Page, ResponseModel
from ownergate.api.routes.fields import Cursor, Limit
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.store import AuditEntry, AuditReport

router = APIRouter(prefix="/audit", tags=["audit"])


class AuditEntryOut(ResponseModel):
    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            payload=json.loads(entry.payload),
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class ChainOut(ResponseModel):
    """``ok`` when every row still hashes to its chain; else the first bad row and why.
    ``head_seq``/``head_hash`` are the anchor to record elsewhere."""

    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None

    @classmethod
    def of(cls, report: AuditReport) -> ChainOut:
        return cls(
            ok=report.ok,
            rows=report.rows,
            head_seq=report.head.seq,
            head_hash=report.head.hash,
            first_bad_seq=report.first_bad_seq,
            problem=report.problem,
        )


ObjectFilter = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$")]


@router.get("", summary="Audit log entries, oldest first", dependencies=[require(Role.ADMIN)])
def list_entries(
    services: ServicesDep,
    cursor: Cursor = None,
    limit: Limit = 100,
    object_type: ObjectFilter = None,
    object_id: ObjectFilter = None,
    account: ObjectFilter = None,
) -> Page[AuditEntryOut]:
    """Entries after ``cursor`` (a sequence number), optionally of one object, e.g.
    ``object_type=account&object_id=acct-1``, or every entry about one account
    (``account=acct-1``: the account, its decisions, links, overrides, reviews, lapses and
    gate requests). Admin only: the entries name every principal and what each did."""
    entries = services.audit.entries(
        after_seq=0 if cursor is None else int(cursor),
        limit=limit,
        object_type=object_type,
        object_id=object_id,
        account_id=account,
    )
    more = len(entries) == limit
    return Page[AuditEntryOut](
        items=[AuditEntryOut.of(e) for e in entries],
        next_cursor=str(entries[-1].seq) if more and entries else None,
    )


@router.get(
    "/chain", summary="Check the audit log's hash chain", dependencies=[require(Role.ADMIN)]
)
def chain(services: ServicesDep) -> ChainOut:
    """Recomputes every row's hash (reads the whole log)."""
    return ChainOut.of(services.audit.chain())
