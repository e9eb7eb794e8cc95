"""Operational routes: liveness, readiness and Prometheus metrics; no API key needed, so
probes and scrapers work without one (they reveal no data, only counts and route names)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Literal

from anyio import fail_after, to_thread
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

from ownergate.api.access import public
from ownergate.api.models import ResponseModel
from ownergate.api.state import state_of

log = logging.getLogger("ownergate.api")

# A dependency slower than this counts as down: a probe must answer quickly.
READY_TIMEOUT_SECONDS = 2.0

router = APIRouter(tags=["operations"], dependencies=[public()])


class Health(ResponseModel):
    status: Literal["ok"] = "ok"


class Readiness(ResponseModel):
    status: Literal["ready", "unready"]
    checks: dict[str, Literal["up", "down"]]


@router.get("/healthz", summary="The process is up")
async def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    summary="Every dependency answers",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "A dependency is down"}},
)
async def readyz(request: Request) -> JSONResponse:
    checks = await _checks(request)
    ready = all(checks.values())
    body = Readiness(
        status="ready" if ready else "unready",
        checks={name: "up" if ok else "down" for name, ok in checks.items()},
    )
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


async def _checks(request: Request) -> Mapping[str, bool]:
    services = state_of(request.app).services
    try:
        with fail_after(READY_TIMEOUT_SECONDS):
            # Abandoned, not awaited, on timeout: a hung database must not hang the probe.
            return dict(await to_thread.run_sync(services.ready, abandon_on_cancel=True))
    except TimeoutError:
        log.warning("readiness check took over %s s", READY_TIMEOUT_SECONDS)
        return {"services": False}
    except Exception:
        log.exception("readiness check failed")
        return {"services": False}


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics(request: Request) -> Response:
    body, content_type = state_of(request.app).metrics.exposition()
    return Response(body, media_type=content_type)
