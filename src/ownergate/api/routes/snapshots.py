"""Registry snapshots: register one that ``ownergate ingest`` wrote to the data directory,
then activate it by digest. Decisions already stored keep the snapshot they were made on."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import Field, StrictStr

from ownergate.api.access import Admin, require
from ownergate.api.models import RequestModel, ResponseModel
from ownergate.api.openapi import documented_problems
from ownergate.api.routes.fields import SNAPSHOT_NAME_PATTERN, Digest
from ownergate.api.services import Role
from ownergate.api.state import ServicesDep
from ownergate.service import SnapshotRecord

router = APIRouter(prefix="/snapshots", tags=["snapshots"])


class SnapshotIn(RequestModel):
    """The name the snapshot was imported under (``ownergate ingest ... --snapshot NAME``)."""

    name: Annotated[StrictStr, Field(pattern=SNAPSHOT_NAME_PATTERN)]


class SnapshotOut(ResponseModel):
    digest: str
    name: str
    registered_at: dt.datetime
    imported_at: str | None
    counts: dict[str, Any]
    active: bool

    @classmethod
    def of(cls, record: SnapshotRecord) -> SnapshotOut:
        s = record.snapshot
        manifest = s.manifest
        imported = manifest.get("imported_at")
        counts = manifest.get("counts")
        return cls(
            digest=s.digest,
            name=s.name,
            registered_at=s.registered_at,
            imported_at=imported if isinstance(imported, str) else None,
            counts=counts if isinstance(counts, dict) else {},
            active=record.active,
        )


class SnapshotList(ResponseModel):
    items: list[SnapshotOut]


@router.get("", summary="Registered snapshots, oldest first", dependencies=[require(Role.VIEWER)])
def list_snapshots(services: ServicesDep) -> SnapshotList:
    return SnapshotList(items=[SnapshotOut.of(r) for r in services.snapshots.list()])


@router.post(
    "",
    status_code=201,
    summary="Register a snapshot from the data directory",
    responses={
        200: {"model": SnapshotOut, "description": "Registered already"},
        **documented_problems(
            **{
                "404": "No snapshot of that name in the data directory (code `not-found`)",
                "409": "Its digest is registered under another name (code `conflict`)",
            }
        ),
    },
)
def register_snapshot(
    body: SnapshotIn, who: Admin, services: ServicesDep, response: Response
) -> SnapshotOut:
    """Reads the snapshot's manifest; registering it again changes nothing (200)."""
    record, created = services.snapshots.register(body.name, actor=who.key_id)
    if not created:
        response.status_code = 200
    return SnapshotOut.of(record)


@router.post(
    "/{digest}/activate",
    summary="Make a registered snapshot the active one",
    responses=documented_problems(
        **{
            "404": "No snapshot with that digest is registered (code `not-found`)",
            "409": "Its files are not in the data directory (code `conflict`)",
        }
    ),
)
def activate_snapshot(digest: Digest, who: Admin, services: ServicesDep) -> SnapshotOut:
    """New decisions are made on it from now on; the first one loads it."""
    return SnapshotOut.of(services.snapshots.activate(digest, actor=who.key_id))
