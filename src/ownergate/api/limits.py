"""Request body size limit, as a pure ASGI middleware.

A declared ``Content-Length`` over the limit is refused before the application runs (so a
route never acts on a request it cannot read); a chunked body is counted as it streams and
refused as soon as it passes the limit, without reading the rest.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownergate.api.problems import http_problem


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` so FastAPI's body reading turns it into the 413 problem."""

    def __init__(self, limit: int) -> None:
        # The unread rest of the body makes the connection unusable for another request.
        super().__init__(
            413,
            detail=f"The request body is larger than {limit} bytes.",
            headers={"Connection": "close"},
        )


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        seen = 0

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLargeError(self.max_bytes)
            return message

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            # Reached only when something read the body outside FastAPI's handling.
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = BodyTooLargeError(self.max_bytes)
        response = http_problem(413, str(error.detail), scope.get("path", ""), error.headers)
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
