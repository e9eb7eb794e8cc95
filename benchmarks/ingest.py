"""Benchmark importing registries as snapshots, and screening a snapshot in a fresh process.

    python benchmarks/ingest.py --edges 10000000 [--seed 7] [--workdir DIR] [--repeats 3]

For each size: synthesise (``ownergate synth``, reused when already in the work directory)
and convert it to CSV; then, each in a new child process (wall time, and the child's peak RSS
from ``os.wait4``):

- ``ownergate ingest`` from Parquet and from CSV into an empty store, and reading the
  interchange files alone (``read_registry``);
- ``ownergate screen --snapshot``: the first run prepares the graph and stores it beside the
  snapshot, later runs map the stored arrays; to Parquet and to CSV, with the command's own
  stage timings.

Prints figures next to their targets; asserts nothing. Until ``SnapshotStore`` writes and
reads the arrays itself, the children wrap ``save``/``load`` with ``write_arrays``/
``read_arrays`` (said in the output when they do).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from screen import GB, machine_facts, synthesise

AS_OF = dt.date(2026, 11, 25)
TARGET_EDGES = 10_000_000

# The ownergate CLI in a child, with the store wrapped where it does not yet use the arrays.
CHILD = """
import sys
from ownergate.snapshots import store
from ownergate.snapshots.arrays import has_arrays, read_arrays, write_arrays
if "write_arrays" not in vars(store):
    print("store.save does not write arrays: the benchmark adds them", file=sys.stderr)
    save = store.SnapshotStore.save
    def saving(self, name, registry, importer):
        snap = save(self, name, registry, importer)
        if not has_arrays(snap.path):
            write_arrays(snap.path, registry.entities, registry.holdings)
        return snap
    store.SnapshotStore.save = saving
if "read_arrays" not in vars(store):
    print("store.load does not read arrays: the benchmark does", file=sys.stderr)
    load = store.SnapshotStore.load
    def loading(self, name):
        snap = self.get(name)
        return read_arrays(snap.path) if has_arrays(snap.path) else load(self, name)
    store.SnapshotStore.load = loading
from ownergate.cli.main import app
sys.argv[0] = "ownergate"
app()
"""
READ_ONLY = """
import sys, time
from ownergate.interchange import read_registry
t = time.perf_counter()
read_registry(sys.argv[1], sys.argv[2])
print(f"{time.perf_counter() - t:.3f}")
"""
STAGE = re.compile(r"time: (\w+)\s*│\s*([\d.]+) s")


def as_csv(data: Path) -> tuple[Path, Path]:
    """CSV copies of the synthesised Parquet files (made once)."""
    out = data / "csv"
    done = out / ".complete"
    paths = out / "entities.csv", out / "ownership.csv"
    if not done.exists():
        out.mkdir(exist_ok=True)
        t = time.perf_counter()
        for name, path in zip(("entities", "ownership"), paths, strict=True):
            pa_csv.write_csv(pq.read_table(data / f"{name}.parquet"), path)
        done.touch()
        print(f"  CSV copies: {time.perf_counter() - t:.1f} s -> {out}")
    return paths


def run(args: list[str], log: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (GB) and stdout of one child process."""
    out = log.with_suffix(".out")
    cmd = [sys.executable, *args]
    with out.open("wb") as stdout, log.open("wb") as stderr:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t
    if os.waitstatus_to_exitcode(status):
        raise RuntimeError(f"{' '.join(cmd)} failed: {log.read_text()[-2000:]}")
    scale = 1 if sys.platform == "darwin" else 1024
    return wall, usage.ru_maxrss * scale / GB, out.read_text()


def median(values: list[float]) -> float:
    return statistics.median(values)


def measure(data: Path, workdir: Path, edges: int, repeats: int) -> dict[str, float]:
    fig: dict[str, float] = {}
    files = {"parquet": (data / "entities.parquet", data / "ownership.parquet")}
    files["csv"] = as_csv(data)
    logs = workdir / "logs"
    logs.mkdir(exist_ok=True)
    for fmt, (entities, ownership) in files.items():
        read = ["-c", READ_ONLY, str(entities), str(ownership)]
        reads = [float(run(read, logs / "read.log", dict(os.environ))[2]) for _ in range(repeats)]
        fig[f"read_{fmt}_s"] = median(reads)
        walls, rss = [], []
        for i in range(repeats):
            store = workdir / f"store-{fmt}"
            shutil.rmtree(store, ignore_errors=True)
            env = {**os.environ, "OWNERGATE_DATA_DIR": str(store)}
            cmd = ["-c", CHILD, "ingest", "--entities", str(entities)]
            cmd += ["--ownership", str(ownership), "--snapshot", "bench"]
            wall, gb, _ = run(cmd, logs / f"ingest-{fmt}-{i}.log", env)
            walls.append(wall)
            rss.append(gb)
        note = (logs / f"ingest-{fmt}-0.log").read_text().strip()
        fig[f"ingest_{fmt}_s"], fig[f"ingest_{fmt}_gb"] = median(walls), max(rss)
        fig[f"ingest_{fmt}_rate"] = edges / fig[f"ingest_{fmt}_s"]
        print(
            f"  ingest from {fmt}: {median(walls):.2f} s median of {repeats} "
            f"({', '.join(f'{w:.2f}' for w in walls)}), {edges / median(walls):,.0f} holdings/s, "
            f"peak RSS {max(rss):.2f} GB; reading the files alone {fig[f'read_{fmt}_s']:.2f} s"
            + (f"\n    ({note})" if note else "")
        )
    store = workdir / "store-parquet"
    snapshot = next((store / "snapshots").iterdir())
    size = sum(f.stat().st_size for f in (snapshot / "arrays").iterdir()) / GB
    print(f"  snapshot {snapshot.name[:12]}: arrays {size:.2f} GB")
    env = {**os.environ, "OWNERGATE_DATA_DIR": str(store)}
    for out in ("decisions.parquet", "decisions.csv"):
        walls, stages, rss = [], [], []
        for i in range(repeats + 1):
            cmd = ["-c", CHILD, "screen", "--snapshot", "bench", "--out", str(workdir / out)]
            cmd += ["--as-of", AS_OF.isoformat()]
            wall, gb, text = run(cmd, logs / f"screen-{i}.log", env)
            walls.append(wall)
            rss.append(gb)
            stages.append({k: float(v) for k, v in STAGE.findall(text)})
            if i == 0 and out.endswith(".parquet"):
                fig["screen_first_s"] = wall
                cache = snapshot / "prepared"
                entry = sum(f.stat().st_size for f in cache.rglob("*") if f.is_file()) / GB
                print(
                    f"  screen --snapshot, first run (prepares, stores the graph): {wall:.2f} s, "
                    f"peak RSS {gb:.2f} GB; stages {stages[0]}; cache {entry:.2f} GB"
                )
        key = out.split(".")[1]
        hits = walls[1:]
        fig[f"screen_{key}_s"], fig[f"screen_{key}_gb"] = median(hits), max(rss[1:])
        parts = {k: median([s.get(k, 0.0) for s in stages[1:]]) for k in stages[1]}
        print(
            f"  screen --snapshot -> {out}, stored graph: {median(hits):.2f} s median of "
            f"{len(hits)} ({', '.join(f'{w:.2f}' for w in hits)}), peak RSS {max(rss[1:]):.2f} GB;"
            f" stage medians {', '.join(f'{k} {v:.2f} s' for k, v in parts.items())}"
        )
    return fig


# (figure, label, target, check): targets apply at TARGET_EDGES.
ROWS = [
    ("ingest_parquet_rate", "ingest from Parquet, holdings/s", ">= 1M/s", lambda v: v >= 1e6),
    ("ingest_parquet_gb", "  peak RSS GB", "<= 3 GB", lambda v: v <= 3.0),
    ("ingest_csv_rate", "ingest from CSV, holdings/s", ">= 300k/s", lambda v: v >= 3e5),
    ("ingest_csv_gb", "  peak RSS GB", "<= 3 GB", lambda v: v <= 3.0),
    ("read_parquet_s", "read Parquet files alone s", "", None),
    ("read_csv_s", "read CSV files alone s", "", None),
    ("screen_first_s", "screen --snapshot, first run s", "", None),
    ("screen_parquet_s", "screen --snapshot -> Parquet s", "<= 3 s", lambda v: v <= 3.0),
    ("screen_parquet_gb", "  peak RSS GB", "", None),
    ("screen_csv_s", "screen --snapshot -> CSV s", "", None),
]


def show(key: str, value: float) -> str:
    if key.endswith("_rate"):
        return f"{value:,.0f}"
    return f"{value:.2f}"


def final_table(figures: dict[int, dict[str, float]]) -> None:
    sizes = list(figures)
    print("\nSummary (medians of fresh child processes; page cache warm)")
    head = f"{'figure':<36}" + "".join(f"{f'{n:,} edges':>17}" for n in sizes)
    print(f"{head}  {'target':<10} verdict")
    for key, label, target, check in ROWS:
        cells = "".join(
            f"{show(key, figures[n][key]) if key in figures[n] else '-':>17}" for n in sizes
        )
        at = figures.get(TARGET_EDGES)
        verdict = ""
        if check is not None:
            verdict = "n/a (no 10M run)" if at is None else ("met" if check(at[key]) else "MISSED")
        print(f"{label:<36}{cells}  {target:<10} {verdict}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, action="append", help="holdings (repeatable)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "og-bench")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = args.edges or [1_000_000, 10_000_000]
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(machine_facts())
    print(f"as of {AS_OF}; seed {args.seed}; work directory {args.workdir}")
    figures: dict[int, dict[str, float]] = {}
    for edges in sizes:
        print(f"\n== {edges:,} holdings ==")
        data, _ = synthesise(edges, args.seed, args.workdir)
        work = data / "ingest"
        work.mkdir(exist_ok=True)
        figures[edges] = measure(data, work, edges, args.repeats)
    final_table(figures)
    print("\n" + machine_facts())


if __name__ == "__main__":
    main()
