"""Current verdicts kept in memory, dropped as soon as the store says they changed.

Reading a verdict from the store costs a transaction; the platform asks for the same
accounts' verdicts on every request. Each lookup first polls the store's change feed
(``ownergate.store.changes``: a pragma on SQLite, a notification queue on PostgreSQL) and
forgets the accounts it names, so a decision appended by any process is served from the
next lookup on (on PostgreSQL: once its notification has arrived). Entries also expire when
the override they carry does, and after ``ttl`` seconds at most.

The race it guards against: a reader that read the store before a change and stores its
result after another lookup already forgot that account. Every forgetting bumps an epoch;
``token()`` is taken before reading the store, and ``put`` keeps nothing read under an
older epoch.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from ownergate.service.pairs import utcnow
from ownergate.service.verdicts import EffectiveVerdict
from ownergate.settings import Settings
from ownergate.store import Database
from ownergate.store.changes import VerdictChanges, verdict_changes


@dataclass(frozen=True, slots=True)
class CacheStats:
    entries: int
    hits: int
    misses: int
    forgotten: int


class VerdictCache:
    def __init__(
        self,
        changes: VerdictChanges,
        *,
        max_entries: int = 100_000,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1 or ttl <= 0:
            raise ValueError("max_entries must be >= 1 and ttl > 0")
        self._changes = changes
        self._max = max_entries
        self._ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, tuple[EffectiveVerdict, float]] = OrderedDict()
        self._epoch = 0
        self._live = True
        self._lock = threading.Lock()
        self.hits = self.misses = self.forgotten = 0

    def get(self, account_id: str) -> EffectiveVerdict | None:
        """The cached verdict, or None: then read the store and ``put`` it."""
        with self._lock:
            self._sync()
            entry = self._entries.get(account_id)
            if entry is not None:
                verdict, expires = entry
                if self._clock() < expires and _override_holds(verdict):
                    self._entries.move_to_end(account_id)
                    self.hits += 1
                    return verdict
                del self._entries[account_id]
            self.misses += 1
            return None

    def token(self) -> int:
        """Take before reading the store; pass to ``put``."""
        with self._lock:
            self._sync()
            return self._epoch

    def put(self, verdict: EffectiveVerdict, token: int) -> None:
        with self._lock:
            self._sync()
            if token != self._epoch or not self._live:
                return
            self._entries[verdict.account_id] = (verdict, self._clock() + self._ttl)
            self._entries.move_to_end(verdict.account_id)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget(self, account_id: str) -> None:
        """Drop one account now (this process wrote it; the feed may lag)."""
        with self._lock:
            self._epoch += 1
            if self._entries.pop(account_id, None) is not None:
                self.forgotten += 1

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(len(self._entries), self.hits, self.misses, self.forgotten)

    def close(self) -> None:
        self._changes.close()

    def _sync(self) -> None:
        changes = self._changes.poll()
        if not changes:
            return
        self._epoch += 1
        self._live = changes.live
        if changes.everything:
            self.forgotten += len(self._entries)
            self._entries.clear()
            return
        for account in changes.accounts:
            if self._entries.pop(account, None) is not None:
                self.forgotten += 1


def _override_holds(verdict: EffectiveVerdict) -> bool:
    override = verdict.override
    return override is None or utcnow() < override.expires_at


def verdict_cache(database: Database, settings: Settings) -> VerdictCache | None:
    """The cache ``OWNERGATE_VERDICT_CACHE_*`` ask for over ``database`` (None: turned off)."""
    if settings.verdict_cache_size == 0:
        return None
    return VerdictCache(
        verdict_changes(database),
        max_entries=settings.verdict_cache_size,
        ttl=settings.verdict_cache_seconds,
    )
