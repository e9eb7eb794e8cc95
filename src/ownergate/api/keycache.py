"""A short-lived, bounded memory of authenticated API keys.

Authentication would otherwise cost a store query per request. Only successful lookups are
kept (an unknown key is asked about again, so a key created a moment ago works at once), keys
are held as SHA-256 digests rather than in clear, and entries expire after ``ttl`` seconds so
a revocation made by another process takes effect within that time. A revocation made in this
process calls ``evict`` and takes effect at once.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from ownergate.api.services import Principal


class KeyCache:
    def __init__(
        self,
        *,
        ttl: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 0 or max_entries < 1:
            raise ValueError("ttl must be >= 0 and max_entries >= 1")
        self.ttl = ttl
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[bytes, tuple[Principal, float]] = OrderedDict()
        # Lookups run on the event loop, evictions from worker threads.
        self._lock = threading.Lock()

    def get(self, key: str) -> Principal | None:
        digest = _digest(key)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(digest)
            if entry is None:
                return None
            principal, expires = entry
            if now >= expires:
                del self._entries[digest]
                return None
            self._entries.move_to_end(digest)
            return principal

    def put(self, key: str, principal: Principal) -> None:
        if self.ttl == 0:
            return
        digest = _digest(key)
        expires = self._clock() + self.ttl
        with self._lock:
            self._entries[digest] = (principal, expires)
            self._entries.move_to_end(digest)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def evict(self, key_id: str) -> int:
        """Forget every cached key with this id (call it when the key is revoked or its role
        changes); returns how many entries went."""
        with self._lock:
            stale = [d for d, (p, _) in self._entries.items() if p.key_id == key_id]
            for digest in stale:
                del self._entries[digest]
            return len(stale)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
