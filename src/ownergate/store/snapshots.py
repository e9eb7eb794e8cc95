"""Registry snapshots known to the service, registered from the importer's manifests.

The store keeps a snapshot's digest, name and manifest, not its data: the data stay in the
snapshot directory (``ownergate.snapshots.SnapshotStore``), and the digest pins a decision
to the exact content it was computed on.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import InputError, shown
from ownergate.store import activations, checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import RegisteredSnapshot, SnapshotActivation
from ownergate.store.states import snapshot_state
from ownergate.store.types import utcnow

_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class SnapshotRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def register(self, name: str, manifest: dict[str, Any], *, actor: str) -> RegisteredSnapshot:
        """Register a snapshot from its ``manifest.json`` (which names its ``digest``).

        Registering the same digest again returns the stored row and writes nothing; the
        same digest under another name is a conflict (a digest has one name here).
        """
        checks.text(name, "name", 100)
        if not isinstance(manifest, dict):
            raise InputError("must be the snapshot's manifest (a JSON object)", field="manifest")
        digest = manifest.get("digest")
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            raise InputError("names no SHA-256 digest", field="manifest.digest")
        with self._audit.writing(actor):
            existing = self.session.get(RegisteredSnapshot, digest)
            if existing is not None:
                if existing.name != name:
                    raise ConflictError(
                        f"snapshot {digest} is registered already as {shown(existing.name)}"
                    )
                return existing
            snapshot = RegisteredSnapshot(
                digest=digest, name=name, manifest=manifest, registered_at=utcnow()
            )
            self.session.add(snapshot)
            self.session.flush()
            self._audit.append(
                actor,
                "snapshot.register",
                "snapshot",
                digest,
                snapshot_state(snapshot),
            )
        return snapshot

    def activate(
        self, digest: str, *, actor: str, active_from: dt.datetime | None = None
    ) -> SnapshotActivation:
        """Make a registered snapshot the active one from ``active_from`` (default: now)."""
        with self._audit.writing(actor):
            self.get(digest)
            return activations.append(
                self.session,
                self._audit,
                SnapshotActivation(digest=digest),
                actor=actor,
                active_from=active_from,
                action="snapshot.activate",
            )

    def active(self, at: dt.datetime | None = None) -> RegisteredSnapshot:
        """The snapshot active at ``at`` (default: now)."""
        activation = activations.latest(self.session, SnapshotActivation, at)
        if activation is None:
            raise NotFoundError("no snapshot is active" + ("" if at is None else f" at {at}"))
        return self.get(activation.digest)

    def get(self, digest: str) -> RegisteredSnapshot:
        snapshot = self.session.get(RegisteredSnapshot, digest)
        if snapshot is None:
            raise NotFoundError(f"no snapshot {shown(digest)} is registered")
        return snapshot

    def find(self, name: str) -> list[RegisteredSnapshot]:
        """The snapshots registered under ``name``, oldest first."""
        query = (
            select(RegisteredSnapshot)
            .where(RegisteredSnapshot.name == name)
            .order_by(RegisteredSnapshot.registered_at)
        )
        return list(self.session.scalars(query))

    def activations(self) -> list[SnapshotActivation]:
        return activations.history(self.session, SnapshotActivation)

    # Last in the class: defined earlier, ``list`` would shadow the builtin in the
    # annotations of the methods after it.
    def list(self) -> list[RegisteredSnapshot]:
        query = select(RegisteredSnapshot).order_by(
            RegisteredSnapshot.registered_at, RegisteredSnapshot.digest
        )
        return list(self.session.scalars(query))
