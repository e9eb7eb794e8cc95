"""``ownergate screen``, ``explain`` and ``verify``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from ownergate.cli.common import (
    AsOfOpt,
    MaybeEntitiesOpt,
    MaybeOwnershipOpt,
    PolicyOpt,
    SnapshotOpt,
    console,
    err_console,
    fail,
    load_policy,
    parse_as_of,
    stage_progress,
)
from ownergate.cli.evidence_text import decision_batches
from ownergate.cli.render import explanation, summary_tables
from ownergate.errors import (
    ConfigError,
    InputError,
    OwnergateError,
    UnknownEntityError,
    one_line,
    shown,
)
from ownergate.graph.tables import EntityColumns, HoldingColumns


def load_registry(
    entities: Path | None, ownership: Path | None, snapshot: str | None
) -> tuple[EntityColumns, HoldingColumns, str]:
    """The registry from files or from a snapshot, and how to name it in messages."""
    if snapshot is not None:
        if entities is not None or ownership is not None:
            raise ConfigError("give either --snapshot or --entities/--ownership, not both")
        from ownergate.cli.snapshot_cmd import load_snapshot

        ents, holds = load_snapshot(snapshot)
        return ents, holds, f"snapshot {snapshot}"
    if entities is None or ownership is None:
        raise ConfigError("give --entities and --ownership, or --snapshot")
    from ownergate.interchange import read_registry

    ents, holds = read_registry(entities, ownership)
    return ents, holds, str(entities)


def screen(
    out: Annotated[Path, typer.Option("--out", help="Decisions file (.csv, .parquet, .jsonl).")],
    entities: MaybeEntitiesOpt = None,
    ownership: MaybeOwnershipOpt = None,
    snapshot: SnapshotOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Decide every entity and write one decision per entity to OUT."""
    from ownergate.engine.screen import screen as run_screen
    from ownergate.explain.columns import decision_columns
    from ownergate.graph.prepare import prepare
    from ownergate.interchange import write_decisions

    timings: dict[str, float] = {}
    try:
        pol = load_policy(policy)
        day = parse_as_of(as_of)
        with stage_progress(5, quiet) as stage:
            t = time.perf_counter()
            stage("reading registry")
            ents, holds, _ = load_registry(entities, ownership, snapshot)
            timings["read"] = time.perf_counter() - t
            t = time.perf_counter()
            stage("preparing graph")
            if snapshot is not None:
                from ownergate.cli.snapshot_cmd import store_from_settings
                from ownergate.snapshots.prepared import load_or_prepare

                folder = store_from_settings().get(snapshot).path
                g = load_or_prepare(folder, ents, holds, pol, day)
            else:
                g = prepare(ents, holds, pol, day)
            timings["prepare"] = time.perf_counter() - t
            t = time.perf_counter()
            stage("deciding")
            result = run_screen(g, pol)
            timings["decide"] = time.perf_counter() - t
            t = time.perf_counter()
            stage("writing decisions")
            cols = decision_columns(result)
            timings["columns"] = time.perf_counter() - t
            t = time.perf_counter()
            write_decisions(out, decision_batches(cols, pol, ents.country_vocab))
            timings["write"] = time.perf_counter() - t
    except OwnergateError as exc:
        fail(exc)
        return
    if not quiet:
        console.print(f"policy: {pol.describe()}; as of {day.isoformat()}", markup=False)
        console.print(summary_tables(cols, g, timings))
        console.print(f"decisions written to {out}")


def explain(
    entity_id: Annotated[str, typer.Argument(metavar="ID", help="Entity id to explain.")],
    entities: MaybeEntitiesOpt = None,
    ownership: MaybeOwnershipOpt = None,
    snapshot: SnapshotOpt = None,
    policy: PolicyOpt = None,
    as_of: AsOfOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the evidence document.")] = False,
) -> None:
    """Explain one decision: the ownership evidence, and what decides a review."""
    from ownergate.explain.one import explain_entity

    try:
        pol = load_policy(policy)
        day = parse_as_of(as_of)
        ents, holds, where = load_registry(entities, ownership, snapshot)
        row = ents.position(entity_id)
        if row is None:
            raise UnknownEntityError(f"no entity with id {shown(entity_id)} in {where}")
        doc = explain_entity(ents, holds, pol, day, row)
        if snapshot is not None:
            from ownergate.cli.provenance import attach_provenance
            from ownergate.cli.snapshot_cmd import store_from_settings

            attach_provenance(doc, store_from_settings(), snapshot)
    except OwnergateError as exc:
        fail(exc)
        return
    if as_json:
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        console.print(explanation(doc))


def verify_evidence(
    evidence: Annotated[Path, typer.Argument(help="Evidence JSON from `explain --json`.")],
) -> None:
    """Re-check a decision offline from its evidence document (exact reference engine)."""
    from ownergate.explain import verify

    try:
        try:
            doc = json.loads(evidence.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("file not found", file=str(evidence)) from None
        except json.JSONDecodeError as exc:
            raise InputError(f"not JSON: {exc}", file=str(evidence)) from None
        outcome = verify(doc)
    except OwnergateError as exc:
        fail(exc)
        return
    if outcome.ok:
        decision = doc["decision"]
        console.print(
            f"verified: {shown(decision['id'])} is {decision['status']}",
            markup=False,
            highlight=False,
        )
        return
    for problem in outcome.problems:
        err_console.print(f"mismatch: {one_line(problem)}", markup=False, highlight=False)
    raise typer.Exit(1)


def validate(
    entities: MaybeEntitiesOpt = None,
    ownership: MaybeOwnershipOpt = None,
    snapshot: SnapshotOpt = None,
    as_of: AsOfOpt = None,
    top: Annotated[int, typer.Option("--top", help="Countries to list.")] = 15,
    names: Annotated[
        int, typer.Option("--names", min=0, help="Entities to name per check (--json: all).")
    ] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON, naming every entity.")
    ] = False,
) -> None:
    """Print a data-quality report: self-holdings, stakes over 100%, unknowns, cycles, ...
    with the entities behind each count."""
    from rich.table import Table

    from ownergate.explain.quality import quality_report

    try:
        ents, holds, where = load_registry(entities, ownership, snapshot)
        report = quality_report(
            ents, holds, parse_as_of(as_of), member_limit=None if as_json else names
        )
    except OwnergateError as exc:
        fail(exc)
        return
    if as_json:
        doc = {
            "registry": where,
            "entities": report.entities,
            "holdings": report.holdings,
            "checks": {
                check: {"count": count, "members": report.members.get(check, [])}
                for check, count in report.counts.items()
            },
            "by_country": dict(report.by_country),
        }
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    table = Table(
        title=f"{where}: {report.entities:,} entities, {report.holdings:,} holdings",
        title_justify="left",
    )
    table.add_column("check")
    table.add_column("count", justify="right")
    table.add_column("entities (first shown; --json lists all)")
    for check, count in report.counts.items():
        shown = report.members.get(check, [])
        more = f" and {count - len(shown):,} more" if count > len(shown) and shown else ""
        table.add_row(check, f"{count:,}", ", ".join(shown) + more)
    console.print(table)
    if report.over_100:
        worst = Table(title="Largest stake sums over 100%", title_justify="left")
        for col in ("entity", "basis", "sum of known stakes"):
            worst.add_column(col)
        for entity, basis, total in report.over_100:
            worst.add_row(entity, basis, f"{total:.2%}")
        console.print(worst)
    countries = Table(title="Entities by headquarters country", title_justify="left")
    countries.add_column("country")
    countries.add_column("entities", justify="right")
    for country, count in report.by_country[:top]:
        countries.add_row(country, f"{count:,}")
    console.print(countries)
    if snapshot is not None:
        from ownergate.cli.snapshot_cmd import print_provenance_report

        try:
            print_provenance_report(snapshot, top)
        except OwnergateError as exc:
            fail(exc)
