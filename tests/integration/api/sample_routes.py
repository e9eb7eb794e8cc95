"""Test-only routes that exercise the framework the way real routes will: bodies of every
common type, path and query parameters, each role, and every mapped error."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from ownergate.api import (
    Admin,
    Analyst,
    Page,
    RequestModel,
    ResourceId,
    ResponseModel,
    Viewer,
)
from ownergate.api.models import IsoDate, StrictInt, StrictStr
from ownergate.api.openapi import documented_problems
from ownergate.errors import (
    ConfigError,
    ConvergenceError,
    GraphError,
    InputError,
    OwnergateError,
    PolicyError,
    UnknownEntityError,
)
from ownergate.store import ConflictError, NotFoundError, PermissionDeniedError


class SampleIn(RequestModel):
    name: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    count: Annotated[StrictInt, Field(ge=0, le=1000)]
    kind: Literal["company", "person"] = "company"
    as_of: IsoDate | None = None
    tags: Annotated[list[Annotated[StrictStr, Field(max_length=20)]], Field(max_length=10)] = []


class Sample(ResponseModel):
    id: str
    name: str
    count: int
    kind: Literal["company", "person"]
    as_of: dt.date | None
    tags: list[str]


def sample_router() -> APIRouter:
    """A router over its own dict: POST (analyst), GET (viewer), PUT and DELETE (admin)."""
    router = APIRouter(prefix="/samples", tags=["samples (test only)"])
    samples: dict[str, Sample] = {}
    ids = itertools.count(1)
    not_found = documented_problems(**{"404": "No such sample (code `unknown-entity`)"})

    def get_or_404(sample_id: str) -> Sample:
        if sample_id not in samples:
            raise UnknownEntityError(f"no sample {sample_id!r}")
        return samples[sample_id]

    @router.post("", status_code=201, summary="Create a sample")
    def create(body: SampleIn, _who: Analyst) -> Sample:
        sample = Sample(id=f"s{next(ids)}", **body.model_dump())
        samples[sample.id] = sample
        return sample

    @router.get("", summary="List samples")
    def list_samples(_who: Viewer, limit: Annotated[int, Query(ge=1, le=100)] = 10) -> Page[Sample]:
        return Page[Sample](items=list(samples.values())[:limit])

    @router.get("/{sample_id}", summary="Get a sample", responses=not_found)
    def get(sample_id: ResourceId, _who: Viewer) -> Sample:
        return get_or_404(sample_id)

    @router.put("/{sample_id}", summary="Replace a sample")
    def put(sample_id: ResourceId, body: SampleIn, _who: Admin) -> Sample:
        samples[sample_id] = Sample(id=sample_id, **body.model_dump())
        return samples[sample_id]

    @router.delete("/{sample_id}", status_code=204, summary="Delete a sample", responses=not_found)
    def delete(sample_id: ResourceId, _who: Admin) -> Response:
        get_or_404(sample_id)
        del samples[sample_id]
        return Response(status_code=204)

    return router


FAULTS: dict[str, Exception] = {
    "input": InputError(
        "'CHN' is not a country code", file="/srv/secret/path.csv", record="line 7", field="country"
    ),
    "policy": PolicyError("threshold must be in (0, 1]", field="threshold"),
    "unknown-entity": UnknownEntityError("no entity 'E42'"),
    "graph": GraphError("not country codes: XX"),
    "convergence": ConvergenceError("solve failed in component 7 at /srv/secret"),
    "config": ConfigError("snapshot 'may' exists already; snapshots are immutable"),
    "not-found": NotFoundError("no account 'acct-9'"),
    "conflict": ConflictError("policy version 2 is published already"),
    "two-person-rule": PermissionDeniedError("key:a requested override 3: ask another"),
    "ownergate": OwnergateError("an unmapped ownergate error at /srv/secret"),
    "crash": RuntimeError("secret: password=hunter2"),
}


def fault_router() -> APIRouter:
    """GET /faults/{kind} raises ``FAULTS[kind]``; POST /faults/echo takes a strict body."""
    router = APIRouter(prefix="/faults", tags=["faults (test only)"])

    @router.get("/{kind}")
    def raise_fault(kind: str, _who: Viewer) -> None:
        raise FAULTS[kind]

    @router.post("/echo")
    async def echo(body: SampleIn, _who: Viewer) -> SampleIn:
        return body

    return router
