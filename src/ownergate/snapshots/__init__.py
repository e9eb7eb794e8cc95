"""Immutable, content-addressed registry snapshots with dense integer ids."""

from ownergate.snapshots.store import Snapshot, SnapshotStore

__all__ = ["Snapshot", "SnapshotStore"]
