"""A directory of immutable registry snapshots.

Each snapshot is ``snapshots/<digest>/`` holding ``entities.parquet`` (string ids, names,
codes), ``holdings.parquet`` (integer entity rows, scaled shares, day numbers) and
``manifest.json`` (sources, counts, checksums, import time, format version). The digest is
the SHA-256 of the two data files, so equal content is stored once; a name is a small file
under ``refs/`` naming a digest. Everything is written to a temporary directory first and
moved into place with one rename: an interrupted import leaves no partial snapshot.
Reading needs no string-id mapping: holdings already refer to entity rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ownergate.errors import ConfigError, InputError
from ownergate.graph.tables import EntityColumns, HoldingColumns

FORMAT_VERSION = 1
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_HOLDING_COLUMNS = (
    "owner",
    "owned",
    "nominee_for",
    "low",
    "high",
    "low_exclusive",
    "high_exclusive",
    "known",
    "basis",
    "start",
    "end",
)


@dataclass(frozen=True)
class Snapshot:
    name: str
    digest: str
    path: Path
    manifest: dict[str, Any]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_entities(path: Path, entities: EntityColumns) -> None:
    n = len(entities)
    names = entities.names if entities.names is not None else [""] * n
    table = pa.table(
        {
            "id": pa.array(entities.ids, type=pa.string()),
            "name": pa.array(names, type=pa.string()),
            "kind": pa.array(entities.kind),
            "country": pa.array(entities.country),
            "legal_country": pa.array(entities.legal_country),
            "listed": pa.array(entities.listed),
        }
    )
    pq.write_table(table, path)


def _write_holdings(path: Path, holdings: HoldingColumns) -> None:
    table = pa.table({c: pa.array(getattr(holdings, c)) for c in _HOLDING_COLUMNS})
    pq.write_table(table, path)


class SnapshotStore:
    """Snapshots under ``root`` (``OWNERGATE_DATA_DIR`` in the CLI)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _check_name(self, name: str) -> None:
        if not _NAME.match(name):
            raise ConfigError(
                f"snapshot name {name!r}: use letters, digits, '.', '_' or '-' (at most 100)"
            )

    def save(
        self,
        name: str,
        entities: EntityColumns,
        holdings: HoldingColumns,
        sources: list[dict[str, Any]],
        importer: str,
    ) -> Snapshot:
        """Store a registry as snapshot ``name``; an existing name is never overwritten."""
        self._check_name(name)
        ref = self.root / "refs" / name
        if ref.exists():
            raise ConfigError(f"snapshot {name!r} exists already; snapshots are immutable")
        (self.root / "snapshots").mkdir(parents=True, exist_ok=True)
        (self.root / "refs").mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root / "snapshots"))
        try:
            _write_entities(staging / "entities.parquet", entities)
            _write_holdings(staging / "holdings.parquet", holdings)
            checksums = {f: _sha256(staging / f) for f in ("entities.parquet", "holdings.parquet")}
            digest = hashlib.sha256(
                (checksums["entities.parquet"] + checksums["holdings.parquet"]).encode()
            ).hexdigest()
            manifest = {
                "format": FORMAT_VERSION,
                "digest": digest,
                "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "importer": importer,
                "sources": sources,
                "counts": {"entities": len(entities), "holdings": len(holdings)},
                "checksums": checksums,
                "country_vocab": list(entities.country_vocab),
            }
            (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            final = self.root / "snapshots" / digest
            if final.exists():
                shutil.rmtree(staging)
            else:
                os.replace(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        ref_tmp = ref.with_name(f".{name}.tmp")
        ref_tmp.write_text(digest + "\n")
        os.replace(ref_tmp, ref)
        return self.get(name)

    def get(self, name: str) -> Snapshot:
        self._check_name(name)
        ref = self.root / "refs" / name
        if not ref.is_file():
            raise InputError(f"no snapshot named {name!r} in {self.root}")
        digest = ref.read_text().strip()
        path = self.root / "snapshots" / digest
        manifest = json.loads((path / "manifest.json").read_text())
        return Snapshot(name, digest, path, manifest)

    def list(self) -> list[Snapshot]:
        refs = self.root / "refs"
        if not refs.is_dir():
            return []
        return [self.get(p.name) for p in sorted(refs.iterdir()) if not p.name.startswith(".")]

    def load(self, name: str) -> tuple[EntityColumns, HoldingColumns]:
        """The registry of snapshot ``name``: integer rows, no id mapping to redo."""
        snap = self.get(name)
        ents = pq.read_table(snap.path / "entities.parquet")
        holds = pq.read_table(snap.path / "holdings.parquet")
        ids = ents.column("id").combine_chunks()

        def find(entity_id: str) -> int | None:
            row = pc.index(ids, entity_id).as_py()
            return None if row is None or row < 0 else int(row)

        entities = EntityColumns(
            ids=ids,
            kind=ents.column("kind").to_numpy(),
            country=ents.column("country").to_numpy(),
            legal_country=ents.column("legal_country").to_numpy(),
            listed=ents.column("listed").to_numpy(),
            country_vocab=tuple(snap.manifest["country_vocab"]),
            names=ents.column("name").combine_chunks(),
            find=find,
        )
        columns = {c: np.asarray(holds.column(c).to_numpy()) for c in _HOLDING_COLUMNS}
        return entities, HoldingColumns(**columns)
