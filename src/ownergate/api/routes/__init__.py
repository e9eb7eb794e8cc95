"""The routers ``create_app`` includes: operational ones at the root, the API under ``/v1``.

A new group of routes is a module here with its own ``router``, added to ``V1_ROUTERS``.
"""

from __future__ import annotations

from fastapi import APIRouter

from ownergate.api.routes import (
    accounts,
    audit,
    changes,
    decisions,
    gate,
    links,
    overrides,
    policies,
    screen,
    snapshots,
    system,
)

ROOT_ROUTERS: tuple[APIRouter, ...] = (system.router,)
V1_ROUTERS: tuple[APIRouter, ...] = (
    screen.router,
    accounts.router,
    overrides.router,
    links.router,
    changes.router,
    decisions.router,
    policies.router,
    snapshots.router,
    audit.router,
    gate.router,
)
