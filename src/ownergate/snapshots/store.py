"""A directory of immutable registry snapshots.

Each snapshot is ``snapshots/<digest>/`` holding Parquet files and ``manifest.json``:

- ``entities.parquet``: ids, names, kinds, countries, listing, status, other names,
  identifiers, and whether the entity is only a placeholder named by a holding;
- ``holdings.parquet``: integer entity rows, scaled shares, day numbers, and for each row
  the source (index into the manifest's ``sources``), its record id and relation type;
- ``facts.parquet``, ``superseded.parquet``, ``conflicts.parquet``, ``rejects.parquet``:
  stated facts, holdings another source also stated (evidence, not counted), disagreements
  between sources, and records left out under ``--skip-invalid``.

Beside them, ``arrays/`` holds the same engine columns as raw, memory-mappable arrays
(``snapshots.arrays``) and, once screened, the engine's prepared graph per policy
(``snapshots.prepared``): derived data, so not part of the digest, and what makes screening
a snapshot need no parsing at all.

The digest is the SHA-256 of the data files' checksums, so equal content is stored once; a
name is a small file under ``refs/`` naming a digest. Everything is written to a temporary
directory first and moved into place with one rename: an interrupted import leaves no
partial snapshot. Reading needs no string-id mapping: holdings already refer to entity rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ownergate.errors import ConfigError, InputError, NameTakenError, shown
from ownergate.graph.tables import HOLDING_COLUMNS, EntityColumns, HoldingColumns
from ownergate.snapshots.arrays import has_arrays, read_arrays, write_arrays
from ownergate.snapshots.registry import (
    CONFLICT_SCHEMA,
    ENTITY_EXTRA_SCHEMA,
    FACT_SCHEMA,
    REJECT_SCHEMA,
    SUPERSEDED_SCHEMA,
    Registry,
    in_dependency_order,
)
from ownergate.snapshots.sweep import MIN_AGE_SECONDS, staging_directory, sweep

FORMAT_VERSION = 2
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_DIGEST = re.compile(r"^[0-9a-f]{64}$")
_ENTITY_COLUMNS = ("id", "name", "kind", "country", "legal_country", "listed")
_SIDE_TABLES = {
    "facts": FACT_SCHEMA,
    "superseded": SUPERSEDED_SCHEMA,
    "conflicts": CONFLICT_SCHEMA,
    "rejects": REJECT_SCHEMA,
}
DATA_FILES = (
    "entities.parquet",
    "holdings.parquet",
    *(f"{t}.parquet" for t in _SIDE_TABLES),
)


@dataclass(frozen=True)
class Snapshot:
    name: str
    digest: str
    path: Path
    manifest: dict[str, Any]


def sha256_file(path: Path) -> str:
    """The hex SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_entities(path: Path, registry: Registry) -> None:
    entities = registry.entities
    n = len(entities)
    names = entities.names if entities.names is not None else [""] * n
    columns: dict[str, Any] = {
        "id": pa.array(entities.ids, type=pa.string()),
        "name": pa.array(names, type=pa.string()),
        "kind": pa.array(entities.kind),
        "country": pa.array(entities.country),
        "legal_country": pa.array(entities.legal_country),
        "listed": pa.array(entities.listed),
    }
    for name in ENTITY_EXTRA_SCHEMA.names:
        columns[name] = registry.entity_extra.column(name)
    pq.write_table(pa.table(columns), path)


def _write_holdings(path: Path, registry: Registry) -> None:
    holdings = registry.holdings
    columns: dict[str, Any] = {c: pa.array(getattr(holdings, c)) for c in HOLDING_COLUMNS}
    columns["source"] = pa.array(registry.holding_source.astype(np.int16))
    columns["record"] = pa.array(registry.holding_record, pa.string())
    columns["relation"] = pa.array(registry.holding_relation, pa.string())
    pq.write_table(pa.table(columns), path)


def _write_staging(
    staging: Path, registry: Registry, blocks: npt.NDArray[np.int64], importer: str
) -> str:
    """Every file of the snapshot into ``staging``, synced; returns its digest."""
    # The big writes are independent, and pyarrow and numpy release the GIL.
    with ThreadPoolExecutor(max_workers=3) as pool:
        jobs = [
            pool.submit(_write_entities, staging / "entities.parquet", registry),
            pool.submit(_write_holdings, staging / "holdings.parquet", registry),
            pool.submit(write_arrays, staging, registry.entities, registry.holdings, blocks),
        ]
        for job in jobs:
            job.result()
    for table, schema in _SIDE_TABLES.items():
        data = getattr(registry, table).cast(schema)
        pq.write_table(data, staging / f"{table}.parquet")
    checksums = {f: sha256_file(staging / f) for f in DATA_FILES}
    digest = hashlib.sha256("".join(f"{f}:{checksums[f]}\n" for f in DATA_FILES).encode())
    placeholders = registry.entity_extra.column("placeholder")
    manifest = {
        "format": FORMAT_VERSION,
        "digest": digest.hexdigest(),
        "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "importer": importer,
        "sources": registry.sources,
        "counts": {
            "entities": len(registry.entities),
            "holdings": len(registry.holdings),
            "placeholders": pc.sum(placeholders).as_py() or 0,
            **{t: getattr(registry, t).num_rows for t in _SIDE_TABLES},
        },
        "checksums": checksums,
        "country_vocab": list(registry.entities.country_vocab),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    # Synced before the rename publishes them: a crash never leaves a named, torn snapshot.
    for path in staging.rglob("*"):
        if path.is_file():
            _fsync(path)
    _fsync(staging)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _taken(name: str) -> NameTakenError:
    return NameTakenError(
        f"snapshot {shown(name)} exists already; snapshots are immutable", field="--snapshot"
    )


class SnapshotStore:
    """Snapshots under ``root`` (``OWNERGATE_DATA_DIR`` in the CLI)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _check_name(self, name: str) -> None:
        if not _NAME.match(name):
            raise ConfigError(
                f"snapshot name {shown(name)}: use letters, digits, '.', '_' or '-' (at most 100)"
            )

    def check_new(self, name: str) -> None:
        """Fail early (before a long import) when ``name`` is invalid or taken; ``save``
        checks again, atomically, when it takes the name."""
        self._check_name(name)
        if (self.root / "refs" / name).exists():
            raise _taken(name)

    def sweep(self, *, min_age: float = MIN_AGE_SECONDS) -> list[Path]:
        """Remove what interrupted writes left (see ``snapshots.sweep``)."""
        return sweep(self.root, min_age=min_age)

    def save(self, name: str, registry: Registry, importer: str) -> Snapshot:
        """Store a registry as snapshot ``name``; an existing name is never overwritten."""
        self.check_new(name)
        (self.root / "snapshots").mkdir(parents=True, exist_ok=True)
        (self.root / "refs").mkdir(parents=True, exist_ok=True)
        self.sweep()
        # Entities are numbered in dependency order: the engine then walks them in row order.
        registry, blocks = in_dependency_order(registry)
        # Locked while it is written: the sweep of another process leaves it alone.
        with staging_directory(self.root / "snapshots") as staging:
            try:
                digest = _write_staging(staging, registry, blocks, importer)
                final = self.root / "snapshots" / digest
                try:
                    os.rename(staging, final)
                    _fsync(final.parent)
                except OSError:
                    if not final.is_dir():
                        raise
                    shutil.rmtree(staging)  # the same content, stored by another import
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
        self._take_name(name, digest)
        return self.get(name)

    def _take_name(self, name: str, digest: str) -> None:
        """Point ``refs/name`` at ``digest``, atomically and only if the name is free: the
        ref is written whole to a temporary file, then hard-linked into place, which fails
        when the name exists (two imports of one name: the second loses, naming it)."""
        refs = self.root / "refs"
        fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=refs)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(digest + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(temp, refs / name)
            except FileExistsError:
                raise _taken(name) from None
            _fsync(refs)
        finally:
            Path(temp).unlink(missing_ok=True)

    def get(self, name: str) -> Snapshot:
        self._check_name(name)
        ref = self.root / "refs" / name
        if not ref.is_file():
            raise InputError(f"no snapshot named {shown(name)} in {self.root}")
        digest = ref.read_text().strip()
        path = self.root / "snapshots" / digest
        manifest = json.loads((path / "manifest.json").read_text())
        return Snapshot(name, digest, path, manifest)

    def by_digest(self, digest: str) -> Snapshot:
        """The snapshot holding the content ``digest``, under the first name (in name order)
        that refers to it; ``load`` it by that name."""
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            raise InputError(f"{shown(digest)} is not a snapshot digest (64 hex digits)")
        refs = self.root / "refs"
        names = sorted(p.name for p in refs.iterdir()) if refs.is_dir() else []
        for name in names:
            if not name.startswith(".") and (refs / name).read_text().strip() == digest:
                return self.get(name)
        raise InputError(f"no snapshot with digest {digest} in {self.root}")

    def list(self) -> list[Snapshot]:
        refs = self.root / "refs"
        if not refs.is_dir():
            return []
        return [self.get(p.name) for p in sorted(refs.iterdir()) if not p.name.startswith(".")]

    def load(self, name: str) -> tuple[EntityColumns, HoldingColumns]:
        """The registry of snapshot ``name``: integer rows, no id mapping to redo."""
        snap = self.get(name)
        return _engine_tables(snap)

    def load_registry(self, name: str) -> Registry:
        """Everything snapshot ``name`` holds (to merge it with new sources, or diff it)."""
        snap = self.get(name)
        entities, holdings = _engine_tables(snap)
        ents = pq.read_table(snap.path / "entities.parquet", columns=ENTITY_EXTRA_SCHEMA.names)
        holds = pq.read_table(
            snap.path / "holdings.parquet", columns=["source", "record", "relation"]
        )
        return Registry(
            entities=entities,
            holdings=holdings,
            sources=list(snap.manifest["sources"]),
            entity_extra=ents.cast(ENTITY_EXTRA_SCHEMA),
            holding_source=holds.column("source").to_numpy(),
            holding_record=holds.column("record").combine_chunks(),
            holding_relation=holds.column("relation").combine_chunks(),
            **{t: self.table(name, t) for t in _SIDE_TABLES},
        )

    def entity_column(self, name: str, column: str) -> pa.Array | None:
        """One column of a snapshot's entities (``other_names``, ``identifiers``...); None
        for an older snapshot without it."""
        path = self.get(name).path / "entities.parquet"
        try:
            return pq.read_table(path, columns=[column]).column(0).combine_chunks()
        except (OSError, KeyError, pa.ArrowInvalid):
            return None

    def table(self, name: str, which: str) -> pa.Table:
        """One of the side tables (``facts``, ``superseded``, ``conflicts``, ``rejects``)."""
        schema = _SIDE_TABLES[which]
        path = self.get(name).path / f"{which}.parquet"
        return pq.read_table(path).cast(schema) if path.exists() else schema.empty_table()


def _engine_tables(snap: Snapshot) -> tuple[EntityColumns, HoldingColumns]:
    if has_arrays(snap.path):
        return read_arrays(snap.path)
    ents = pq.read_table(snap.path / "entities.parquet", columns=list(_ENTITY_COLUMNS))
    holds = pq.read_table(snap.path / "holdings.parquet", columns=list(HOLDING_COLUMNS))
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
    columns = {c: np.asarray(holds.column(c).to_numpy()) for c in HOLDING_COLUMNS}
    return entities, HoldingColumns(**columns)
