"""The (policy version, snapshot) pair decisions are made under, and a decider per pair.

The active pair is the active policy version and the active snapshot (none: decisions rest
on the declared country alone). Building a ``Decider`` loads the snapshot's files from the
data directory and screens it, which takes seconds for a large registry, so ``Deciders``
keeps the last few it built and builds each one once, however many requests ask at the
same time. Deciders for the same snapshot share its loaded tables.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

from ownergate.errors import InputError
from ownergate.graph.tables import EntityColumns, HoldingColumns, columns_from_records
from ownergate.service.decider import Decider
from ownergate.snapshots import SnapshotStore
from ownergate.store import ConflictError, Database, NotFoundError, Repositories

CACHED_DECIDERS = 2


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class Pair:
    """A policy version and a snapshot digest (None: no registry, declared countries only)."""

    policy_version: int
    snapshot_digest: str | None


def active_pair(store: Repositories) -> Pair:
    """The pair active now, read in ``store``'s transaction."""
    try:
        version = store.policies.active().version
    except NotFoundError:
        raise ConflictError("no policy is active: publish and activate a version") from None
    try:
        digest: str | None = store.snapshots.active().digest
    except NotFoundError:
        digest = None
    return Pair(version, digest)


def load_tables(snapshots: SnapshotStore, digest: str) -> tuple[EntityColumns, HoldingColumns]:
    """The registry of the snapshot with ``digest`` from the data directory."""
    try:
        snapshot = snapshots.by_digest(digest)
        tables = snapshots.load(snapshot.name)
    except InputError:
        # The store's message names the data directory, a server-side path.
        raise ConflictError(
            f"snapshot {digest} is registered but its files are not in the data directory"
        ) from None
    return tables


def empty_tables() -> tuple[EntityColumns, HoldingColumns]:
    return columns_from_records([], [])


class Deciders:
    """At most ``size`` deciders by pair, the least recently used dropped first."""

    def __init__(self, db: Database, snapshots: SnapshotStore, size: int = CACHED_DECIDERS):
        self._db = db
        self._snapshots = snapshots
        self._size = size
        self._lock = threading.Lock()
        self._cache: OrderedDict[Pair, Decider] = OrderedDict()
        self._building: dict[Pair, threading.Lock] = {}

    def get(self, pair: Pair) -> Decider:
        """The decider for ``pair``, built (once) if it is not cached."""
        with self._lock:
            found = self._hit(pair)
            if found is not None:
                return found
            gate = self._building.setdefault(pair, threading.Lock())
        # One builder per pair; requests for the same pair wait here instead of loading the
        # snapshot again, and requests for cached pairs never wait behind a build.
        with gate:
            with self._lock:
                found = self._hit(pair)
                if found is not None:
                    return found
            try:
                decider = self._build(pair)
            finally:
                with self._lock:
                    self._building.pop(pair, None)
            with self._lock:
                self._cache[pair] = decider
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return decider

    def cached(self) -> list[Pair]:
        """The pairs cached now, least recently used first."""
        with self._lock:
            return list(self._cache)

    def _hit(self, pair: Pair) -> Decider | None:
        found = self._cache.get(pair)
        if found is not None:
            self._cache.move_to_end(pair)
        return found

    def _build(self, pair: Pair) -> Decider:
        with self._db.read() as store:
            policy = store.policies.get(pair.policy_version).policy()
        return Decider(policy, *self.tables(pair.snapshot_digest))

    def tables(self, digest: str | None) -> tuple[EntityColumns, HoldingColumns]:
        """The snapshot's tables, shared with a cached decider on it when there is one."""
        if digest is None:
            return empty_tables()
        with self._lock:
            for cached_pair, decider in self._cache.items():
                if cached_pair.snapshot_digest == digest:
                    return decider.tables
        return load_tables(self._snapshots, digest)
