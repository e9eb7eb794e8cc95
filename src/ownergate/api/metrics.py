"""Prometheus metrics of the HTTP API, in a registry of the app's own.

Labels stay low-cardinality: the route *template* (``/v1/accounts/{account_id}``, never the
path), a known method, and the status code; a request no route matches is ``unmatched``.
"""

from __future__ import annotations

import re
import time

from fastapi.routing import iter_route_contexts
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Fine steps up to 25 ms: the decision lookup's p99 target is 10 ms.
_BUCKETS = (0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
UNMATCHED = "unmatched"


class HttpMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        labels = ("method", "route", "status")
        self.requests = Counter(
            "ownergate_http_requests",
            "HTTP requests handled, by method, route template and status.",
            labels,
            registry=self.registry,
        )
        self.duration = Histogram(
            "ownergate_http_request_duration_seconds",
            "Time from request to the end of the response, by method, route template and status.",
            labels,
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "ownergate_http_requests_in_flight",
            "HTTP requests being handled now.",
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method if method in _METHODS else "OTHER", route, str(status))
        self.requests.labels(*labels).inc()
        self.duration.labels(*labels).observe(seconds)

    def exposition(self) -> tuple[bytes, str]:
        """The text format body and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class MetricsMiddleware:
    """Outermost middleware: times every HTTP request and counts it by route and status.

    It finds the route template itself, by path, rather than from what the router leaves
    in the scope: a request refused before routing (an oversized body) still gets its
    route, and a router included with a prefix reports the full template.
    """

    def __init__(self, app: ASGIApp, *, metrics: HttpMetrics, routes: list[BaseRoute]) -> None:
        self.app = app
        self.metrics = metrics
        # The app's own route list: read on the first request, so routers included after
        # create_app are counted too.
        self.routes = routes
        self._templates: list[tuple[re.Pattern[str], str]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        self.metrics.in_flight.inc()

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            self.metrics.in_flight.dec()
            self.metrics.observe(
                scope["method"], self.template(scope), status, time.perf_counter() - started
            )

    def template(self, scope: Scope) -> str:
        if self._templates is None:
            self._templates = route_templates(self.routes)
        path: str = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        for regex, template in self._templates:
            if regex.match(path):
                return template
        return UNMATCHED


def route_templates(routes: list[BaseRoute]) -> list[tuple[re.Pattern[str], str]]:
    """Each distinct path template with its regex, in routing order."""
    seen: dict[str, re.Pattern[str]] = {}
    for context in iter_route_contexts(routes):
        template = getattr(context, "path_format", None)
        regex = getattr(context, "path_regex", None)
        if isinstance(template, str) and isinstance(regex, re.Pattern):
            seen.setdefault(template, regex)
    return [(regex, template) for template, regex in seen.items()]
