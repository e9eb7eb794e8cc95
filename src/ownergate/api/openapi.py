"""Completes FastAPI's OpenAPI document with what the framework adds to every operation.

Each operation gets ``x-required-role`` (a role or ``public``) and a line saying so in its
description, the problem+json responses it can produce (401/403 when guarded, 413/422 when
it takes a body or parameters) and a ``default`` problem response, so any error status the
server sends is documented and clients (and schemathesis) can rely on the shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from ownergate.api.access import route_access
from ownergate.api.problems import PROBLEM_MEDIA_TYPE, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
SECURITY_SCHEME = "bearerAuth"
_BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "API key",
    "description": "An API key from `ownergate keys create --role ROLE`.",
}


def complete_openapi(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("securitySchemes", {})[SECURITY_SCHEME] = _BEARER
    components = schema["components"].setdefault("schemas", {})
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem_schema.pop("$defs", {}))
    components["Problem"] = problem_schema
    for access in route_access(app.routes):
        path_item = schema.get("paths", {}).get(access.path)
        if path_item is None:  # include_in_schema=False
            continue
        for method in access.methods:
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            _complete_operation(operation, access.role.value if access.role else "public")
            if access.takes_body:
                _add_problem(operation, "413", "The request body is larger than the limit")
    # FastAPI's own validation error schemas are replaced by Problem everywhere.
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema


def _complete_operation(operation: dict[str, Any], role: str) -> None:
    operation["x-required-role"] = role
    note = (
        "Public: needs no API key."
        if role == "public"
        else f"Needs an API key with the `{role}` role or a higher one."
    )
    description = operation.get("description", "")
    operation["description"] = f"{description}\n\n{note}".strip()
    responses = operation.setdefault("responses", {})
    if "422" in responses:
        responses["422"] = _problem("The request is invalid (code `invalid-request`)")
    if role != "public":
        operation["security"] = [{SECURITY_SCHEME: []}]
        _add_problem(operation, "401", "No API key, or one that is unknown or revoked")
        _add_problem(operation, "403", "The API key's role is too low")
    responses.setdefault("default", _problem("An error, as an RFC 9457 problem document"))


def _add_problem(operation: dict[str, Any], status: str, description: str) -> None:
    operation["responses"].setdefault(status, _problem(description))


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}


def documented_problems(**descriptions: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for the problems a route raises itself, e.g.
    ``documented_problems(**{"404": "No such account", "409": "Already approved"})``."""
    return {status: _problem(text) for status, text in descriptions.items()}
