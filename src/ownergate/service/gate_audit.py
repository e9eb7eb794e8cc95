"""Gate verdicts into the audit log, in batches, off the request path.

A gate verdict is a read, but compliance needs every refusal on record: each one (and a
sample of the allows) becomes an audit row (action ``gate.deny`` / ``gate.challenge`` /
``gate.allow``, object ``request``, the account id, the signals as payload) in the
hash-chained log. One audit append costs a write transaction, far more than a verdict, so
verdicts are queued and a writer thread appends them a batch per transaction. ``flush``
waits until everything queued is written; ``close`` flushes and stops the thread.

The queue drops nothing: it is unbounded, and a warning is logged while it holds more than
``warn_at`` rows (the store cannot keep up). A batch the store refuses is retried row by row,
and a row refused again is logged with its payload and counted in ``failed``.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

from ownergate.store import Database

log = logging.getLogger(__name__)
OBJECT_TYPE = "request"
NO_ACCOUNT = "-"


class GateAudit:
    def __init__(self, db: Database, *, batch: int = 500, warn_at: int = 50_000) -> None:
        self._db = db
        self._batch = batch
        self._warn_at = warn_at
        self._queue: queue.Queue[tuple[str, str, dict[str, Any]] | None] = queue.Queue()
        self.failed = 0
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="ownergate-gate-audit", daemon=True)
        self._thread.start()

    def record(self, actor: str, account_id: str | None, payload: dict[str, Any]) -> None:
        self._queue.put((actor, account_id or NO_ACCOUNT, payload))
        if self._queue.qsize() > self._warn_at:
            log.warning(
                "gate audit queue holds %d verdicts: the store is behind", self._queue.qsize()
            )

    def flush(self) -> None:
        """Wait until every verdict recorded so far is in the audit log."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            items = [first]
            while len(items) < self._batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            rows = [item for item in items if item is not None]
            stopping = len(rows) < len(items)
            try:
                if rows:
                    self._write(rows)
            finally:
                for _ in items:
                    self._queue.task_done()

    def _write(self, rows: list[tuple[str, str, dict[str, Any]]]) -> None:
        # A failed batch is retried row by row: one bad row must not lose the others.
        try:
            self._append(rows)
        except Exception:
            for row in rows:
                try:
                    self._append([row])
                except Exception:
                    self.failed += 1
                    log.exception("a gate verdict could not be audited: %s", row[2])

    def _append(self, rows: list[tuple[str, str, dict[str, Any]]]) -> None:
        with self._db.write() as store:
            store.audit.append_many(
                [
                    (actor, f"gate.{payload['action']}", OBJECT_TYPE, account_id, payload)
                    for actor, account_id, payload in rows
                ]
            )
        self.written += len(rows)
