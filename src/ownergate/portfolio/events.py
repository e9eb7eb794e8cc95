"""Flip events of a whole-base re-screen: one JSON object per account whose decision changed.

Events are emitted after their batch's decisions commit. A JSON Lines file is fsynced after
every emit and opened for appending, so a resumed run adds to what a crashed one wrote; a
run killed between a batch's commit and its emit does not emit that batch's flips again
when it resumes (the decisions, and their audit rows, are in the store). A webhook batch is
retried on network errors, 408, 429 and 5xx, and a batch the receiver took but whose answer
was lost is sent again; each request therefore carries an ``Idempotency-Key`` (the SHA-256
of its body, which is serialised deterministically) so the receiver can drop the duplicate.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ownergate.errors import ConfigError, InputError, OwnergateError, shown

MAX_DELAY_SECONDS = 30.0


class WebhookError(OwnergateError):
    """Raised when a batch of events still fails after all retries (or at once, on a 4xx)."""


class EventSink(Protocol):
    """Where flip events go; ``emit`` returns only once the events are durably handed over."""

    def emit(self, events: Sequence[Mapping[str, Any]]) -> None: ...

    def close(self) -> None: ...


def _dumps(value: Any) -> str:
    # Deterministic (sorted keys, no spaces) so the same batch always has the same bytes,
    # hence the same idempotency key; NaN is not JSON, so refuse it rather than emit it.
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )


class JsonLinesSink:
    """Appends one compact JSON object per line to a UTF-8 file, fsynced after each emit."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("a+b")
        # A crashed run may have left a torn last line: start ours on a fresh line so the
        # damage stays confined to that one record.
        if self._file.seek(0, os.SEEK_END) > 0:
            self._file.seek(-1, os.SEEK_END)
            if self._file.read(1) != b"\n":
                self._file.write(b"\n")

    def emit(self, events: Sequence[Mapping[str, Any]]) -> None:
        if not events:
            return
        data = "".join(_dumps(dict(event)) + "\n" for event in events).encode("utf-8")
        self._file.write(data)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        self._file.close()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # urllib would turn a redirected POST into a body-less GET and call that a success;
    # a redirect is a misconfigured URL, so let it surface as an HTTP error instead.
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def _retry_after(value: str | None) -> float | None:
    """The delay a numeric ``Retry-After`` header asks for, or None (absent, HTTP date, junk)."""
    try:
        seconds = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return min(seconds, MAX_DELAY_SECONDS) if math.isfinite(seconds) and seconds >= 0 else None


class WebhookSink:
    """POSTs events as ``{"events": [...]}`` in batches of ``batch``, retrying with backoff."""

    def __init__(
        self,
        url: str,
        *,
        batch: int = 500,
        retries: int = 5,
        backoff: float = 0.5,
        timeout: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"not an http(s) URL: {shown(url)}", field="webhook")
        if batch < 1 or retries < 0 or backoff < 0 or timeout <= 0:
            raise ConfigError(
                "webhook options: batch must be >= 1, retries and backoff >= 0, timeout > 0"
            )
        self.url = url
        self.batch = batch
        self.retries = retries
        self.backoff = backoff
        self.timeout = timeout
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect())

    def emit(self, events: Sequence[Mapping[str, Any]]) -> None:
        for start in range(0, len(events), self.batch):
            try:
                self._post(events[start : start + self.batch])
            except WebhookError as exc:
                missing = len(events) - start
                raise WebhookError(
                    f"webhook {self.url}: {exc}; {missing} of {len(events)} event(s) not delivered"
                ) from exc.__cause__

    def close(self) -> None:
        self._opener.close()

    def _post(self, batch: Sequence[Mapping[str, Any]]) -> None:
        body = _dumps({"events": [dict(event) for event in batch]}).encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": hashlib.sha256(body).hexdigest(),
        }
        attempts = self.retries + 1
        for attempt in range(attempts):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            wait: float | None = None
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    response.read()
                return
            except urllib.error.HTTPError as exc:
                status, wait = exc.code, _retry_after(exc.headers.get("Retry-After"))
                exc.close()  # free the connection before we sleep
                failure: Exception = exc
                reason = f"HTTP {status} {exc.reason}".rstrip()
                if not (status in (408, 429) or 500 <= status <= 599):
                    raise WebhookError(reason) from exc
            except (OSError, http.client.HTTPException) as exc:
                failure = exc
                cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
                reason = f"network error: {cause}"
            if attempt == attempts - 1:
                raise WebhookError(f"{reason} after {attempts} attempt(s)") from failure
            if wait is None:
                wait = min(self.backoff * 2**attempt, MAX_DELAY_SECONDS)
            self._sleep(wait)


def open_sinks(jsonl: Path | None, webhook: str | None, **webhook_options: Any) -> list[EventSink]:
    """The sinks asked for (none, either or both); ``webhook_options`` go to ``WebhookSink``."""
    sinks: list[EventSink] = []
    if jsonl is not None:
        sinks.append(JsonLinesSink(jsonl))
    if webhook is not None:
        try:
            sinks.append(WebhookSink(webhook, **webhook_options))
        except BaseException:
            for sink in sinks:
                sink.close()
            raise
    return sinks
