"""Immutable, content-addressed registry snapshots with dense integer ids."""

from ownergate.snapshots.registry import Registry
from ownergate.snapshots.store import Snapshot, SnapshotStore

__all__ = ["Registry", "Snapshot", "SnapshotStore"]
