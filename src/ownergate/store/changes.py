"""Which accounts' verdicts changed since a reader last asked, across processes.

A verdict is the newest decision plus the approved override in force, with the account's
declared country, so appended decisions and override reviews (both tables are append-only)
and account writes change one. ``changes(db)``
returns a ``VerdictChanges`` whose ``poll()`` answers "what changed since my last poll",
cheaply enough to call on every lookup:

- SQLite: ``PRAGMA data_version`` on a connection of its own says whether any other
  connection (any process) committed; only then are the decisions and reviews appended
  since the last poll read, by id, and the accounts written, by audit sequence number.
  Writers take the file's write lock for the whole transaction, so ids become visible in
  id order and "id above the last one seen" misses nothing.
- PostgreSQL: sequences do not commit in order, so instead a listener thread collects the
  ``ownergate_verdicts`` notifications the store's triggers send at commit (migration
  0002). They arrive asynchronously: a commit in another process reaches this one after
  the time a notification takes on loopback (well under a millisecond), and while the
  listener is disconnected ``poll`` answers "everything, and do not cache".
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from typing import Protocol

import psycopg

from ownergate.store.database import Database

CHANNEL = "ownergate_verdicts"
# Beyond this many changed accounts a reader forgets everything instead of each one.
BULK = 1000

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Changes:
    """What ``poll`` saw: ``accounts`` whose verdicts may have changed, or ``everything``;
    ``live`` is False while changes cannot be followed (nothing may be cached then)."""

    accounts: frozenset[str] = frozenset()
    everything: bool = False
    live: bool = True

    def __bool__(self) -> bool:
        return self.everything or bool(self.accounts) or not self.live


NOTHING = Changes()


class VerdictChanges(Protocol):
    def poll(self) -> Changes: ...

    def close(self) -> None: ...


def verdict_changes(database: Database) -> VerdictChanges:
    """The change feed for the database's backend."""
    url = database.engine.url
    if database.dialect == "postgresql":
        return PostgresChanges(url.set(drivername="postgresql").render_as_string(False))
    assert url.database is not None
    return SQLiteChanges(url.database)


class SQLiteChanges:
    """``PRAGMA data_version`` first, the appended rows only when it moved."""

    def __init__(self, path: str) -> None:
        self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        # Its own writes would not move its data_version; it makes none.
        self._connection.execute("PRAGMA query_only = ON")
        self._lock = threading.Lock()
        with self._lock:
            self._version = self._data_version()
            self._decision, self._review, self._audit = self._heads()

    def poll(self) -> Changes:
        with self._lock:
            version = self._data_version()
            if version == self._version:
                return NOTHING
            self._version = version
            return self._appended()

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _data_version(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def _heads(self) -> tuple[int, int, int]:
        row = self._connection.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM decisions), "
            "(SELECT coalesce(max(id), 0) FROM override_reviews), "
            "(SELECT coalesce(max(seq), 0) FROM audit_log)"
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def _appended(self) -> Changes:
        db = self._connection
        db.execute("BEGIN")
        try:
            decision, review, audit = self._heads()
            bounds = (self._decision, decision, self._review, review, self._audit, audit)
            rows = db.execute(
                "SELECT account_id FROM decisions WHERE id > ? AND id <= ? "
                "UNION SELECT o.account_id FROM override_reviews AS r "
                "JOIN overrides AS o ON o.id = r.override_id WHERE r.id > ? AND r.id <= ? "
                "UNION SELECT object_id FROM audit_log "
                "WHERE seq > ? AND seq <= ? AND object_type = 'account' "
                f"LIMIT {BULK + 1}",
                bounds,
            ).fetchall()
            found = None if len(rows) > BULK else frozenset(str(r[0]) for r in rows)
        finally:
            db.execute("COMMIT")
        self._decision, self._review, self._audit = decision, review, audit
        if found is None:
            return Changes(everything=True)
        return Changes(accounts=found) if found else NOTHING


class PostgresChanges:
    """LISTEN on a connection of its own, in a daemon thread that reconnects."""

    RETRY_S = 1.0

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._pending: set[str] = set()
        self._everything = False
        self._live = False
        self._listening = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ownergate-changes", daemon=True)
        self._thread.start()
        # A cache that starts before LISTEN would miss what commits in between.
        self._listening.wait(timeout=5.0)

    def poll(self) -> Changes:
        with self._lock:
            if not self._live:
                return Changes(everything=True, live=False)
            if self._everything:
                changes = Changes(everything=True)
            elif self._pending:
                changes = Changes(accounts=frozenset(self._pending))
            else:
                return NOTHING
            self._pending = set()
            self._everything = False
            return changes

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    with self._lock:
                        # After a reconnect, whatever committed meanwhile is unknown.
                        self._everything = self._listening.is_set()
                        self._live = True
                    self._listening.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=0.5):
                            self._note(note.payload)
            except psycopg.Error as exc:
                log.warning("verdict change listener lost its connection: %s", exc)
            finally:
                with self._lock:
                    self._live = False
                self._listening.set()
            self._stop.wait(self.RETRY_S)

    def _note(self, payload: str) -> None:
        with self._lock:
            if payload == "*" or len(self._pending) >= BULK:
                self._everything = True
                self._pending = set()
            elif not self._everything:
                self._pending.add(payload)
