"""The production ``Services`` for a ``Settings``: where the store plugs into the API.

``build_services`` migrates the database at ``OWNERGATE_DATABASE_URL`` (idempotent; a new
store gets the seed policy, active) and builds the application services over it and the
snapshots in ``OWNERGATE_DATA_DIR``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ownergate.api.services import Principal, Role, Services
from ownergate.errors import ConfigError
from ownergate.ipintel import IpDataStore, IpIntel
from ownergate.service import (
    AccountService,
    AuditService,
    Deciders,
    DecisionListService,
    LinkReviewService,
    OverrideService,
    PolicyService,
    ReplayService,
    ScreenService,
    SnapshotService,
    VerdictCache,
)
from ownergate.service.gate import GateService
from ownergate.service.gate_audit import GateAudit, gate_audit
from ownergate.service.pending import PendingChangeService
from ownergate.service.verdict_cache import verdict_cache
from ownergate.settings import Settings
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database, upgrade

log = logging.getLogger(__name__)

# Routes run in the server's worker threads (40 by default): each may hold a connection.
POOL_SIZE = 10
POOL_OVERFLOW = 40


class StoreServices:
    """The services over one store and one snapshot directory."""

    def __init__(
        self,
        database: Database,
        snapshots: SnapshotStore,
        cache: VerdictCache | None = None,
        *,
        intel: Callable[[], IpIntel] | None = None,
        intel_version: Callable[[], object] | None = None,
        audit: GateAudit | None = None,
    ) -> None:
        self.database = database
        self.verdict_cache = cache
        self.deciders = Deciders(database, snapshots)
        self.accounts = AccountService(database, self.deciders, cache)
        self.overrides = OverrideService(database, cache)
        # The same AccountService: its re-decisions after an answer go through the cache.
        self.links = LinkReviewService(database, self.deciders, self.accounts)
        self.changes = PendingChangeService(database, self.accounts, self.links)
        self.policies = PolicyService(database)
        self.snapshots = SnapshotService(database, snapshots)
        self.audit = AuditService(database)
        self.decisions = DecisionListService(database)
        self.replays = ReplayService(database, self.deciders)
        self.screening = ScreenService(database, self.deciders)
        self._intel = intel
        self._intel_version = intel_version
        self._gate: GateService | None = None
        self._gate_lock = threading.Lock()
        # Made at start-up, not with the gate: it replays what a crashed server journalled.
        self._gate_audit = audit

    @property
    def gate(self) -> GateService:
        """The request gate (built on first use; its IP index opens lazily)."""
        with self._gate_lock:
            if self._gate is None:
                if self._intel is None:
                    raise ConfigError("the request gate needs IP data: none is configured")
                self._gate = GateService(
                    self.database,
                    self.accounts,
                    self._intel,
                    audit=self._gate_audit,
                    intel_version=self._intel_version,
                )
            return self._gate

    def authenticate(self, key: str) -> Principal | None:
        with self.database.read() as store:
            found = store.api_keys.authenticate(key)
        if found is None:
            return None
        return Principal(key_id=found.actor, role=Role(found.role.value), label=found.label)

    def ready(self) -> Mapping[str, bool]:
        try:
            with self.database.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return {"database": False}
        return {"database": True}

    def close(self) -> None:
        if self._gate is not None:
            self._gate.close()
        elif self._gate_audit is not None:
            self._gate_audit.close()
        if self.verdict_cache is not None:
            self.verdict_cache.close()
        self.database.dispose()


def build_services(settings: Settings) -> Services:
    """The services ``create_app`` uses when it is given none."""
    upgrade(settings.database_url)
    database = Database(settings.database_url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
    cache = verdict_cache(database, settings)
    return StoreServices(
        database,
        SnapshotStore(settings.data_dir),
        cache,
        intel=lambda: IpIntel.open(settings, notify=log.info),
        intel_version=IpDataStore.of(settings).current,
        audit=gate_audit(database, settings),
    )
