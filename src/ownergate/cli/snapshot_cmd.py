"""``ownergate ingest`` and ``ownergate snapshots``: registries kept as snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.table import Table

from ownergate.cli.common import console, fail, settings
from ownergate.errors import OwnergateError
from ownergate.graph.tables import EntityColumns, HoldingColumns
from ownergate.snapshots import SnapshotStore


def store_from_settings() -> SnapshotStore:
    return SnapshotStore(settings().data_dir)


def snapshot_entity_column(snapshot: str, column: str) -> pa.Array | None:
    """One column of a snapshot's entities (``other_names``, ``identifiers``...); None for
    an older snapshot without it."""
    return store_from_settings().entity_column(snapshot, column)


def snapshots(
    gc: Annotated[
        bool,
        typer.Option(
            "--gc",
            help="First remove what interrupted imports left (staging folders no live "
            "import holds, temporary names a minute old).",
        ),
    ] = False,
) -> None:
    """List the snapshots in OWNERGATE_DATA_DIR."""
    try:
        store = store_from_settings()
        removed = store.sweep() if gc else []
        found = store.list()
    except OwnergateError as exc:
        fail(exc)
        return
    if gc:
        console.print(f"removed {len(removed)} leftover(s) of interrupted writes", highlight=False)
        for path in removed:
            console.print(f"  {path.relative_to(store.root)}", markup=False, highlight=False)
    table = Table(title=f"Snapshots in {store.root}", title_justify="left")
    numeric = ("entities", "holdings", "facts", "conflicts")
    for col in ("name", "digest", "imported", "sources", *numeric):
        table.add_column(col, justify="right" if col in numeric else "left")
    for snap in found:
        m = snap.manifest
        counts = m["counts"]
        formats = sorted({str(s.get("format", "?")) for s in m.get("sources", [])})
        table.add_row(
            snap.name,
            snap.digest[:12],
            m["imported_at"],
            ", ".join(formats),
            *(f"{counts.get(c, 0):,}" for c in numeric),
        )
    console.print(table)


def load_snapshot(name: str) -> tuple[EntityColumns, HoldingColumns]:
    return store_from_settings().load(name)


def diff(
    before: Annotated[str, typer.Argument(metavar="A", help="The earlier snapshot.")],
    after: Annotated[str, typer.Argument(metavar="B", help="The later snapshot.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write every change (.jsonl, .csv or .parquet)."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="Changes to print per table.")] = 20,
) -> None:
    """List entities and holdings added, removed or changed from snapshot A to snapshot B."""
    from ownergate.interchange import write_decisions
    from ownergate.snapshots.diff import diff_registries

    try:
        store = store_from_settings()
        result = diff_registries(store.load(before), store.load(after))
        if out is not None:
            write_decisions(out, _change_table(result))
    except OwnergateError as exc:
        fail(exc)
        return
    counts = Table(title=f"{before} -> {after}", title_justify="left")
    counts.add_column("change")
    counts.add_column("count", justify="right")
    for what, count in result.counts().items():
        counts.add_row(what, f"{count:,}")
    counts.add_row("entities to re-screen from", f"{len(result.touched):,}")
    console.print(counts)
    for title, table in (("Entities", result.entities), ("Holdings", result.holdings)):
        if not table.num_rows:
            continue
        shown = Table(
            title=f"{title} ({min(limit, table.num_rows):,} of {table.num_rows:,})",
            title_justify="left",
        )
        for col in table.column_names:
            shown.add_column(col)
        for row in table.slice(0, limit).to_pylist():
            shown.add_row(*("" if v is None else str(v) for v in row.values()))
        console.print(shown)
    if out is not None:
        console.print(f"changes written to {out}")


def _change_table(result: Any) -> pa.Table:
    ents, holds = result.entities, result.holdings
    blank_e = pa.nulls(ents.num_rows, pa.string())
    blank_h = pa.nulls(holds.num_rows, pa.string())
    parts = [
        pa.table(
            {
                "object": pa.array(["entity"] * ents.num_rows, pa.string()),
                "change": ents.column("change"),
                "id": ents.column("id"),
                "owner": blank_e,
                "owned": blank_e,
                "basis": blank_e,
                "nominee_for": blank_e,
                "fields": ents.column("fields"),
                "old": ents.column("old"),
                "new": ents.column("new"),
            }
        ),
        pa.table(
            {
                "object": pa.array(["holding"] * holds.num_rows, pa.string()),
                "change": holds.column("change"),
                "id": blank_h,
                "owner": holds.column("owner"),
                "owned": holds.column("owned"),
                "basis": holds.column("basis"),
                "nominee_for": holds.column("nominee_for"),
                "fields": blank_h,
                "old": holds.column("old"),
                "new": holds.column("new"),
            }
        ),
    ]
    return pa.concat_tables(parts)


def print_provenance_report(name: str, top: int) -> None:
    """What ``validate`` adds for a snapshot: its sources, merge outcome and conflicts."""
    store = store_from_settings()
    snap = store.get(name)
    m = snap.manifest
    sources = Table(title=f"Sources of {name} (first wins)", title_justify="left")
    for col in ("#", "format", "files", "entities", "holdings", "facts", "rejects"):
        sources.add_column(col, justify="right" if col not in ("format", "files") else "left")
    for i, s in enumerate(m.get("sources", [])):
        c = s.get("counts", {})
        files = s.get("paths") or [s.get("path", "")]
        sources.add_row(
            str(s.get("precedence", i)),
            str(s.get("format", "")),
            ", ".join(str(f).rsplit("/", 1)[-1] for f in files),
            *(f"{c[k]:,}" if k in c else "" for k in ("entities", "holdings", "facts", "rejects")),
        )
    console.print(sources)
    counts = m.get("counts", {})
    merge = Table(title="Merge", title_justify="left")
    merge.add_column("check")
    merge.add_column("count", justify="right")
    for key, label in (
        ("placeholders", "entities named by a holding, described by no source"),
        ("superseded", "holdings also stated by a higher-precedence source"),
        ("conflicts", "conflicts between sources"),
        ("rejects", "records rejected (--skip-invalid)"),
    ):
        merge.add_row(label, f"{counts.get(key, 0):,}")
    console.print(merge)
    conflicts = store.table(name, "conflicts")
    if conflicts.num_rows:
        shown = Table(
            title=f"Conflicts ({min(top, conflicts.num_rows):,} of {conflicts.num_rows:,})",
            title_justify="left",
        )
        for col in ("kind", "subject", "kept", "from", "other", "from "):
            shown.add_column(col)
        for c in conflicts.slice(0, top).to_pylist():
            shown.add_row(
                c["kind"],
                c["subject"],
                c["kept"],
                str(c["kept_source"]),
                c["other"],
                str(c["other_source"]),
            )
        console.print(shown)
