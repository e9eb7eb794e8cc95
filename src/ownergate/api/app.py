"""The app factory: ``create_app(settings, services=...)`` builds the HTTP API."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from ownergate import __version__
from ownergate.api.access import query_parameter_index, route_access
from ownergate.api.fastpath import DecisionFastPath
from ownergate.api.keycache import KeyCache
from ownergate.api.limits import BodySizeLimitMiddleware
from ownergate.api.metrics import HttpMetrics, MetricsMiddleware
from ownergate.api.openapi import complete_openapi
from ownergate.api.problems import install_problem_handlers
from ownergate.api.routes import ROOT_ROUTERS, V1_ROUTERS
from ownergate.api.services import Services
from ownergate.api.state import AppState, state_of
from ownergate.api.wiring import build_services
from ownergate.settings import Settings

API_PREFIX = "/v1"

_DESCRIPTION = """\
Decides whether business customers may use a service under a region policy that looks \
through ownership, and keeps every decision attributable and replayable.

Authenticate with `Authorization: Bearer KEY`. Roles: `viewer` < `analyst` < `admin`; each \
operation names the role it needs in `x-required-role`. Errors are RFC 9457 problem \
documents (`application/problem+json`) with a stable `code`."""


class OwnergateAPI(FastAPI):
    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            self.openapi_schema = complete_openapi(self, super().openapi())
        return self.openapi_schema


def create_app(
    settings: Settings | None = None,
    *,
    services: Services | None = None,
    freeze_gc: bool = False,
) -> FastAPI:
    """The HTTP API over ``services`` (default: built from ``settings``, and closed at
    shutdown). Routers included after this call are served too, and must declare their
    access like the built-in ones: the app refuses to start otherwise. ``freeze_gc``: the
    process is a server of its own (``ownergate serve``), and at start-up the app moves
    what exists to the collector's permanent generation."""
    settings = settings or Settings()
    state = AppState(
        settings=settings,
        services=services if services is not None else build_services(settings),
        key_cache=KeyCache(
            ttl=settings.api_key_cache_seconds, max_entries=settings.api_key_cache_size
        ),
        metrics=HttpMetrics(),
        owns_services=services is None,
        freeze_gc=freeze_gc,
    )
    app = OwnergateAPI(
        title="ownergate",
        version=__version__,
        description=_DESCRIPTION,
        lifespan=_lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.ownergate = state
    for router in ROOT_ROUTERS:
        app.include_router(router)
    for router in V1_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    # Added innermost first: metrics see everything, including refused bodies and crashes.
    app.add_middleware(DecisionFastPath, state=state)
    install_problem_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(MetricsMiddleware, metrics=state.metrics, routes=app.router.routes)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    route_access(app.routes)  # raises ConfigError naming a route without declared access
    state = state_of(app)
    state.query_names.update(query_parameter_index(app.routes))
    if state.freeze_gc:
        # What start-up built (modules, routes, schemas) lives as long as the server: out
        # of the collector's sight, a full collection scans a fraction, and pauses less.
        gc.collect()
        gc.freeze()
    try:
        yield
    finally:
        if state.owns_services:
            await run_in_threadpool(state.services.close)


def create_server_app() -> FastAPI:
    """The app ``ownergate serve`` runs in each server process, from ``OWNERGATE_*``."""
    return create_app(Settings(), freeze_gc=True)
