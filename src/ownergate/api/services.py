"""What the HTTP layer needs from the rest of ownergate: roles, the authenticated principal
and the ``Services`` bundle routes call into.

``Services`` is a protocol so implementations plug in: ``ownergate.api.wiring`` builds the
production one over the store, and the framework tests use a keyring. The application
services it exposes are those of ``ownergate.service``; a bundle without them (the keyring)
serves only the routes that do not use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ownergate.service import (
    AccountService,
    AuditService,
    DecisionListService,
    LinkReviewService,
    OverrideService,
    PolicyService,
    ReplayService,
    ScreenService,
    SnapshotService,
)
from ownergate.service.gate import GateService
from ownergate.service.pending import PendingChangeService


class Role(StrEnum):
    """What an API key may do; each role includes everything the roles before it may."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def includes(self, needed: Role) -> bool:
        """Whether a key with this role may call an operation that needs ``needed``."""
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 0, Role.ANALYST: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the API key's id (never the key itself), its role and a label.

    With the store, ``key_id`` is the name audit rows record for the key (``key:<prefix>``),
    so it is what routes pass as the ``actor`` of a write."""

    key_id: str
    role: Role
    label: str = ""


class Services(Protocol):
    """The backends the routes use. Methods are called from worker threads, so blocking
    I/O is fine; they must be safe to call concurrently."""

    def authenticate(self, key: str) -> Principal | None:
        """The principal an API key belongs to; None for a key that is unknown or revoked."""
        ...

    def ready(self) -> Mapping[str, bool]:
        """Each dependency by name and whether it answers now, e.g. ``{"database": True}``."""
        ...

    def close(self) -> None:
        """Release connections; called once at shutdown when the app built the services."""
        ...

    @property
    def accounts(self) -> AccountService: ...

    @property
    def overrides(self) -> OverrideService: ...

    @property
    def links(self) -> LinkReviewService: ...

    @property
    def changes(self) -> PendingChangeService: ...

    @property
    def decisions(self) -> DecisionListService: ...

    @property
    def policies(self) -> PolicyService: ...

    @property
    def snapshots(self) -> SnapshotService: ...

    @property
    def audit(self) -> AuditService: ...

    @property
    def replays(self) -> ReplayService: ...

    @property
    def screening(self) -> ScreenService: ...

    @property
    def gate(self) -> GateService: ...
