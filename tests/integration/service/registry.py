"""A small registry for the decision service's tests, saved as real snapshots.

``CNP`` is a Chinese parent; it holds 60% of ``SGS`` (restricted), 30% of ``HOLD``
(allowed) and 80% of the Hong Kong company keyed by its LEI, ``HK_LEI`` (restricted).
``FRX`` is held by no one. In the second registry the stake in ``SGS`` is down to 40%.
"""

from __future__ import annotations

from pathlib import Path

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.graph.tables import columns_from_records
from ownergate.snapshots import Registry, Snapshot, SnapshotStore
from ownergate.store import Database


def lei(prefix: str) -> str:
    """``prefix`` (18 characters) with the ISO 17442 check digits that make it an LEI."""
    number = int("".join(str(int(c, 36)) for c in prefix + "00"))
    return f"{prefix}{98 - number % 97:02d}"


HK_LEI = lei("529900HKSUBSIDIA01")
ENTITIES = [
    Entity("CNP", name="Sino Parent", country="CN"),
    Entity("SGS", name="Lion City", country="SG"),
    Entity("HOLD", name="Neutral Holding", country="CH"),
    Entity(HK_LEI, name="Harbour Trading", country="HK"),
    Entity("FRX", name="Paris Widgets", country="FR"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("CNP", "HOLD", Share.exact("0.3")),
    Holding("CNP", HK_LEI, Share.exact("0.8")),
]
LATER_HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.4")),
    *HOLDINGS[1:],
]
# A second policy version: only Russia is a restricted region.
RUSSIA_ONLY = 'name = "russia-only"\nregions = ["RU"]\n'


def save_snapshot(data_dir: Path, name: str, holdings: list[Holding] = HOLDINGS) -> Snapshot:
    entities, stakes = columns_from_records(ENTITIES, holdings)
    registry = Registry.plain(entities, stakes, {"format": "test"})
    return SnapshotStore(data_dir).save(name, registry, "tests")


def create_keys(database_url: str) -> dict[str, str]:
    """Plain API keys by name: viewer, analyst, analyst_b (a second analyst) and admin."""
    db = Database(database_url)
    try:
        with db.write() as store:
            return {
                name: store.api_keys.create(role=role, label=name, actor="tests").plain
                for name, role in (
                    ("viewer", "viewer"),
                    ("analyst", "analyst"),
                    ("analyst_b", "analyst"),
                    ("admin", "admin"),
                )
            }
    finally:
        db.dispose()


def activate_snapshot(
    db: Database, data_dir: Path, name: str, holdings: list[Holding] = HOLDINGS
) -> str:
    """Save, register and activate a snapshot; returns its digest."""
    snapshot = save_snapshot(data_dir, name, holdings)
    with db.write() as store:
        store.snapshots.register(name, snapshot.manifest, actor="key:admin")
        store.snapshots.activate(snapshot.digest, actor="key:admin")
    return snapshot.digest


def activate_policy(db: Database, toml: str = RUSSIA_ONLY) -> int:
    """Draft, publish and activate a policy; returns its version."""
    with db.write() as store:
        version = store.policies.create_draft(toml, actor="key:admin").version
        store.policies.publish(version, actor="key:admin")
        store.policies.activate(version, actor="key:admin")
    return version
