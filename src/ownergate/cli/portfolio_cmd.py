"""``ownergate portfolio``: the stored customer base, screened whole and kept screened.

``load`` brings a customer file into the store, ``screen`` resolves and decides every
account under the active policy and snapshot (resuming an interrupted run), ``rescreen``
re-decides only the accounts a snapshot change can reach and reports the flips, ``runs``
lists past runs. The store is ``OWNERGATE_DATABASE_URL``, snapshots are read from
``OWNERGATE_DATA_DIR``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from ownergate.cli.common import console, err_console, fail, settings
from ownergate.cli.identity import KeyOpt, acting_as
from ownergate.errors import OwnergateError, shown

if TYPE_CHECKING:
    from ownergate.service import PortfolioService, RunReport
    from ownergate.store import Database

portfolio_app = typer.Typer(
    help="Screen the stored customer base and keep it screened.", no_args_is_help=True
)

EventsOpt = Annotated[
    Path | None,
    typer.Option("--events", help="Append each flip as a JSON line to this file."),
]
WebhookOpt = Annotated[
    str | None,
    typer.Option("--webhook", help="POST the flips in batches to this URL (retried)."),
]
WorkersOpt = Annotated[
    int,
    typer.Option("--workers", min=1, max=64, help="Processes resolving names in parallel."),
]


DEFAULT_WORKERS = min(4, os.cpu_count() or 1)


@contextmanager
def _portfolio(workers: int = 1, batch: int = 5_000) -> Iterator[tuple[PortfolioService, Database]]:
    from ownergate.service import Deciders, PortfolioService
    from ownergate.snapshots import SnapshotStore
    from ownergate.store import Database, upgrade

    config = settings()
    upgrade(config.database_url)
    db = Database(config.database_url)
    files = SnapshotStore(config.data_dir)
    try:
        yield PortfolioService(db, Deciders(db, files), files, batch=batch, workers=workers), db
    finally:
        db.dispose()


@contextmanager
def _bar(label: str) -> Iterator[Callable[[int, int], None]]:
    progress = Progress(
        f"[progress.description]{label}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    with progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def _register(db: Database, name: str, actor: str, *, activate: bool) -> str:
    """The digest of the data directory's snapshot ``name``, registered (and activated)."""
    from ownergate.service import SnapshotService
    from ownergate.snapshots import SnapshotStore

    service = SnapshotService(db, SnapshotStore(settings().data_dir))
    record, _ = service.register(name, actor=actor)
    if activate and not record.active:
        service.activate(record.snapshot.digest, actor=actor)
    return record.snapshot.digest


@contextmanager
def _sinks(events: Path | None, webhook: str | None) -> Iterator[list[Any]]:
    """The flip sinks asked for, closed when the run ends (however it ends)."""
    from ownergate.portfolio.events import open_sinks

    sinks = open_sinks(events, webhook)
    try:
        yield sinks
    finally:
        for sink in sinks:
            sink.close()


def _summary(report: RunReport) -> None:
    counts = report.counts
    table = Table(title=f"{report.kind} run {report.run_id}", show_header=False)
    table.add_column("what")
    table.add_column("accounts", justify="right")
    table.add_row(
        "policy version, snapshot",
        f"{report.pair.policy_version}, {(report.pair.snapshot_digest or 'none')[:12]}",
    )
    if report.resumed_after is not None:
        table.add_row("resumed after account", report.resumed_after)
    if report.scope_entities is not None:
        table.add_row("entities the change can reach", f"{report.scope_entities:,}")
    table.add_row("accounts decided", f"{counts.get('accounts', 0):,}")
    table.add_row("new decisions", f"{counts.get('appended', 0):,}")
    table.add_row("of which first decisions", f"{counts.get('first', 0):,}")
    table.add_row("flips (status changed)", f"{counts.get('flips', 0):,}")
    for key in sorted(counts):
        if key.startswith(("status.", "links.")):
            kind, value = key.split(".", 1)
            label = f"now {value}" if kind == "status" else f"resolved by name: {value}"
            table.add_row(label, f"{counts[key]:,}")
    console.print(table)
    spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in report.phases.items())
    console.print(f"done in {report.seconds:.1f} s ({spent})")


@portfolio_app.command("load")
def load(
    customers: Annotated[
        Path, typer.Option("--customers", help="Customer base (.parquet, .csv, .jsonl).")
    ],
    key: KeyOpt = None,
) -> None:
    """Create or update the accounts of a customer file, all or nothing."""
    from ownergate.portfolio.files import account_rows
    from ownergate.store import Role

    try:
        rows = account_rows(customers)
        with _portfolio() as (portfolio, db):
            created, updated = portfolio.load(rows, actor=acting_as(db, key, Role.ANALYST))
    except OwnergateError as exc:
        fail(exc)
        return
    console.print(
        f"{len(rows):,} accounts: {created:,} created, {updated:,} updated, "
        f"{len(rows) - created - updated:,} unchanged"
    )


@portfolio_app.command("screen")
def screen(
    snapshot: Annotated[
        str | None,
        typer.Option("--snapshot", help="Register and activate this snapshot first."),
    ] = None,
    workers: WorkersOpt = DEFAULT_WORKERS,
    events: EventsOpt = None,
    webhook: WebhookOpt = None,
    key: KeyOpt = None,
) -> None:
    """Resolve and decide every account under the active policy and snapshot; an
    interrupted run resumes where it stopped."""
    from ownergate.store import Role

    try:
        with _sinks(events, webhook) as sinks, _portfolio(workers) as (portfolio, db):
            who = acting_as(db, key, Role.ADMIN if snapshot is not None else Role.ANALYST)
            if snapshot is not None:
                _register(db, snapshot, who, activate=True)
            with _bar("screening") as advance:
                report = portfolio.screen(actor=who, sinks=sinks, progress=advance)
    except OwnergateError as exc:
        fail(exc)
        return
    _summary(report)


@portfolio_app.command("rescreen")
def rescreen(
    source: Annotated[str, typer.Option("--from", help="The snapshot decisions rest on now.")],
    target: Annotated[str, typer.Option("--to", help="The new snapshot.")],
    activate: Annotated[
        bool,
        typer.Option(
            "--activate/--no-activate",
            help="Make the new snapshot the active one afterwards (new accounts are "
            "then decided on it too).",
        ),
    ] = True,
    events: EventsOpt = None,
    webhook: WebhookOpt = None,
    key: KeyOpt = None,
) -> None:
    """Re-decide only the accounts the change between two snapshots can reach, store the
    new decisions and report the flips."""
    from ownergate.store import Role

    try:
        with _sinks(events, webhook) as sinks, _portfolio() as (portfolio, db):
            who = acting_as(db, key, Role.ADMIN)
            old = _register(db, source, who, activate=False)
            new = _register(db, target, who, activate=False)
            with _bar("re-screening") as advance:
                report = portfolio.rescreen(old, new, actor=who, sinks=sinks, progress=advance)
            if activate:
                _register(db, target, who, activate=True)
    except OwnergateError as exc:
        fail(exc)
        return
    _summary(report)


@portfolio_app.command("runs")
def runs(limit: Annotated[int, typer.Option("--limit", min=1)] = 20) -> None:
    """The latest screening runs, newest first."""
    try:
        with _portfolio() as (_portfolio_service, db), db.read() as store:
            found = store.runs.latest(limit)
            rows = [
                (
                    str(r.id),
                    r.kind,
                    str(r.policy_version),
                    (r.snapshot_digest or "")[:12],
                    r.started_at.isoformat(timespec="seconds"),
                    "unfinished" if r.finished_at is None else "finished",
                    f"{r.counts.get('accounts', 0):,}",
                    f"{r.counts.get('flips', 0):,}",
                )
                for r in found
            ]
    except OwnergateError as exc:
        fail(exc)
        return
    table = Table(title="screening runs")
    for column in ("run", "kind", "policy", "snapshot", "started", "state", "accounts", "flips"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@portfolio_app.command("decisions")
def decisions(
    out: Annotated[Path, typer.Option("--out", help="Write them here (.csv, .parquet, .jsonl).")],
    status: Annotated[
        str | None, typer.Option("--status", help="Only restricted, review or allowed.")
    ] = None,
    flag: Annotated[
        str | None,
        typer.Option("--flag", help="Only decisions with this flag, e.g. unverified."),
    ] = None,
) -> None:
    """Export the current decision of every active account: name, status, effective
    status, reason, flags, restricted share and the seed path."""
    from ownergate.domain.model import Status
    from ownergate.errors import InputError
    from ownergate.interchange import write_decisions
    from ownergate.service.decision_list import DecisionListService, decisions_table

    try:
        try:
            wanted = None if status is None else Status(status)
        except ValueError:
            raise InputError(
                f"{shown(status)} is not restricted, review or allowed", field="--status"
            ) from None
        with _portfolio() as (_service, db):
            table = decisions_table(DecisionListService(db).all(status=wanted, flag=flag))
        write_decisions(out, table)
    except OwnergateError as exc:
        fail(exc)
        return
    console.print(f"{table.num_rows:,} decisions written to {out}", markup=False)
