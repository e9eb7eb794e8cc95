"""A ``GateService`` over the store and IP data the settings name, for the middleware."""

from __future__ import annotations

from ownergate.ipintel import IpDataStore, IpIntel
from ownergate.service import AccountService, Deciders
from ownergate.service.gate import GateService
from ownergate.service.gate_audit import gate_audit
from ownergate.service.verdict_cache import verdict_cache
from ownergate.settings import Settings
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database, upgrade


def open_gate(settings: Settings) -> GateService:
    """The gate over ``OWNERGATE_DATABASE_URL`` (migrated) and the IP data; its verdict
    cache follows the store's changes, whichever process writes them."""
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    cache = verdict_cache(database, settings)

    def close() -> None:
        if cache is not None:
            cache.close()
        database.dispose()

    accounts = AccountService(database, Deciders(database, SnapshotStore(settings.data_dir)), cache)
    return GateService(
        database,
        accounts,
        lambda: IpIntel.open(settings),
        audit=gate_audit(database, settings),
        on_close=close,
        intel_version=IpDataStore.of(settings).current,
    )
