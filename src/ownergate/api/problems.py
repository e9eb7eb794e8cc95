"""Errors as RFC 9457 problem documents (``application/problem+json``).

``PROBLEMS`` is the one place where an ownergate exception class gets an HTTP status and a
stable ``code``: an exception maps through the nearest class in its MRO that the table names.
Request validation, routing (404/405) and body-size (413) errors get their codes here too;
anything else is a 500 ``internal`` whose detail stays in the log, tagged with an error id
the response repeats.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownergate.api.errors import AuthenticationError, PermissionDeniedError
from ownergate.errors import (
    ConfigError,
    ConvergenceError,
    GraphError,
    InputError,
    OwnergateError,
    PolicyError,
    UnknownEntityError,
)
from ownergate.store import ConflictError, NotFoundError
from ownergate.store import PermissionDeniedError as TwoPersonRuleError

log = logging.getLogger("ownergate.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:ownergate:problem:"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    status: int
    code: str
    title: str
    # False for server-side failures: their message may name paths or internals.
    expose_detail: bool = True


_INTERNAL = ProblemKind(500, "internal", "Internal error", expose_detail=False)

PROBLEMS: Mapping[type[OwnergateError], ProblemKind] = MappingProxyType(
    {
        AuthenticationError: ProblemKind(401, "unauthenticated", "Missing or invalid API key"),
        PermissionDeniedError: ProblemKind(403, "forbidden", "Role too low for this operation"),
        PolicyError: ProblemKind(422, "invalid-policy", "Invalid policy"),
        InputError: ProblemKind(422, "invalid-input", "Invalid input"),
        UnknownEntityError: ProblemKind(404, "unknown-entity", "Unknown entity"),
        # Settings are validated before the app exists, so a ConfigError raised while
        # handling a request means its options clash with each other or with stored state
        # (a snapshot name taken, say): the client can change the request.
        ConfigError: ProblemKind(409, "conflict", "Conflicting request"),
        # The input was valid but the engine could not resolve it: not the client's fault.
        ConvergenceError: ProblemKind(
            500, "graph-not-solvable", "Ownership could not be resolved", expose_detail=False
        ),
        GraphError: ProblemKind(422, "invalid-graph", "Invalid ownership graph"),
        NotFoundError: ProblemKind(404, "not-found", "Not found"),
        ConflictError: ProblemKind(409, "conflict", "Conflicts with the stored state"),
        # Not the role: no role may make this write (approving one's own allow request).
        TwoPersonRuleError: ProblemKind(403, "two-person-rule", "Needs another principal"),
        OwnergateError: _INTERNAL,
    }
)

# Framework errors (routing, body size, unparseable bodies) keyed by status: code, title.
HTTP_PROBLEMS: Mapping[int, tuple[str, str]] = MappingProxyType(
    {
        400: ("bad-request", "Bad request"),
        401: ("unauthenticated", "Missing or invalid API key"),
        403: ("forbidden", "Forbidden"),
        404: ("not-found", "Not found"),
        405: ("method-not-allowed", "Method not allowed"),
        413: ("payload-too-large", "Content too large"),
        415: ("unsupported-media-type", "Unsupported media type"),
    }
)


class FieldProblem(BaseModel):
    """One invalid part of a request: where (``["body", "name"]``), what and why."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem document. ``code`` is stable and meant for programs; ``title``
    and ``detail`` are for people. ``errors`` lists the invalid fields of an
    ``invalid-request``; ``error_id`` ties an ``internal`` error to the server log."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldProblem] | None = None
    field: str | None = None
    record: str | None = None
    error_id: str | None = None


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    instance: str,
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + code,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    body.update({k: v for k, v in extensions.items() if v is not None})
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def kind_of(exc: OwnergateError) -> ProblemKind:
    for cls in type(exc).__mro__:
        kind = PROBLEMS.get(cls)
        if kind is not None:
            return kind
    raise AssertionError("OwnergateError is in the table")  # pragma: no cover


def logged_problem(
    exc: BaseException, instance: str, kind: ProblemKind = _INTERNAL
) -> ProblemResponse:
    """A problem whose detail stays in the log, under an error id the response names."""
    error_id = uuid.uuid4().hex
    log.error("%s %s on %s", kind.code, error_id, instance, exc_info=exc)
    return problem_response(
        status=kind.status,
        code=kind.code,
        title=kind.title,
        detail=f"{kind.title}: the server log has the details under this error id.",
        instance=instance,
        error_id=error_id,
    )


async def _ownergate_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, OwnergateError)
    kind = kind_of(exc)
    instance = request.url.path
    if not kind.expose_detail:
        return logged_problem(exc, instance, kind)
    headers: dict[str, str] = {}
    extensions: dict[str, Any] = {}
    detail = str(exc)
    if isinstance(exc, AuthenticationError):
        challenge = 'Bearer realm="ownergate"'
        if exc.reason == "invalid":
            challenge += ', error="invalid_token"'
        headers["WWW-Authenticate"] = challenge
    elif isinstance(exc, InputError):
        # The file named by an InputError is a server-side path: keep it out.
        detail = exc.message
        extensions = {"field": exc.field, "record": exc.record}
    return problem_response(
        status=kind.status,
        code=kind.code,
        title=kind.title,
        detail=detail,
        instance=instance,
        headers=headers,
        **extensions,
    )


async def _http_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names only the methods of the first route matching the path.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return http_problem(exc.status_code, str(exc.detail), request.url.path, headers)


def _allowed_methods(request: Request) -> list[str]:
    path = request.scope.get("path", "")
    allowed: set[str] = set()
    for context in iter_route_contexts(request.app.routes):
        regex = getattr(context, "path_regex", None)
        if regex is not None and regex.match(path):
            allowed |= set(getattr(context, "methods", None) or ())
    return sorted(allowed)


def http_problem(
    status: int, detail: str, instance: str, headers: Mapping[str, str] | None = None
) -> ProblemResponse:
    """The problem for a framework-level HTTP error (404, 405, 413...)."""
    code, title = HTTP_PROBLEMS.get(status, (f"http-{status}", _phrase(status)))
    if not detail or detail == _phrase(status):
        detail = f"{title}."
    return problem_response(
        status=status, code=code, title=title, detail=detail, instance=instance, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where, what and why: echoing "input" could return kilobytes or secrets.
    errors = [
        FieldProblem(loc=list(e.get("loc", ())), msg=str(e.get("msg", "")), type=e.get("type", ""))
        for e in exc.errors()
    ]
    detail = _summary(errors)
    kind = request.headers.get("content-type", "")
    media = kind.split(";", 1)[0].strip().lower()
    if (
        any(e.loc[:1] == ["body"] for e in errors)
        and media != "application/json"
        and not media.endswith("+json")
    ):
        # FastAPI reads a body as JSON only when it is labelled so: curl -d labels it a form.
        detail = (
            f"the request body was not JSON (Content-Type: {media or 'none'}): "
            "send it as JSON with the header Content-Type: application/json"
        )
    return problem_response(
        status=422,
        code="invalid-request",
        title="Invalid request",
        detail=detail,
        instance=request.url.path,
        errors=[e.model_dump() for e in errors],
    )


def _summary(errors: Sequence[FieldProblem]) -> str:
    where = sorted({".".join(str(part) for part in e.loc) for e in errors})
    shown = ", ".join(where[:10]) + (f" and {len(where) - 10} more" if len(where) > 10 else "")
    return f"{len(errors)} invalid value(s): {shown}" if where else "The request is invalid."


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OwnergateError, _ownergate_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(CrashToProblemMiddleware)


class CrashToProblemMiddleware:
    """Turns an exception no handler took into a 500 ``internal`` problem, logged once.

    Installed innermost among the middlewares, so the metrics still see the 500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:
                raise
            response = logged_problem(exc, scope.get("path", ""))
            await response(scope, receive, send)
