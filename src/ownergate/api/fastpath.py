"""The decision lookup answered from memory, below the router.

``GET /v1/accounts/{id}/decision`` is what the platform asks on every request it gates. When
everything the answer needs is already in memory (the caller's key in the key cache, the
account's verdict in the verdict cache) this middleware answers it without routing,
dependency injection or a worker thread: a third of the cost per request.

Anything else (a query string, a key or verdict not cached, a malformed id) goes on to the
FastAPI route, which stays the reference: a property test holds the two to byte-identical
responses. The middleware sits inside the metrics, so its answers are counted under the
route's template like the route's own.
"""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Receive, Scope, Send

from ownergate.api.access import MAX_KEY_LENGTH
from ownergate.api.routes.decision_models import VerdictOut
from ownergate.api.services import Role
from ownergate.api.state import AppState

# The route's template with ResourceId's pattern (``ownergate.api.models``), ASCII only.
_PATH = re.compile(r"/v1/accounts/([A-Za-z0-9][A-Za-z0-9._:-]{0,127})/decision")
_JSON = b"application/json"


class DecisionFastPath:
    def __init__(self, app: ASGIApp, *, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._answer(scope) if scope["type"] == "http" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"content-type", _JSON),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _answer(self, scope: Scope) -> bytes | None:
        if scope["method"] != "GET" or scope["query_string"] or scope.get("root_path"):
            return None
        found = _PATH.fullmatch(scope["path"])
        if found is None:
            return None
        key = _bearer(scope)
        if key is None:
            return None
        principal = self.state.key_cache.get(key)
        if principal is None or not principal.role.includes(Role.VIEWER):
            return None
        verdict = self.state.services.accounts.cached_verdict(found.group(1))
        if verdict is None:
            return None
        return VerdictOut.of(verdict).model_dump_json(by_alias=True).encode("utf-8")


def _bearer(scope: Scope) -> str | None:
    """The key of an ``Authorization: Bearer KEY`` header, as ``RoleGuard`` reads it."""
    name: bytes
    value: bytes
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").partition(" ")
            key = key.strip()
            if scheme.lower() != "bearer" or not key or len(key) > MAX_KEY_LENGTH:
                return None
            return key
    return None
