"""``ownergate resolve``: link a customer base to the registry's entities.

Writes DIR/links.parquet (every resolved account: outcome, method, score, candidates),
DIR/review.csv (the ambiguous and weak matches, for an analyst) and
DIR/customers-resolved.parquet (the customer base with ``registry_entity_id`` filled for
linked accounts, ready for ``impact`` and screening).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from ownergate.cli.common import (
    MaybeEntitiesOpt,
    MaybeOwnershipOpt,
    SnapshotOpt,
    console,
    fail,
)
from ownergate.errors import InputError, OwnergateError


def _snapshot_columns(snapshot: str | None) -> tuple[list[Any] | None, list[Any] | None]:
    """The snapshot's other names and ``SCHEME:value`` identifiers per entity, if it has them."""
    if snapshot is None:
        return None, None
    from ownergate.cli.snapshot_cmd import snapshot_entity_column

    other = snapshot_entity_column(snapshot, "other_names")
    idents = snapshot_entity_column(snapshot, "identifiers")
    return (
        None if other is None else other.to_pylist(),
        None if idents is None else idents.to_pylist(),
    )


def _raw(path: Path) -> pa.Table:
    import pyarrow.csv as pacsv
    import pyarrow.json as pajson
    import pyarrow.parquet as pq

    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return pq.read_table(path)
    if suffix == ".csv":
        return pacsv.read_csv(path)
    return pajson.read_json(path)


def _truth(path: Path) -> dict[str, Any]:
    table = _raw(path)
    for column in ("account_id", "entity_id"):
        if column not in table.column_names:
            raise InputError("missing column", file=str(path), field=column)
    accounts = table.column("account_id").to_pylist()
    return dict(zip(accounts, table.column("entity_id").to_pylist(), strict=True))


def resolve(
    customers: Annotated[
        Path, typer.Option("--customers", help="Customer base (.parquet, .csv, .jsonl).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for the links and review queue.")],
    entities: MaybeEntitiesOpt = None,
    ownership: MaybeOwnershipOpt = None,
    snapshot: SnapshotOpt = None,
    truth: Annotated[
        Path | None,
        typer.Option(
            "--truth",
            help="Each account's true entity (account_id, entity_id), e.g. the "
            "customers-truth.parquet of 'synth customers': prints precision and recall.",
        ),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Processes resolving in parallel.")
    ] = min(4, os.cpu_count() or 1),
) -> None:
    """Link each account to a registry entity: exact identifiers first, then names with
    country. Ambiguous or weak matches go to the review queue, never silently linked."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    from ownergate.cli.screen_cmd import load_registry
    from ownergate.portfolio.accounts import link_accounts
    from ownergate.portfolio.files import read_customers
    from ownergate.portfolio.links import (
        accuracy,
        links_table,
        registry_entities,
        resolve_parallel,
        resolved_customers,
        subjects,
    )
    from ownergate.resolve import CandidateIndex, Outcome, Resolver

    started = time.perf_counter()
    try:
        base = read_customers(customers)
        ents, _, label = load_registry(entities, ownership, snapshot)
        other_names, identifiers = _snapshot_columns(snapshot)
        known = link_accounts(
            base, ents.ids, None if identifiers is None else pa.array(identifiers)
        )
        pending = subjects(base, known)
        expected = _truth(truth) if truth is not None else None
        with console.status("indexing the registry's names"):
            index = CandidateIndex(registry_entities(ents, other_names, identifiers))
        resolver = Resolver(index)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("resolving", total=len(pending))
            resolutions = resolve_parallel(
                resolver, pending, workers, lambda n: progress.advance(task, n)
            )
        links = links_table(resolutions)
        resolved = resolved_customers(_raw(customers), resolutions)
    except OwnergateError as exc:
        fail(exc)
        return
    out.mkdir(parents=True, exist_ok=True)
    pq.write_table(links, out / "links.parquet", compression="zstd")
    review = links.filter(pa.compute.equal(links.column("outcome"), Outcome.REVIEW.value))
    pacsv.write_csv(review, out / "review.csv")
    pq.write_table(resolved, out / "customers-resolved.parquet", compression="zstd")

    table = Table(title=f"{len(base):,} accounts against {label}")
    table.add_column("outcome")
    table.add_column("method")
    table.add_column("accounts", justify="right")
    table.add_row("known", "registry id or LEI", f"{int((known >= 0).sum()):,}")
    counts: dict[tuple[str, str], int] = {}
    for r in resolutions:
        counts[(r.outcome.value, r.method.value)] = (
            counts.get((r.outcome.value, r.method.value), 0) + 1
        )
    for (outcome, method), count in sorted(counts.items()):
        table.add_row(outcome, method, f"{count:,}")
    console.print(table)
    if expected is not None:
        score = accuracy(resolutions, expected)
        console.print(
            f"against {truth}: precision {score.precision:.4f} "
            f"({score.correct:,}/{score.linked:,}), recall {score.recall:.4f} "
            f"({score.correct:,}/{score.positives:,}), review rate {score.review_rate:.4f}"
        )
    console.print(
        f"links, review queue ({review.num_rows:,}) and resolved customers written to {out} "
        f"in {time.perf_counter() - started:.1f} s"
    )
