"""``ownergate ingest`` and ``ownergate snapshots``: registries kept as snapshots."""

from __future__ import annotations

from rich.table import Table

from ownergate.cli.common import console, fail, settings
from ownergate.errors import OwnergateError
from ownergate.graph.tables import EntityColumns, HoldingColumns
from ownergate.snapshots import SnapshotStore


def store_from_settings() -> SnapshotStore:
    return SnapshotStore(settings().data_dir)


def snapshots() -> None:
    """List the snapshots in OWNERGATE_DATA_DIR."""
    try:
        store = store_from_settings()
        found = store.list()
    except OwnergateError as exc:
        fail(exc)
        return
    table = Table(title=f"Snapshots in {store.root}", title_justify="left")
    for col in ("name", "digest", "imported", "entities", "holdings"):
        table.add_column(col, justify="right" if col in ("entities", "holdings") else "left")
    for snap in found:
        m = snap.manifest
        table.add_row(
            snap.name,
            snap.digest[:12],
            m["imported_at"],
            f"{m['counts']['entities']:,}",
            f"{m['counts']['holdings']:,}",
        )
    console.print(table)


def load_snapshot(name: str) -> tuple[EntityColumns, HoldingColumns]:
    return store_from_settings().load(name)
