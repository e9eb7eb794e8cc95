"""``GateMiddleware``: every request through the gate before the app sees it.

Per request it reads the account (a header, by default ``X-Account-Id``, or a function of
the request such as ``account_from_api_key``), the client address (``ownergate.gate.client``:
``X-Forwarded-For`` only from trusted proxies), and the claims the request makes
(``X-Declared-Country``, ``X-Payment-Country``, the first ``Accept-Language`` tag), and asks
the gate. The account's verdict comes from the verdict cache, which expires entries after
``OWNERGATE_VERDICT_CACHE_SECONDS`` and drops an account as soon as the store records a new
decision for it, so a cached request costs no store read and no worker thread.

- ``deny``: a 403 ``application/problem+json`` (code ``gate-deny``) with the reasons; the app
  is not called.
- ``challenge``: by default passed on, with the verdict in ``request.state.ownergate_gate``
  and an ``Ownergate-Gate: challenge`` response header, for the app to ask for more (step-up
  verification); ``challenge="refuse"`` answers 403 (code ``gate-challenge``) instead.
- ``allow``: passed on, with the verdict in the request state.

``trusted_proxies`` defaults to ``OWNERGATE_TRUSTED_PROXIES`` (of ``settings``), the
setting ``ownergate serve`` hands uvicorn. Paths in ``exempt`` (probes, say) pass ungated.
The verdicts the gate audits are attributed to ``actor``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ownergate.errors import InputError
from ownergate.gate.client import client_ip, parse_networks
from ownergate.gate.wiring import open_gate
from ownergate.policy.gate import Action
from ownergate.service.gate import GateRequest, GateService, GateVerdict
from ownergate.service.gate_audit import AuditState
from ownergate.settings import Settings

STATE_KEY = "ownergate_gate"
log = logging.getLogger(__name__)
AccountReader = Callable[[Scope], str | None]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            text: str = value.decode("latin-1").strip()
            return text or None
    return None


def account_from_header(name: str) -> AccountReader:
    """The account id from a request header (case-insensitive)."""
    wanted = name.lower().encode("latin-1")
    return lambda scope: _header(scope, wanted)


def account_from_api_key(accounts: Mapping[str, str]) -> AccountReader:
    """The account an ``Authorization: Bearer KEY`` key belongs to, from ``accounts``."""

    def read(scope: Scope) -> str | None:
        scheme, _, key = (_header(scope, b"authorization") or "").partition(" ")
        return accounts.get(key.strip()) if scheme.lower() == "bearer" else None

    return read


class GateMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        gate: GateService | None = None,
        settings: Settings | None = None,
        account: str | AccountReader = "x-account-id",
        trusted_proxies: Iterable[str] | None = None,
        challenge: Literal["pass", "refuse"] = "pass",
        exempt: Iterable[str] = (),
        actor: str = "gate:middleware",
    ) -> None:
        self.app = app
        self._given = gate
        self._settings = settings
        self._gate: GateService | None = gate
        self._account = account_from_header(account) if isinstance(account, str) else account
        if trusted_proxies is None:  # the same setting ``ownergate serve`` gives uvicorn
            trusted_proxies = (settings or Settings()).trusted_proxies
        self._trusted = parse_networks(trusted_proxies)
        self._refuse_challenges = challenge == "refuse"
        self._exempt = frozenset(exempt)
        self._actor = actor

    @property
    def gate(self) -> GateService:
        """The gate given, or one opened from the settings on first use."""
        if self._gate is None:
            self._gate = open_gate(self._settings or Settings())
        return self._gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, self._closing(receive), send)
            return
        if scope["type"] not in ("http", "websocket") or scope["path"] in self._exempt:
            await self.app(scope, receive, send)
            return
        try:
            request = self._request(scope)
            gate = self._gate
            if gate is None:  # the first request opens it: seconds, off the event loop
                gate = await run_in_threadpool(lambda: self.gate)
            verdict = gate.check_cached(request, actor=self._actor)
            if verdict is None:
                verdict = await run_in_threadpool(gate.check, request, actor=self._actor)
            elif verdict.audit is AuditState.DUE:  # a refusal: on disk before it is answered
                verdict = await run_in_threadpool(gate.finish, verdict)
        except InputError as exc:  # a malformed header or forwarded address
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _problem(
                    send, 400, "gate-bad-request", "The request cannot be gated", str(exc)
                )
            return
        assert verdict is not None
        refuse = verdict.action is Action.DENY or (
            verdict.action is Action.CHALLENGE and self._refuse_challenges
        )
        if refuse:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            await _refusal(send, verdict)
            return
        scope.setdefault("state", {})[STATE_KEY] = verdict
        if verdict.action is Action.ALLOW or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, _with_header(send, verdict.action))

    def _request(self, scope: Scope) -> GateRequest:
        locale = _header(scope, b"accept-language")
        if locale:
            locale = locale.split(",", 1)[0].split(";", 1)[0].strip() or None
        return GateRequest(
            account_id=self._account(scope),
            ip=client_ip(scope, self._trusted),
            declared_country=_header(scope, b"x-declared-country"),
            locale=locale if locale and locale != "*" else None,
            payment_country=_header(scope, b"x-payment-country"),
        )

    def _closing(self, receive: Receive) -> Receive:
        """Opens the gate when the server starts, and closes it when it shuts down (one
        the middleware opened itself)."""

        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup" and self._given is None:
                # Opened at start-up: its audit writer replays what a crashed server
                # journalled, and the first request does not wait for the IP data.
                try:
                    await run_in_threadpool(lambda: self.gate)
                except Exception:
                    log.exception("the request gate could not be opened at start-up")
            if message["type"] == "lifespan.shutdown" and self._given is None and self._gate:
                await run_in_threadpool(self._gate.close)
                self._gate = None
            return message

        return wrapped


def _with_header(send: Send, action: Action) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), (b"ownergate-gate", action.value.encode())]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


async def _refusal(send: Send, verdict: GateVerdict) -> None:
    await _problem(
        send,
        403,
        f"gate-{verdict.action.value}",
        "Refused by the request gate",
        verdict.reasons[0].reason if verdict.reasons else "Refused.",
        reasons=[
            {"rule": r.name, "action": r.action.value, "reason": r.reason} for r in verdict.reasons
        ],
    )


async def _problem(
    send: Send, status: int, code: str, title: str, detail: str, **extra: Any
) -> None:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "code": code,
            "detail": detail,
            **extra,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode("ascii")),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
