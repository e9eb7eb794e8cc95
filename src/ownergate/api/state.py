"""What one app instance holds (settings, services, key cache, metrics) and how a route
reaches it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, cast

from fastapi import Depends, Request
from starlette.applications import Starlette

from ownergate.api.keycache import KeyCache
from ownergate.api.metrics import HttpMetrics
from ownergate.api.services import Services
from ownergate.settings import Settings


@dataclass(frozen=True, slots=True)
class AppState:
    settings: Settings
    services: Services
    key_cache: KeyCache
    metrics: HttpMetrics
    # Services the app built itself are closed at shutdown; given ones belong to the caller.
    owns_services: bool
    # The process is a dedicated server: freeze the collector's view at start-up.
    freeze_gc: bool = False
    # The query parameters each route declares, by id() of the route (which the app holds).
    query_names: dict[int, frozenset[str]] = field(default_factory=dict)


def state_of(app: Starlette) -> AppState:
    """The state of an app made by ``create_app``; ``state_of(app).key_cache.evict(key_id)``
    is the revocation hook."""
    return cast(AppState, app.state.ownergate)


# Dependencies are async so FastAPI does not hop to a worker thread for a getattr.
async def current_state(request: Request) -> AppState:
    return state_of(request.app)


async def current_services(request: Request) -> Services:
    return state_of(request.app).services


async def current_key_cache(request: Request) -> KeyCache:
    return state_of(request.app).key_cache


ServicesDep = Annotated[Services, Depends(current_services)]
KeyCacheDep = Annotated[KeyCache, Depends(current_key_cache)]
