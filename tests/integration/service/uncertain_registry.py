"""A registry for the fail-closed tests: the uncertain paths where ownergate used to allow
a restricted company without anyone deciding so.

- ``TGT`` (DE) is held by the Russian ``RU1``: 30%–60% in the first registry (review),
  60% in the second (restricted), 20% by ``RU2`` instead in the third (other evidence).
- ``DRAGON`` is a Chinese company "Dragon Gate Holdings"; the account declares KY.
- ``TWR`` (restricted, 70% held by the Chinese ``CNP``) and ``TWA`` (allowed) are namesakes
  "Twin Star Trading" in HK: an account of that name waits for a link review.
- ``HX1``/``HX2`` are two Huaxin companies in Singapore; ``SZ1`` is 深圳华信科技有限公司.
"""

from __future__ import annotations

from pathlib import Path

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.graph.tables import columns_from_records
from ownergate.snapshots import Registry, Snapshot, SnapshotStore
from ownergate.store import AccountRow, Database

ENTITIES = [
    Entity("RU1", name="Volga Capital", country="RU"),
    Entity("RU2", name="Ural Invest", country="RU"),
    Entity("TGT", name="Rhein Maschinen", country="DE"),
    Entity("CNP", name="Sino Parent", country="CN"),
    Entity("DRAGON", name="Dragon Gate Holdings Co., Ltd.", country="CN"),
    Entity("TWR", name="Twin Star Trading Limited", country="HK"),
    Entity("TWA", name="Twin Star Trading Ltd", country="HK"),
    Entity("HX1", name="Huaxin Technology (Singapore) Pte. Ltd.", country="SG"),
    Entity("HX2", name="Huaxin Technology Singapore Holdings Pte Ltd", country="SG"),
    Entity("SZ1", name="深圳华信科技有限公司", country="CN"),
    Entity("FRX", name="Paris Widgets", country="FR"),
]
BASE = [Holding("CNP", "TWR", Share.exact("0.7"))]
REVIEW = [*BASE, Holding("RU1", "TGT", Share.between("0.3", "0.6"))]
WORSE = [*BASE, Holding("RU1", "TGT", Share.exact("0.6"))]
OTHER = [*BASE, Holding("RU2", "TGT", Share.between("0.3", "0.6"))]

ACCOUNTS = [
    AccountRow("a-tgt", "Rhein Maschinen GmbH", "DE", entity_id="TGT"),
    AccountRow("a-dragon", "Dragon Gate Holdings", "KY"),
    AccountRow("a-twin", "Twin Star Trading", "HK"),
    AccountRow("a-huaxin", "Huaxin Technology Pte Ltd", "SG"),
    AccountRow("a-shenzhen", "Shenzhen Huaxin Keji Co Ltd", "CN"),
    AccountRow("a-nobody", "Nobody Bakery SARL", "FR"),
]


def save(data_dir: Path, name: str, holdings: list[Holding]) -> Snapshot:
    entities, stakes = columns_from_records(ENTITIES, holdings)
    return SnapshotStore(data_dir).save(
        name, Registry.plain(entities, stakes, {"format": "t"}), "t"
    )


def register(db: Database, snapshot: Snapshot, *, activate: bool = True) -> str:
    with db.write() as store:
        store.snapshots.register(snapshot.name, snapshot.manifest, actor="key:admin")
        if activate:
            store.snapshots.activate(snapshot.digest, actor="key:admin")
    return snapshot.digest
