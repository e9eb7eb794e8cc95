"""Registry snapshots the service decides on: registered by name from the data directory
(where ``ownergate ingest`` put them), then activated by digest.

The store keeps a snapshot's manifest; its files stay in the data directory. Activation
checks they are there, so the active snapshot is always one decisions can be made on.
"""

from __future__ import annotations

from dataclasses import dataclass

from ownergate.errors import ConfigError, InputError, shown
from ownergate.snapshots import SnapshotStore
from ownergate.store import (
    ConflictError,
    Database,
    NotFoundError,
    RegisteredSnapshot,
    Repositories,
)


@dataclass(frozen=True, slots=True)
class SnapshotRecord:
    snapshot: RegisteredSnapshot
    active: bool


class SnapshotService:
    def __init__(self, db: Database, files: SnapshotStore) -> None:
        self._db = db
        self._files = files

    def register(self, name: str, *, actor: str) -> tuple[SnapshotRecord, bool]:
        """Register the data directory's snapshot ``name``; returns it and whether it was
        new (registering it again changes nothing)."""
        try:
            found = self._files.get(name)
        except (InputError, ConfigError):
            # Their messages name the data directory, a server-side path.
            raise NotFoundError(f"no snapshot named {shown(name)} in the data directory") from None
        with self._db.write() as store:
            try:
                store.snapshots.get(found.digest)
                created = False
            except NotFoundError:
                created = True
            registered = store.snapshots.register(name, found.manifest, actor=actor)
            return SnapshotRecord(registered, _active_digest_of(store) == found.digest), created

    def activate(self, digest: str, *, actor: str) -> SnapshotRecord:
        """Make a registered snapshot the active one from now on."""
        with self._db.write() as store:
            registered = store.snapshots.get(digest)
            try:
                self._files.by_digest(digest)
            except InputError:
                raise ConflictError(
                    f"snapshot {digest} is registered but its files are not in the data "
                    "directory: import it again before activating it"
                ) from None
            store.snapshots.activate(digest, actor=actor)
            return SnapshotRecord(registered, True)

    def list(self) -> list[SnapshotRecord]:
        """Every registered snapshot, oldest first."""
        with self._db.read() as store:
            active = _active_digest_of(store)
            return [SnapshotRecord(s, s.digest == active) for s in store.snapshots.list()]


def _active_digest_of(store: Repositories) -> str | None:
    try:
        return store.snapshots.active().digest
    except NotFoundError:
        return None
