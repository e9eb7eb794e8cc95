"""Whole-base screening and change-driven re-screening, measured.

Synthesises a registry (``ownergate synth``) and a customer base over it (``ownergate synth
customers``), imports the registry as a snapshot, loads the accounts into a fresh SQLite
store, then times:

* ``screen``: every account resolved (identifiers, stored links, then names) and decided
  under the active pair, decisions written to the store (goal: 300,000 accounts in 60 s on
  2 cores over a 10M-edge registry);
* ``rescreen``: one holding removed from the registry (the largest stake in the entity of
  an account restricted through ownership), imported as a second snapshot, and only the
  accounts that change can reach re-decided (goal: 1 s end to end on a 10M-edge registry).

Each run prints its phases. ``--id-only`` loads only the accounts that carry a registry id
or LEI (no name resolution: the re-screen figure at sizes whose name index does not fit).
Synthesised files are kept in the work directory and reused.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ownergate.portfolio.files import account_rows
from ownergate.service import Deciders, PortfolioService, RunReport, SnapshotService
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database, upgrade

ACTOR = "bench:portfolio"


def ownergate(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "ownergate", *args],
        check=True,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
    )


def show(label: str, report: RunReport) -> None:
    counts = report.counts
    phases = ", ".join(f"{k} {v:.2f}" for k, v in report.phases.items())
    print(
        f"{label}: {counts.get('accounts', 0):,} accounts decided, "
        f"{counts.get('appended', 0):,} new decisions, {counts.get('flips', 0):,} flips "
        f"in {report.seconds:.2f} s"
    )
    print(f"  phases (s): {phases}")
    links = {k[6:]: v for k, v in counts.items() if k.startswith("links.")}
    if links:
        print(f"  resolved by name: {links}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=300_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--id-only", action="store_true")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "og-bench")
    args = parser.parse_args()

    work = args.work
    registry = work / f"registry-{args.edges}"
    customers = work / f"customers-{args.edges}-{args.customers}"
    data = work / f"run-{args.edges}-{args.customers}-{int(time.time())}"
    env = {"OWNERGATE_DATA_DIR": str(data)}
    if not (registry / "ownership.parquet").exists():
        ownergate(
            "synth", "--edges", str(args.edges), "--seed", "7", "--out", str(registry), env=env
        )
    if not (customers / "customers.parquet").exists():
        ownergate(
            "synth",
            "customers",
            "--n",
            str(args.customers),
            "--registry",
            str(registry),
            "--out",
            str(customers),
            "--seed",
            "7",
            env=env,
        )
    started = time.perf_counter()
    ownergate(
        "ingest",
        "interchange",
        str(registry / "entities.parquet"),
        str(registry / "ownership.parquet"),
        "--snapshot",
        "base",
        env=env,
    )
    print(
        f"registry: {args.edges:,} holdings, imported as a snapshot in "
        f"{time.perf_counter() - started:.1f} s"
    )

    url = f"sqlite:///{data / 'ownergate.db'}"
    upgrade(url)
    db = Database(url)
    files = SnapshotStore(data)
    snapshots = SnapshotService(db, files)
    base, _ = snapshots.register("base", actor=ACTOR)
    snapshots.activate(base.snapshot.digest, actor=ACTOR)
    rows = account_rows(customers / "customers.parquet")
    if args.id_only:
        rows = [r for r in rows if r.entity_id or r.lei]
    portfolio = PortfolioService(db, Deciders(db, files), files, workers=args.workers)
    started = time.perf_counter()
    created, _ = portfolio.load(rows, actor=ACTOR)
    print(f"load: {created:,} accounts stored in {time.perf_counter() - started:.1f} s")

    report = portfolio.screen(actor=ACTOR)
    show(f"screen ({args.workers} workers)", report)
    print(f"  {report.accounts / report.seconds:,.0f} accounts/s; goal: 300,000 in <= 60 s")

    delta = work / f"registry-{args.edges}-delta"
    script = Path(__file__).resolve().parent.parent / "scripts" / "drop_holding.py"
    changed = subprocess.run(
        [sys.executable, str(script), str(registry), str(delta), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ownergate(
        "ingest",
        "interchange",
        str(delta / "entities.parquet"),
        str(delta / "ownership.parquet"),
        "--snapshot",
        "next",
        env=env,
    )
    after, _ = snapshots.register("next", actor=ACTOR)
    print(f"delta: {changed}")
    report = portfolio.rescreen(base.snapshot.digest, after.snapshot.digest, actor=ACTOR)
    show("rescreen", report)
    print(f"  entities the change can reach: {report.scope_entities:,}; goal: <= 1 s end to end")
    db.dispose()


if __name__ == "__main__":
    main()
