"""Where a decision's data came from: each holding's source record and the stated facts.

Attached to an evidence document explained from a snapshot, as ``provenance``: the
sources (format, files, precedence), for every holding of the evidence sub-registry its
source and record id, and the facts the sources state about its entities (GLEIF reporting
exceptions and ultimate parents, BODS indirect interests as published, sanctions topics),
which are shown but never computed with.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ownergate.snapshots import SnapshotStore


def attach_provenance(doc: dict[str, Any], store: SnapshotStore, name: str) -> None:
    snap = store.get(name)
    sources = snap.manifest.get("sources", [])
    registry = doc.get("registry", {})
    rows = [int(h["row"]) for h in registry.get("holdings", []) if "row" in h]
    holdings: list[dict[str, Any]] = []
    path = snap.path / "holdings.parquet"
    if rows and "source" in pq.read_schema(path).names:
        table = pq.read_table(path, columns=["source", "record", "relation"])
        picked = table.take(pa.array(rows, pa.int64())).to_pylist()
        for row, got in zip(rows, picked, strict=True):
            holdings.append({"row": row, **got})
    ids = [e["id"] for e in registry.get("entities", [])]
    facts = store.table(name, "facts")
    if ids and facts.num_rows:
        facts = facts.filter(pc.is_in(facts.column("entity"), value_set=pa.array(ids)))
    _interchange_lines(holdings, sources)
    doc["provenance"] = {
        "snapshot": {"name": snap.name, "digest": snap.digest},
        "sources": [
            {k: s.get(k) for k in ("precedence", "format", "paths", "path") if k in s}
            for s in sources
        ],
        "holdings": holdings,
        "facts": facts.to_pylist() if ids else [],
    }


def source_label(doc: dict[str, Any], index: int | None) -> str:
    sources = doc.get("provenance", {}).get("sources", [])
    if index is None or not 0 <= index < len(sources):
        return "unknown source"
    s = sources[index]
    files = s.get("paths") or [s.get("path", "")]
    # Record ids name the record within the source (statement id, LEI, relationship key);
    # naming one file of several would mislead.
    where = str(files[0]).rsplit("/", 1)[-1] if len(files) == 1 else f"{len(files)} files"
    return f"source {index} ({s.get('format', '?')}, {where})"


def _interchange_lines(holdings: list[dict[str, Any]], sources: list[dict[str, Any]]) -> None:
    """Name each holding of an interchange source by its ownership file and line, as the
    import's errors do, when that file is still the one imported (same SHA-256) and the
    import skipped no record (snapshot rows are then the file's records in order)."""
    from pathlib import Path

    from ownergate.interchange.lines import record_labels
    from ownergate.snapshots.store import sha256_file

    for index, source in enumerate(sources):
        if source.get("format") != "interchange" or len(source.get("paths") or ()) != 2:
            continue
        path = Path(source["paths"][1])
        mine = [h for h in holdings if h.get("source", 0) == index and not h.get("record")]
        if not mine:
            continue
        for h in mine:
            h["file"] = path.name
        intact = (
            path.is_file()
            and (source.get("sha256") or {}).get(str(path)) == sha256_file(path)
            and not (source.get("counts") or {}).get("rejects")
        )
        labels = (
            record_labels(path, [h["row"] for h in mine])
            if intact
            else [
                f"record {h['row'] + 1} (the file has changed since it was imported)" for h in mine
            ]
        )
        for h, label in zip(mine, labels, strict=True):
            h["line"] = label
