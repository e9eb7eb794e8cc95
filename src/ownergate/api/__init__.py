"""The HTTP API: ``create_app`` and what routes are built from.

A route declares the role it needs (``require(Role.ANALYST)``, ``Analyst``, ``public()``),
takes and returns ``RequestModel`` / ``ResponseModel`` subclasses, reaches the backends
through ``ServicesDep``, and raises ownergate errors, which ``problems.PROBLEMS`` maps to
problem+json responses.
"""

from __future__ import annotations

from ownergate.api.access import (
    Admin,
    Analyst,
    RouteAccess,
    Viewer,
    public,
    require,
    route_access,
)
from ownergate.api.app import API_PREFIX, create_app
from ownergate.api.errors import AuthenticationError, PermissionDeniedError
from ownergate.api.keycache import KeyCache
from ownergate.api.models import Page, RequestModel, ResourceId, ResponseModel
from ownergate.api.services import Principal, Role, Services
from ownergate.api.state import AppState, KeyCacheDep, ServicesDep, state_of

__all__ = [
    "API_PREFIX",
    "Admin",
    "Analyst",
    "AppState",
    "AuthenticationError",
    "KeyCache",
    "KeyCacheDep",
    "Page",
    "PermissionDeniedError",
    "Principal",
    "RequestModel",
    "ResourceId",
    "ResponseModel",
    "Role",
    "RouteAccess",
    "Services",
    "ServicesDep",
    "Viewer",
    "create_app",
    "public",
    "require",
    "route_access",
    "state_of",
]
