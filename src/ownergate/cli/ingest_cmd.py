"""``ownergate ingest``: read registry sources, merge them, and store one snapshot."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer

from ownergate import __version__
from ownergate.cli.common import MaybeEntitiesOpt, MaybeOwnershipOpt, console, fail, settings
from ownergate.cli.common import stage_progress as progress_bar
from ownergate.errors import ConfigError, OwnergateError, shown

FormatArg = Annotated[
    str | None,
    typer.Argument(metavar="FORMAT", help="interchange, gleif, bods, ftm or snapshot."),
]
PathsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="PATH...",
        help="Files of that format (interchange: entities then ownership; snapshot: a name).",
    ),
]


def ingest(
    fmt: FormatArg = None,
    paths: PathsArg = None,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Name of the new snapshot.")] = "",
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="TOML file declaring several sources, first wins."),
    ] = None,
    entities: MaybeEntitiesOpt = None,
    ownership: MaybeOwnershipOpt = None,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Import the valid records; write the rest aside."),
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Rejects file (default: NAME.rejects.jsonl)."),
    ] = None,
    listed_topic: Annotated[
        list[str] | None,
        typer.Option("--listed-topic", help="FtM topic that marks an entity listed (repeat)."),
    ] = None,
    consolidation: Annotated[
        list[str] | None,
        typer.Option(
            "--consolidation",
            help="GLEIF consolidation rule setting KEY=VALUE (low, high, low_exclusive, "
            "high_exclusive, basis, equity_unknown); repeat.",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Import registry sources as one immutable, dated snapshot.

    Nothing is written when a record is malformed (the error names file, record and
    field), unless --skip-invalid: then the rest is imported and the rejected records are
    written to the rejects file and kept in the snapshot.
    """
    from ownergate.importers import Options, SourceSpec, import_sources, read_sources_file
    from ownergate.snapshots import SnapshotStore

    started = time.perf_counter()
    try:
        if not snapshot:
            raise ConfigError("name the new snapshot with --snapshot NAME")
        specs = _specs(fmt, paths, sources, entities, ownership, read_sources_file, SourceSpec)
        _options_apply(specs, consolidation, listed_topic)
        options = Options(
            skip_invalid=skip_invalid,
            listed_topics=frozenset(listed_topic or ()),
            consolidation=_settings(consolidation or []),
        )
        store = SnapshotStore(settings().data_dir)
        store.check_new(snapshot)
        with progress_bar(len(specs) + 2, quiet) as stage:
            registry = import_sources(specs, options, store, stage)
            stage("writing snapshot")
            snap = store.save(snapshot, registry, f"ownergate {__version__}")
        written = None
        if registry.rejects.num_rows:
            written = rejects or Path(f"{snapshot}.rejects.jsonl")
            _write_rejects(written, registry.rejects)
    except OwnergateError as exc:
        fail(exc)
        return
    if quiet:
        return
    counts = snap.manifest["counts"]
    console.print(
        f"snapshot {snap.name} ({snap.digest[:12]}): {counts['entities']:,} entities, "
        f"{counts['holdings']:,} holdings, {counts['facts']:,} facts from "
        f"{len(snap.manifest['sources'])} source(s) in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )
    notes = [
        (counts["placeholders"], "entities named by a holding but described by no source"),
        (counts["superseded"], "holdings also stated by a higher-precedence source (kept aside)"),
        (counts["conflicts"], "conflicts between sources (see `ownergate validate`)"),
    ]
    for count, what in notes:
        if count:
            console.print(f"  {count:,} {what}", highlight=False)
    if written is not None:
        console.print(f"  {counts['rejects']:,} rejected records written to {written}")


def _specs(
    fmt: str | None,
    paths: list[str] | None,
    sources: Path | None,
    entities: Path | None,
    ownership: Path | None,
    read_sources_file: Any,
    spec: Any,
) -> list[Any]:
    given = [fmt is not None, sources is not None, entities is not None or ownership is not None]
    if sum(given) != 1:
        raise ConfigError("give FORMAT PATH..., or --sources FILE, or --entities and --ownership")
    if sources is not None:
        return list(read_sources_file(sources))
    if fmt is None:
        if entities is None or ownership is None:
            raise ConfigError("give both --entities and --ownership")
        return [spec("interchange", (str(entities), str(ownership)))]
    if not paths:
        raise ConfigError(f"give the {fmt} files to import after the format")
    return [spec(fmt, tuple(paths))]


def _options_apply(
    specs: list[Any], consolidation: list[str] | None, listed_topic: list[str] | None
) -> None:
    """An option for a format none of the sources has would be parsed and then ignored."""
    formats = {spec.format for spec in specs}
    if consolidation and "gleif" not in formats:
        raise ConfigError("--consolidation applies to gleif sources, and none is given")
    if listed_topic and "ftm" not in formats:
        raise ConfigError("--listed-topic applies to ftm sources, and none is given")


def _settings(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--consolidation {shown(pair)}: use KEY=VALUE, e.g. basis=equity")
        out[key.strip()] = value.strip()
    return out


def _write_rejects(path: Path, table: pa.Table) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for row in table.to_pylist():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
