"""Screening as a user waits for it, on registries not shaped by our own generator.

    python benchmarks/screen.py [--holdings 1000000 --holdings 10000000]
        [--shape groups --shape synth] [--seed 7] [--workdir DIR] [--repeats 3]
        [--skip-duckdb] [--skip-reference]

For each shape and size the script makes the registry (``benchmarks/shapes.py``, or
``ownergate synth`` for ``synth``; reused from the work directory when there), ingests it
as a snapshot, and prints:

- correctness: the effective decisions against an independent solve (scipy, strongly
  connected components in topological order, a sparse solve per cyclic component; the
  test suite's reference), counting decisions that differ outside 1e-9 of the threshold;
- in-process stage figures, best of ``--repeats``: prepare, and ``screen()`` per method
  (decide), decision columns, on the snapshot's graph (entities in dependency order);
- end to end, each its own process (wall time and the child's peak RSS, median of
  ``--repeats``): ``ownergate screen`` from the Parquet files and from the snapshot, for
  both methods, with the command's own stage timings; ``ownergate explain`` of one entity;
  the same job in plain DuckDB SQL (``duckdb_screen.py``: load, compute, write);
- floors: what each stage cannot beat on this machine (a Python process importing numpy
  and pyarrow; decoding the Parquet files; one pass over the holdings reading one value per
  owner; writing the same decisions uncompressed), and how far each stage is from it;
- a summary against the goals.

Figures only, nothing asserted. Run on a quiet machine: other load moves them by 20-50%.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks import shapes  # noqa: E402

AS_OF = dt.date(2026, 11, 25)
GB = 1024**3
T = TypeVar("T")
GOALS = {  # (shape, holdings, figure) -> (goal, is it met)
    "effective decide": ("1M: <= 0.3 s; 10M: <= 1 s", {1_000_000: 0.3, 10_000_000: 1.0}),
    "control decide": ("10M: <= 0.2 s", {10_000_000: 0.2}),
    "explain (effective, snapshot)": ("1M: <= 1 s", {1_000_000: 1.0}),
    "screen --snapshot control": ("10M: <= 3 s", {10_000_000: 3.0}),
    "screen --snapshot effective": ("10M: <= 3 s", {10_000_000: 3.0}),
}


def cli() -> str:
    here = Path(sys.executable).parent / "ownergate"
    return str(here) if here.exists() else "ownergate"


def best_of(fn: Callable[[], T], repeats: int) -> tuple[float, T]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    assert out is not None
    return best, out


def timed(cmd: list[str], repeats: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Median wall, peak RSS and the command's stage timings over ``repeats`` runs."""
    walls, rsss, stages = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )  # fmt: skip
        out_b = proc.stdout.read() if proc.stdout else b""
        err_b = proc.stderr.read() if proc.stderr else b""
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - t)
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError(f"{' '.join(cmd)}: {err_b.decode()[-2000:]}")
        rsss.append(usage.ru_maxrss * 1024 / GB)
        stages.append(_stages(out_b.decode()))
    mid = sorted(range(repeats), key=lambda i: walls[i])[repeats // 2]
    return {"wall": walls[mid], "rss": rsss[mid], "stages": stages[mid], "walls": walls}


def _stages(text: str) -> dict[str, float]:
    """The ``time: STAGE  N s`` lines of the command's summary."""
    return {m[1]: float(m[2]) for m in re.finditer(r"time: (\w+)\s+([0-9.]+) s", text)}


def registry(shape: str, holdings: int, seed: int, workdir: Path) -> Path:
    out = workdir / f"{shape}-{holdings}-seed-{seed}"
    if (out / ".complete").exists():
        return out
    t = time.perf_counter()
    if shape == "synth":
        cmd = [cli(), "synth", "--edges", str(holdings), "--seed", str(seed), "--out", str(out)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    else:
        shapes.write(shapes.generate(holdings, seed, shape), out)
    (out / ".complete").touch()
    print(f"  made {out.name} in {time.perf_counter() - t:.1f} s")
    return out


def ingest(data: Path, name: str, env: dict[str, str]) -> float:
    marker = Path(env["OWNERGATE_DATA_DIR"]) / "refs" / name
    if marker.exists():
        return float("nan")
    cmd = [cli(), "ingest", "interchange", str(data / "entities.parquet")]
    cmd += [str(data / "ownership.parquet"), "--snapshot", name]
    return timed(cmd, 1, env)["wall"]


def reference_check(shape: str, holdings: int, seed: int) -> str:
    """Effective decisions of the engine against the test suite's independent solve."""
    if shape == "synth":
        return "n/a (synth registries are checked by the test suite's generators)"
    from tests.unit.engine.test_engine_at_scale import Registry, columns

    from ownergate.engine.screen import screen
    from ownergate.graph.prepare import prepare
    from ownergate.policy import Method, default_policy

    reg = shapes.generate(holdings, seed, shape)
    policy = default_policy().model_copy(update={"method": Method.EFFECTIVE})
    ents, holds = columns(reg)
    t = time.perf_counter()
    result = screen(prepare(ents, holds, policy, AS_OF), policy)
    ours = time.perf_counter() - t
    t = time.perf_counter()
    r = Registry(reg).effective()
    theirs = time.perf_counter() - t
    want = reg.seeds | (r > 0.5)
    got = result.status == 0
    near = np.abs(r - 0.5) <= 1e-9
    differ = int(((got != want) & ~near).sum())
    return (
        f"{differ} differ outside 1e-9 of the threshold ({int(near.sum()):,} within it, "
        f"decided exactly); engine {ours:.2f} s, scipy reference {theirs:.1f} s"
    )


def in_process(store_dir: Path, name: str, repeats: int) -> dict[str, float]:
    from ownergate.engine.screen import screen
    from ownergate.explain.columns import decision_columns
    from ownergate.graph.prepare import prepare
    from ownergate.policy import Method, default_policy
    from ownergate.snapshots import SnapshotStore
    from ownergate.snapshots.arrays import load_blocks

    store = SnapshotStore(store_dir)
    ents, holds = store.load(name)
    blocks = load_blocks(store.get(name).path)
    fig: dict[str, float] = {}
    for method in ("control", "effective"):
        policy = default_policy().model_copy(update={"method": Method(method)})
        fig["prepare"], g = best_of(
            lambda p=policy: prepare(ents, holds, p, AS_OF, blocks=blocks), repeats
        )
        fig[f"{method} decide"], result = best_of(lambda p=policy, g=g: screen(g, p), repeats)
        fig[f"{method} columns"], _ = best_of(lambda r=result: decision_columns(r), repeats)
    fig["floor: one pass over the holdings"] = _one_pass(g)
    return fig


def _one_pass(g: Any) -> float:
    from numba import njit

    @njit(cache=False)
    def one(in_ptr: Any, src: Any, units: Any, x: Any) -> None:
        for v in range(len(x)):
            s = 0.0
            for e in range(in_ptr[v], in_ptr[v + 1]):
                s += units[e] * x[src[e]]
            x[v] = s if s > 0 else 1.0

    layer = g.layers[0]
    x = np.zeros(g.n)
    one(layer.in_ptr, layer.src, layer.low_units, x)
    return best_of(lambda: one(layer.in_ptr, layer.src, layer.low_units, x) or 0, 3)[0]


def floors(data: Path, repeats: int) -> dict[str, float]:
    py = sys.executable
    start = timed([py, "-c", "import numpy, pyarrow"], repeats)["wall"]
    read = timed(
        [py, "-c",
         "import pyarrow.parquet as q, sys; q.read_table(sys.argv[1]); q.read_table(sys.argv[2])",
         str(data / "entities.parquet"), str(data / "ownership.parquet")],
        repeats,
    )["wall"]  # fmt: skip
    return {"floor: start (python, numpy, pyarrow)": start, "floor: read files": read - start}


def write_floor(decisions: Path) -> float:
    import pyarrow.parquet as pq

    table = pq.read_table(decisions)
    out = decisions.with_suffix(".floor.parquet")
    t = time.perf_counter()
    pq.write_table(table, out, compression="none", use_dictionary=False, write_statistics=False)
    took = time.perf_counter() - t
    out.unlink()
    return took


def run_size(shape: str, holdings: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"\n== {shape}, {holdings:,} holdings ==", flush=True)
    data = registry(shape, holdings, args.seed, args.workdir)
    store_dir = args.workdir / "store"
    env = {"OWNERGATE_DATA_DIR": str(store_dir)}
    name = f"{shape}-{holdings}-{args.seed}"
    wall = ingest(data, name, env)
    print(f"  snapshot {name}: ingest {wall:.1f} s" if wall == wall else f"  snapshot {name}")
    res: dict[str, Any] = {"shape": shape, "holdings": holdings}
    if not args.skip_reference and holdings <= 1_000_000:
        res["reference"] = reference_check(shape, holdings, args.seed)
        print(f"  effective vs independent solve: {res['reference']}", flush=True)
    fig = in_process(store_dir, name, args.repeats)
    for key, value in fig.items():
        print(f"  in process, {key}: {value:.3f} s")
    res.update(fig)
    eff = args.workdir / "effective.toml"
    eff.write_text('method = "effective"\n')
    out = args.workdir / "decisions.parquet"
    common = ["--as-of", AS_OF.isoformat(), "--out", str(out)]
    files = ["-e", str(data / "entities.parquet"), "-o", str(data / "ownership.parquet")]
    for method, pol in (("control", []), ("effective", ["--policy", str(eff)])):
        for where, src in (("files", files), ("snapshot", ["--snapshot", name])):
            cmd = [cli(), "screen", *src, *pol, *common]
            if where == "snapshot":
                timed(cmd, 1, env)  # the first run prepares and stores the graph
            got = timed(cmd, args.repeats, env)
            res[f"screen --{where} {method}"] = got
            stages = ", ".join(f"{k} {v:.2f}" for k, v in got["stages"].items())
            print(
                f"  ownergate screen ({where}, {method}): {got['wall']:.2f} s, "
                f"{got['rss']:.2f} GB [{stages}]",
                flush=True,
            )
        if not args.skip_duckdb:
            cmd = [sys.executable, str(HERE / "duckdb_screen.py"), "--method", method]
            cmd += ["--entities", str(data / "entities.parquet")]
            cmd += ["--ownership", str(data / "ownership.parquet"), "--out", str(out) + ".duck"]
            cmd += ["--as-of", AS_OF.isoformat()]
            got = timed(cmd, args.repeats)
            res[f"duckdb {method}"] = got
            print(f"  DuckDB SQL ({method}): {got['wall']:.2f} s, {got['rss']:.2f} GB")
    some = _restricted_subsidiary(out)
    for where, src in (("snapshot", ["--snapshot", name]), ("files", files)):
        cmd = [cli(), "explain", some, *src, "--policy", str(eff), "--as-of", AS_OF.isoformat()]
        got = timed(cmd, args.repeats, env)
        res[f"explain (effective, {where})"] = got
        print(f"  ownergate explain {some} ({where}, effective): {got['wall']:.2f} s")
    res.update(floors(data, args.repeats))
    res["floor: write decisions uncompressed"] = write_floor(out)
    return res


def _restricted_subsidiary(decisions: Path) -> str:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(decisions, columns=["id", "reason"])
    hit = table.filter(pc.equal(table.column("reason"), "ownership"))
    return str(hit.column("id")[len(hit) // 2]) if len(hit) else str(table.column("id")[0])


def summary(results: list[dict[str, Any]]) -> None:
    print("\nSummary (seconds; end-to-end figures are median wall times of fresh processes)")
    for res in results:
        label = f"{res['shape']}, {res['holdings']:,} holdings"
        print(f"\n{label}")
        rows = [
            ("effective decide", res.get("effective decide")),
            ("control decide", res.get("control decide")),
        ]
        for key in (
            "screen --files control", "screen --files effective",
            "screen --snapshot control", "screen --snapshot effective",
            "duckdb control", "duckdb effective",
            "explain (effective, snapshot)", "explain (effective, files)",
        ):  # fmt: skip
            if key in res:
                rows.append((key, res[key]["wall"]))
        for key, value in rows:
            if value is None:
                continue
            goal = GOALS.get(key)
            verdict = ""
            if goal and res["holdings"] in goal[1]:
                verdict = f"  goal {goal[1][res['holdings']]} s: " + (
                    "met" if value <= goal[1][res["holdings"]] else "MISSED"
                )
            print(f"  {key:<34} {value:8.3f}{verdict}")
        for method in ("control", "effective"):
            if f"duckdb {method}" in res:
                ours = res[f"screen --files {method}"]["wall"]
                duck = res[f"duckdb {method}"]["wall"]
                print(f"  ours vs DuckDB SQL, {method}, end to end: {duck / ours:.2f}x")
        for where in ("files", "snapshot"):
            got = res.get(f"screen --{where} control")
            if got:
                print(f"  peak RSS screen --{where} control: {got['rss']:.2f} GB")
        print("  stages against their floors (screen --snapshot control):")
        stages = res["screen --snapshot control"]["stages"]
        start = res["screen --snapshot control"]["wall"] - sum(stages.values())
        pairs = [
            ("start and summary", start, res["floor: start (python, numpy, pyarrow)"]),
            ("decide", stages.get("decide", 0), res["floor: one pass over the holdings"]),
            ("columns", stages.get("columns", 0), res["floor: one pass over the holdings"]),
            ("write", stages.get("write", 0), res["floor: write decisions uncompressed"]),
        ]
        for what, value, floor in pairs:
            print(f"    {what:<18} {value:6.2f} s, floor {floor:5.2f} s ({value / floor:4.1f}x)")
        files = res["screen --files control"]["stages"].get("read", 0)
        print(
            f"    read (files)       {files:6.2f} s, floor "
            f"{res['floor: read files']:5.2f} s ({files / res['floor: read files']:4.1f}x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdings", type=int, action="append")
    parser.add_argument("--shape", action="append", choices=(*shapes.SHAPES, "synth"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "og-bench")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-duckdb", action="store_true")
    parser.add_argument("--skip-reference", action="store_true")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    cpu = platform.processor() or platform.machine()
    print(f"{cpu}, {os.cpu_count()} cores; python {platform.python_version()}; as of {AS_OF}")
    results = []
    for shape in args.shape or ["groups", "synth"]:
        for holdings in args.holdings or [1_000_000, 10_000_000]:
            results.append(run_size(shape, holdings, args))
    summary(results)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
