"""Gate verdicts into the audit log: denies and challenges durably, sampled allows as best
effort, written to the store in batches off the request path.

Compliance needs every refusal on record: each one becomes an audit row (action
``gate.deny`` / ``gate.challenge``, object ``request``, the account id, the signals as
payload, with an ``audit_id``). One store transaction costs far more than a verdict, and the
store may be busy or down, so the two kinds take different paths:

- ``durable`` (deny, challenge): written to this process's journal file and fsynced
  (``gate_journal``) before ``record`` returns, so the reply may say ``audited``. A writer
  thread moves them into the store; after a crash the next process to start adopts the
  journal and writes what it still owes, exactly once. The journal holds at most
  ``journal_bytes`` not yet in the store: past that (the store has been behind for long)
  a refusal is still refused, but ``record`` answers ``failed`` (the reply says
  ``audited: false``, ``audit: failed``) and the loss is logged and counted.
- ``best-effort`` (the sampled allows): queued in memory, at most ``queue`` of them; a
  full queue drops the newest (counted in ``dropped``), and a crash loses what is queued.

A batch the store refuses for a reason other than being unreachable or busy is retried
row by row; a row refused again is logged with its payload and counted in ``failed``.
While the store is unreachable or busy the writer retries with backoff: denies stay safe
in the journal meanwhile.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

from ownergate.errors import ConfigError
from ownergate.service.gate_journal import PREFIX, SUFFIX, Entry, Journal, JournalFull
from ownergate.settings import Settings
from ownergate.store import Database

log = logging.getLogger(__name__)
OBJECT_TYPE = "request"
NO_ACCOUNT = "-"
BATCH = 500
TRUNCATE_AT = 4 << 20
_BACKOFF = (0.05, 0.2, 1.0, 5.0)
T = TypeVar("T")


class AuditState(StrEnum):
    """How a verdict is on record when the reply leaves."""

    DURABLE = "durable"  # on disk (journal fsynced): survives a crash
    BEST_EFFORT = "best-effort"  # queued in memory: lost if the process dies first
    NONE = "none"  # not audited (an allow outside the sample)
    FAILED = "failed"  # should be durable, but could not be: journal full or unwritable
    DUE = "due"  # durable, still to be written (``GateService.finish``)


class GateAudit:
    def __init__(
        self,
        db: Database,
        directory: Path,
        *,
        batch: int = BATCH,
        queue_size: int = 10_000,
        journal_bytes: int = 256 << 20,
    ) -> None:
        self._db = db
        self._dir = directory
        self._batch = batch
        self._journal_bytes = journal_bytes
        try:
            self._journal = Journal.create(directory, journal_bytes)
        except OSError as exc:
            # No refusal may be answered "audited" without a journal: refuse to start.
            raise ConfigError(
                f"the gate audit journal cannot be written in {directory}: "
                f"{exc.strerror or exc} (set OWNERGATE_GATE_AUDIT_DIR)"
            ) from None
        self._queue: queue.Queue[tuple[str, str, dict[str, Any]]] = queue.Queue(queue_size)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Condition()
        self._busy = False  # a batch taken off the queue is being written
        self.dropped = 0
        self.failed = 0
        self.written = 0
        self._thread = threading.Thread(target=self._run, name="ownergate-gate-audit", daemon=True)
        self._thread.start()

    def record(
        self, actor: str, account_id: str | None, payload: dict[str, Any], *, durable: bool
    ) -> AuditState:
        """Put one verdict on record; ``payload`` carries its ``audit_id``. A durable one is
        on disk when this returns (it blocks for an fsync: call it off the event loop)."""
        row = (actor, account_id or NO_ACCOUNT, payload)
        if not durable:
            try:
                self._queue.put_nowait(row)
            except queue.Full:
                self.dropped += 1
                if self.dropped % 1000 == 1:
                    log.warning("gate audit queue full: %d sampled allows dropped", self.dropped)
                return AuditState.NONE
            self._wake.set()
            return AuditState.BEST_EFFORT
        entry = {"audit_id": payload["audit_id"], "actor": row[0], "account_id": row[1]}
        try:
            self._journal.append({**entry, "payload": payload})
        except (JournalFull, OSError) as exc:
            self.failed += 1
            log.error("a gate verdict could not be journalled (%s): %s", exc or "full", payload)
            return AuditState.FAILED
        self._wake.set()
        return AuditState.DURABLE

    def flush(self, timeout: float = 60.0) -> None:
        """Wait until every verdict recorded so far is in the audit log."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._journal.backlog > 0 or not self._queue.empty() or self._busy:
                self._wake.set()
                left = deadline - time.monotonic()
                if left <= 0 or not self._idle.wait(min(left, 0.1)):
                    if time.monotonic() >= deadline:
                        raise TimeoutError("the gate audit log is behind")

    def close(self, timeout: float = 60.0) -> None:
        """Write what is pending (for up to ``timeout``), stop, and remove the journal if
        it is all in the store (else the next process adopts it)."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        done = not self._thread.is_alive() and self._journal.backlog == 0
        self._journal.close(remove=done)

    # --- the writer ---------------------------------------------------------------------

    def _run(self) -> None:
        self._adopt_orphans()
        failures = 0
        while True:
            self._wake.wait(0.5)
            self._wake.clear()
            try:
                while self._step():
                    failures = 0
            except Exception:
                # Whatever went wrong, the journal still holds every durable verdict.
                failures += 1
                log.exception("the gate audit writer failed; retrying")
                time.sleep(_BACKOFF[min(failures, len(_BACKOFF)) - 1])
                self._wake.set()
            with self._idle:
                self._idle.notify_all()
            if self._stop.is_set() and (failures == 0 or failures > len(_BACKOFF)):
                return

    def _step(self) -> bool:
        """Write one batch; False when there was nothing to write (or it is stopping
        while the store refuses)."""
        entries, scanned = self._journal.pending(self._batch)
        self._busy = True
        try:
            return self._write_batch(entries, scanned)
        finally:
            self._busy = False

    def _write_batch(self, entries: list[Entry], scanned: int) -> bool:
        sampled: list[tuple[str, str, dict[str, Any]]] = []
        while len(entries) + len(sampled) < self._batch:
            try:
                sampled.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not entries and not sampled:
            self._journal.read_offset = scanned
            self._journal.truncate_if_done(TRUNCATE_AT)
            return False
        start = self._journal.read_offset
        if entries:
            self._journal.mark({"writing": [start, scanned], "after_seq": self._head()})
        rows = [(e.actor, e.account_id, e.payload) for e in entries] + sampled
        if not self._write(rows):
            return False
        if entries:
            self._journal.mark({"done": scanned})
        self._journal.read_offset = scanned
        return True

    def _write(self, rows: list[tuple[str, str, dict[str, Any]]]) -> bool:
        """Append ``rows``, retrying while the store is unreachable or busy; False when
        stopping meanwhile (the journal keeps what is durable for the next start)."""
        try:
            done = self._retrying(lambda: self._append(rows))
        except Exception:
            log.warning("the store refused a batch of %d gate verdicts: row by row", len(rows))
        else:
            return done is not None
        for row in rows:  # one bad row must not lose the others
            try:
                self._append([row])
            except Exception:
                self.failed += 1
                log.exception("a gate verdict could not be audited: %s", row[2])
        return True

    def _append(self, rows: list[tuple[str, str, dict[str, Any]]]) -> bool:
        with self._db.write() as store:
            store.audit.append_many(
                [
                    (actor, f"gate.{payload['action']}", OBJECT_TYPE, account_id, payload)
                    for actor, account_id, payload in rows
                ]
            )
        self.written += len(rows)
        return True

    def _head(self) -> int:
        def read() -> int:
            with self._db.read() as store:
                return store.audit.head().seq

        seq = self._retrying(read)
        if seq is None:
            raise RuntimeError("stopping while the store is unreachable")
        return seq

    def _retrying(self, call: Callable[[], T]) -> T | None:
        """``call()``, again while the store is unreachable or busy; None when stopping
        meanwhile. Other errors are raised."""
        attempt = 0
        while True:
            try:
                return call()
            except DBAPIError as exc:
                if not _transient(exc):
                    raise
                if self._stop.is_set() and attempt >= len(_BACKOFF):
                    return None
                time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
                attempt += 1

    def _adopt_orphans(self) -> None:
        """Finish the work of journals whose processes died (see ``gate_journal``)."""
        for path in sorted(self._dir.glob(f"{PREFIX}*{SUFFIX}")):
            if path == self._journal.path:
                continue
            orphan = Journal.adopt(path, self._journal_bytes)
            if orphan is None:
                continue  # a live process's
            try:
                owed = orphan.recover()
                written = self._in_store(owed.uncertain, owed.after_seq)
                rest = [e for e in owed.uncertain if e.audit_id not in written] + owed.unwritten
                for i in range(0, len(rest), self._batch):
                    part = rest[i : i + self._batch]
                    orphan.mark({"writing": [0, part[-1].end], "after_seq": self._head()})
                    if not self._write([(e.actor, e.account_id, e.payload) for e in part]):
                        raise RuntimeError("stopped")
                    orphan.mark({"done": part[-1].end})
                log.info("replayed %d gate verdicts journalled by %s", len(rest), path.name)
                orphan.close(remove=True)
            except Exception:
                log.exception("the gate audit journal %s could not be replayed yet", path.name)
                orphan.close(remove=False)

    def _in_store(self, entries: list[Entry], after_seq: int) -> set[str]:
        """The audit ids among ``entries`` the audit log already holds above
        ``after_seq``."""
        wanted = {e.audit_id for e in entries}
        found: set[str] = set()
        seq = after_seq
        while wanted - found:
            with self._db.read() as store:
                page = store.audit.entries(after_seq=seq, limit=1000, object_type=OBJECT_TYPE)
            if not page:
                break
            for row in page:
                # The id is in the canonical payload text: no need to parse every row.
                for audit_id in wanted - found:
                    if f'"audit_id":"{audit_id}"' in row.payload:
                        found.add(audit_id)
            seq = page[-1].seq
        return found


def new_audit_id() -> str:
    return uuid.uuid4().hex


def _transient(exc: DBAPIError) -> bool:
    """The store is unreachable or busy (locked): worth trying again."""
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError)


def gate_audit(database: Database, settings: Settings) -> GateAudit:
    """The gate's audit writer over ``database``, journalling where the settings say (it
    finishes what a crashed process left there as it starts)."""
    return GateAudit(
        database,
        settings.gate_journal_dir,
        queue_size=settings.gate_audit_queue,
        journal_bytes=settings.gate_audit_journal_bytes,
    )
