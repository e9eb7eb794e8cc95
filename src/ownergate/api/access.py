"""Who may call what: ``Authorization: Bearer KEY``, roles viewer < analyst < admin.

Every route declares its access with ``require(role)`` or ``public()`` among its dependencies
(or as a parameter, ``who: Annotated[Principal, require(Role.ANALYST)]``, or with the
``Viewer`` / ``Analyst`` / ``Admin`` aliases). ``route_access`` reads the declarations back,
the app refuses to start with a route that has none, and the OpenAPI document shows each one
as ``x-required-role``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Request, params
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute

from ownergate.api.errors import AuthenticationError, PermissionDeniedError
from ownergate.api.services import Principal, Role
from ownergate.api.state import state_of
from ownergate.errors import ConfigError

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Longer values are no key anyone issued; refusing them spares hashing and a lookup.
MAX_KEY_LENGTH = 512


class RoleGuard:
    """Authenticates the caller and checks the role; returns the ``Principal``.

    Reads the header itself rather than through FastAPI's ``HTTPBearer``: one dependency
    level less on every request. ``ownergate.api.openapi`` documents the scheme."""

    def __init__(self, role: Role) -> None:
        self.role: Role | None = role

    async def __call__(self, request: Request) -> Principal:
        needed = self.role
        assert needed is not None
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise AuthenticationError(
                "This operation needs an API key: send 'Authorization: Bearer KEY'.",
                reason="missing",
            )
        principal = await _authenticate(request, key)
        if not principal.role.includes(needed):
            raise PermissionDeniedError(
                f"This operation needs the {needed} role; this API key has {principal.role}."
            )
        refuse_unknown_query_parameters(request)
        return principal


class PublicAccess:
    """Marks a route that needs no API key (probes, metrics, the OpenAPI document)."""

    role: Role | None = None

    async def __call__(self, request: Request) -> None:
        refuse_unknown_query_parameters(request)


async def _authenticate(request: Request, key: str) -> Principal:
    state = state_of(request.app)
    principal = state.key_cache.get(key)
    if principal is not None:
        return principal
    if len(key) <= MAX_KEY_LENGTH:
        principal = await run_in_threadpool(state.services.authenticate, key)
    if principal is None:
        raise AuthenticationError(
            "The API key is not valid (unknown or revoked).", reason="invalid"
        )
    state.key_cache.put(key, principal)
    return principal


def refuse_unknown_query_parameters(request: Request) -> None:
    """A query parameter the route does not declare is a 422, like an unknown body field:
    a misspelt ``?limt=5`` must not silently mean the default."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    index = state_of(request.app).query_names
    known = index.get(id(route))
    if known is None:
        index.update(query_parameter_index(request.app.routes))
        known = index.get(id(route))
        if known is None:  # not an API route
            return
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise RequestValidationError(
            [
                {"type": "extra_forbidden", "loc": ("query", name), "msg": "Unknown parameter"}
                for name in dict.fromkeys(unknown)
            ]
        )


def query_parameter_index(routes: Sequence[BaseRoute]) -> dict[int, frozenset[str]]:
    """The query parameter names of each API route (with its routers' dependencies), by
    ``id()`` of the route object the router puts in the request scope."""
    index: dict[int, frozenset[str]] = {}
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            names = {
                field.alias
                for field in get_flat_params(context.dependant)
                if isinstance(field.field_info, params.Query)
            }
            index[id(route)] = index.get(id(route), frozenset()) | names
    return index


_GUARDS = {role: RoleGuard(role) for role in Role}
_PUBLIC = PublicAccess()


def require(role: Role) -> params.Depends:
    """The dependency a route declares to need ``role`` or a higher one."""
    return params.Depends(dependency=_GUARDS[role])


def public() -> params.Depends:
    """The dependency a route declares to be open to anyone."""
    return params.Depends(dependency=_PUBLIC)


Viewer = Annotated[Principal, require(Role.VIEWER)]
Analyst = Annotated[Principal, require(Role.ANALYST)]
Admin = Annotated[Principal, require(Role.ADMIN)]


@dataclass(frozen=True, slots=True)
class RouteAccess:
    """A route's full path template, methods and the role it needs (None: public)."""

    path: str
    methods: frozenset[str]
    role: Role | None
    takes_body: bool

    @property
    def writes(self) -> bool:
        return bool(self.methods & WRITE_METHODS)


def route_access(routes: Sequence[BaseRoute]) -> list[RouteAccess]:
    """Every API route's declared access, routers included with their prefixes;
    ConfigError names a route that declares none."""
    found = []
    for context in iter_route_contexts(routes):
        if not isinstance(context.original_route, APIRoute):
            continue
        path, methods = context.path_format or "", frozenset(context.methods or ())
        guards = list(_guards(context.dependant))
        if not guards:
            raise ConfigError(
                f"route {'/'.join(sorted(methods))} {path} declares no access: "
                "add require(Role.X) or public() to its dependencies"
            )
        roles = [g.role for g in guards if g.role is not None]
        role = max(roles, key=lambda r: r.rank) if roles else None
        found.append(RouteAccess(path, methods, role, context.body_field is not None))
    return found


def _guards(dependant: Dependant) -> Iterator[RoleGuard | PublicAccess]:
    for sub in dependant.dependencies:
        if isinstance(sub.call, RoleGuard | PublicAccess):
            yield sub.call
        yield from _guards(sub)
