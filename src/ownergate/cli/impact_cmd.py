"""``ownergate impact``: what a policy (or registry) change does to the customer base."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer
from rich.table import Table

from ownergate.cli.common import (
    AsOfOpt,
    MaybeEntitiesOpt,
    MaybeOwnershipOpt,
    SnapshotOpt,
    console,
    fail,
    load_policy,
    parse_as_of,
    stage_progress,
)
from ownergate.cli.screen_cmd import load_registry
from ownergate.engine.screen import ScreenResult
from ownergate.errors import ConfigError, InputError, OwnergateError
from ownergate.graph.tables import EntityColumns, HoldingColumns
from ownergate.policy.model import Policy
from ownergate.portfolio.impact import FLIP_KINDS, NEWLY_RESTRICTED, Impact
from ownergate.portfolio.report import ReportContext, money


def _screen(
    ents: EntityColumns,
    holds: HoldingColumns,
    policy: Policy,
    day: dt.date,
    snapshot: str | None,
) -> ScreenResult:
    from ownergate.engine.screen import screen
    from ownergate.graph.prepare import prepare

    if snapshot is None:
        return screen(prepare(ents, holds, policy, day), policy)
    from ownergate.cli.snapshot_cmd import store_from_settings
    from ownergate.snapshots.prepared import load_or_prepare

    folder = store_from_settings().get(snapshot).path
    return screen(load_or_prepare(folder, ents, holds, policy, day), policy)


def _identifiers(snapshot: str | None) -> pa.Array | None:
    """The snapshot's ``SCHEME:value`` identifiers per entity, to find accounts by LEI (an
    older snapshot without them still links by ids and LEIs as ids)."""
    if snapshot is None:
        return None
    from ownergate.cli.snapshot_cmd import snapshot_entity_column

    return snapshot_entity_column(snapshot, "identifiers")


def _policies(
    policy: Path | None, policy_a: Path | None, policy_b: Path | None, two_snapshots: bool
) -> tuple[Policy, Policy]:
    if not two_snapshots and (policy_a is None or policy_b is None):
        raise ConfigError("give --policy-a and --policy-b (or two snapshots and one --policy)")
    return load_policy(policy_a or policy), load_policy(policy_b or policy)


def _check_out(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the output folder: {exc.strerror}", file=str(out)
        ) from None


def impact(
    customers: Annotated[
        Path, typer.Option("--customers", help="Customer base (.parquet, .csv, .jsonl).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder for impact.html and the flips.")],
    policy_a: Annotated[
        Path | None, typer.Option("--policy-a", help="Policy TOML of screening A (before).")
    ] = None,
    policy_b: Annotated[
        Path | None, typer.Option("--policy-b", help="Policy TOML of screening B (after).")
    ] = None,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", "-p", help="The one policy when comparing two snapshots."),
    ] = None,
    entities: MaybeEntitiesOpt = None,
    ownership: MaybeOwnershipOpt = None,
    snapshot: SnapshotOpt = None,
    snapshot_a: Annotated[
        str | None, typer.Option("--snapshot-a", help="Snapshot of screening A.")
    ] = None,
    snapshot_b: Annotated[
        str | None, typer.Option("--snapshot-b", help="Snapshot of screening B.")
    ] = None,
    as_of: AsOfOpt = None,
    top: Annotated[int, typer.Option("--top", help="Groups to chart and list.")] = 10,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary.")] = False,
) -> None:
    """Compare two policies (or two snapshots) over the customer base: flips and revenue."""
    from ownergate.portfolio.accounts import account_outcome, link_accounts
    from ownergate.portfolio.files import flip_table, read_customers, write_flips
    from ownergate.portfolio.impact import compare
    from ownergate.portfolio.report import render_report

    try:
        two = snapshot_a is not None or snapshot_b is not None
        if two and (snapshot_a is None or snapshot_b is None):
            raise ConfigError("give both --snapshot-a and --snapshot-b")
        if two and (snapshot is not None or entities is not None or ownership is not None):
            raise ConfigError("give --snapshot-a/--snapshot-b, or one registry, not both")
        pol_a, pol_b = _policies(policy, policy_a, policy_b, two)
        day = parse_as_of(as_of)
        _check_out(out)
        with stage_progress(5, quiet) as stage:
            stage("reading customers")
            base = read_customers(customers)
            sides = []
            for pol, snap in ((pol_a, snapshot_a), (pol_b, snapshot_b)):
                stage(f"screening under {pol.name}")
                source = snap if two else snapshot
                ents, holds, where = load_registry(
                    None if two else entities, None if two else ownership, source
                )
                result = _screen(ents, holds, pol, day, source)
                rows = link_accounts(base, ents.ids, _identifiers(source))
                sides.append((account_outcome(base, result, rows, pol.region_set), where))
            stage("comparing")
            result_impact = compare(base, sides[0][0], sides[1][0], top=top)
            stage("writing report")
            label_a, label_b = _labels(pol_a, pol_b, snapshot_a, snapshot_b)
            registry = sides[0][1] if not two else f"{sides[0][1]} → {sides[1][1]}"
            ctx = ReportContext(
                label_a, label_b, pol_a.describe(), pol_b.describe(), registry, day, str(customers)
            )
            (out / "impact.html").write_text(render_report(result_impact, ctx, top), "utf-8")
            write_flips(flip_table(result_impact), out / "flips.csv", out / "flips.json")
    except OwnergateError as exc:
        fail(exc)
        return
    if not quiet:
        print_summary(result_impact, ctx, top)
        console.print(f"report and flips written to {out}", markup=False)


def _labels(
    pol_a: Policy, pol_b: Policy, snapshot_a: str | None, snapshot_b: str | None
) -> tuple[str, str]:
    if snapshot_a is not None and snapshot_b is not None and pol_a == pol_b:
        return snapshot_a, snapshot_b
    a, b = f"{pol_a.name} v{pol_a.version}", f"{pol_b.name} v{pol_b.version}"
    if snapshot_a is not None and snapshot_b is not None:
        return f"{a} on {snapshot_a}", f"{b} on {snapshot_b}"
    return a, b


def print_summary(impact: Impact, ctx: ReportContext, top: int = 10) -> None:
    customers = impact.customers
    console.print(f"A: {ctx.policy_a}", markup=False, highlight=False)
    console.print(f"B: {ctx.policy_b}", markup=False, highlight=False)
    console.print(
        f"{len(customers):,} accounts, {money(float(customers.revenue.sum()))} annual revenue; "
        f"registry {ctx.registry}, as of {ctx.as_of.isoformat()}",
        markup=False,
        highlight=False,
    )
    flips = Table(title=f"{ctx.label_a} → {ctx.label_b}", title_justify="left")
    for col in ("flip", "accounts", "annual revenue", "accounts ≥ $100k", "revenue ≥ $100k"):
        flips.add_column(col, justify="left" if col == "flip" else "right")
    for total, large in zip(impact.totals, impact.large, strict=True):
        flips.add_row(
            total.label,
            f"{total.accounts:,}",
            money(total.revenue),
            f"{large.accounts:,}",
            money(large.revenue),
        )
    console.print(flips)
    groups = Table(
        title=f"Top {top} groups by revenue {FLIP_KINDS[NEWLY_RESTRICTED]}",
        title_justify="left",
    )
    for col in ("group", "id", "accounts", "annual revenue"):
        groups.add_column(col, justify="right" if col in ("accounts", "annual revenue") else "left")
    for t in impact.top_groups[:top]:
        groups.add_row(t.label, t.key, f"{t.accounts:,}", money(t.revenue))
    console.print(groups)
