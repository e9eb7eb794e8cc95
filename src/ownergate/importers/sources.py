"""Read the sources of one import, in precedence order, and merge them into a ``Registry``.

A source is a format and its files: ``interchange`` (entities file, then ownership file),
``gleif``, ``bods``, ``ftm``, or ``snapshot`` (the name of an existing snapshot, whose own
sources keep their order). Several sources are declared in a TOML file, first wins::

    [[source]]
    format = "gleif"
    paths = ["lei2.json", "rr.xml", "repex.xml"]

    [[source]]
    format = "bods"
    paths = ["statements.jsonl"]
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ownergate.errors import ConfigError, InputError, shown
from ownergate.importers.batch import registry_from_batch, reject_table
from ownergate.importers.merge import merge
from ownergate.importers.records import Reject, SourceBatch
from ownergate.snapshots import Registry, SnapshotStore
from ownergate.snapshots.store import sha256_file

FORMATS = ("interchange", "gleif", "bods", "ftm", "snapshot")


@dataclass(frozen=True)
class Options:
    """Importer settings that change what a record means (recorded in the manifest)."""

    skip_invalid: bool = False
    listed_topics: frozenset[str] = frozenset()
    consolidation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceSpec:
    format: str
    paths: tuple[str, ...]


def read_sources_file(path: Path) -> list[SourceSpec]:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not TOML: {exc}", file=str(path)) from None
    items = doc.get("source")
    if not isinstance(items, list) or not items:
        raise InputError("declare at least one [[source]]", file=str(path), field="source")
    specs = []
    for i, item in enumerate(items, 1):
        where = f"source {i}"
        if not isinstance(item, dict) or set(item) - {"format", "paths"}:
            raise InputError("a source has 'format' and 'paths' only", file=str(path), record=where)
        fmt, paths = item.get("format"), item.get("paths")
        if fmt not in FORMATS:
            raise InputError(
                f"unknown format {shown(fmt)}: one of {', '.join(FORMATS)}",
                file=str(path),
                record=where,
                field="format",
            )
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise InputError(
                "a non-empty list of paths", file=str(path), record=where, field="paths"
            )
        base = path.parent
        resolved = paths if fmt == "snapshot" else [str(base / p) for p in paths]
        specs.append(SourceSpec(fmt, tuple(resolved)))
    return specs


def read_source(spec: SourceSpec, options: Options, store: SnapshotStore) -> Registry:
    if spec.format not in FORMATS:
        raise ConfigError(f"unknown format {shown(spec.format)}: one of {', '.join(FORMATS)}")
    if spec.format == "snapshot":
        if len(spec.paths) != 1:
            raise ConfigError("a snapshot source names exactly one snapshot")
        return store.load_registry(spec.paths[0])
    paths = [Path(p) for p in spec.paths]
    for p in paths:
        if not p.is_file():
            raise InputError("file not found", file=str(p))
    if spec.format == "interchange":
        return _interchange(paths, options)
    batch = _reader(spec.format, options)(paths)
    checksums = {str(p): sha256_file(p) for p in paths}
    batch.source.setdefault("format", spec.format)
    batch.source.setdefault("paths", [str(p) for p in paths])
    batch.source["sha256"] = checksums
    batch.source["options"] = _recorded(spec.format, options)
    return registry_from_batch(batch)


def import_sources(
    specs: Sequence[SourceSpec],
    options: Options,
    store: SnapshotStore,
    progress: Callable[[str], None] | None = None,
) -> Registry:
    """Read every source (first wins) and merge them; nothing is written here."""
    registries = []
    for spec in specs:
        if progress is not None:
            progress(f"reading {spec.format} ({len(spec.paths)} file(s))")
        registries.append(read_source(spec, options, store))
    if progress is not None and len(registries) > 1:
        progress("merging sources")
    return merge(registries)


def _reader(fmt: str, options: Options) -> Callable[[list[Path]], SourceBatch]:
    if fmt == "gleif":
        from ownergate.importers.gleif import ConsolidationRule, read_gleif

        rule = ConsolidationRule.from_options(options.consolidation)
        return lambda paths: read_gleif(paths, skip_invalid=options.skip_invalid, rule=rule)
    if fmt == "bods":
        from ownergate.importers.bods import read_bods

        return lambda paths: read_bods(paths, skip_invalid=options.skip_invalid)
    from ownergate.importers.ftm import read_ftm

    topics = options.listed_topics or None
    return lambda paths: read_ftm(paths, skip_invalid=options.skip_invalid, listed_topics=topics)


def _recorded(fmt: str, options: Options) -> dict[str, Any]:
    if fmt == "ftm":
        return {"listed_topics": sorted(options.listed_topics)}
    return {}


def _interchange(paths: list[Path], options: Options) -> Registry:
    from ownergate.interchange import read_registry

    if len(paths) != 2:
        raise ConfigError("the interchange format takes two files: entities, then ownership")
    entities, ownership = paths
    rejects: list[Reject] = []
    if options.skip_invalid:
        from ownergate.importers.lenient import read_leniently

        ents, holds, rejects = read_leniently(entities, ownership)
    else:
        ents, holds = read_registry(entities, ownership)
    source = {
        "format": "interchange",
        "paths": [str(entities), str(ownership)],
        "sha256": {str(p): sha256_file(p) for p in paths},
        "counts": {"entities": len(ents), "holdings": len(holds), "rejects": len(rejects)},
    }
    registry = Registry.plain(ents, holds, source)
    return replace(registry, rejects=reject_table(rejects)) if rejects else registry
