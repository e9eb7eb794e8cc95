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
