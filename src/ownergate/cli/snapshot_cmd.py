"""``ownergate ingest`` and ``ownergate snapshots``: registries kept as snapshots."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.table import Table

from ownergate import __version__
from ownergate.cli.common import EntitiesOpt, OwnershipOpt, console, fail, settings
from ownergate.errors import OwnergateError
from ownergate.graph.tables import EntityColumns, HoldingColumns
from ownergate.snapshots import SnapshotStore


def store_from_settings() -> SnapshotStore:
    return SnapshotStore(settings().data_dir)


def ingest(
    entities: EntitiesOpt,
    ownership: OwnershipOpt,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Name of the new snapshot.")],
) -> None:
    """Import a registry in the interchange format as an immutable snapshot."""
    from ownergate.interchange import read_registry

    started = time.perf_counter()
    try:
        store = store_from_settings()
        ents, holds = read_registry(entities, ownership)
        sources = [
            {"format": "interchange", "path": str(entities), "role": "entities"},
            {"format": "interchange", "path": str(ownership), "role": "ownership"},
        ]
        snap = store.save(snapshot, ents, holds, sources, f"ownergate {__version__}")
    except OwnergateError as exc:
        fail(exc)
        return
    counts = snap.manifest["counts"]
    console.print(
        f"snapshot {snap.name} ({snap.digest[:12]}): {counts['entities']:,} entities, "
        f"{counts['holdings']:,} holdings in {time.perf_counter() - started:.1f} s"
    )


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
