"""kill -9 at random points of ``ingest`` and of a whole-base ``portfolio screen``.

After every kill the state a reader can see is whole: a snapshot name either is absent or
names a complete snapshot whose files match their checksums, and the store holds decisions
for exactly the accounts the screening run's cursor has passed, with counters that count
exactly what is stored. A rerun then resumes and finishes with the same invariants, and the
next import clears what the killed ones left. Kill points are drawn from a seeded random
generator (the seed is in the test's name), so a failure can be replayed."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from ownergate.service import SnapshotService
from ownergate.snapshots import SnapshotStore
from ownergate.snapshots.store import DATA_FILES, sha256_file
from ownergate.store import Database, upgrade, verify_chain

SEED = 14
ROOT = Path(__file__).resolve().parents[2]


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNERGATE_")}
    return {**env, "OWNERGATE_DATA_DIR": str(data), "COLUMNS": "120", **extra}


def _cli(*args: str | Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "ownergate", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def _whole(store: SnapshotStore) -> list[str]:
    """The visible snapshots, each checked complete; returns their names."""
    names = []
    for snap in store.list():
        for name in DATA_FILES:
            assert sha256_file(snap.path / name) == snap.manifest["checksums"][name], name
        names.append(snap.name)
    published = store.root / "snapshots"
    for folder in published.iterdir() if published.is_dir() else []:
        if not folder.name.startswith("."):  # every published folder is complete
            assert (folder / "manifest.json").is_file(), folder
    return names


def _wait_for_staging(data: Path, proc: subprocess.Popen[bytes]) -> int:
    """Wait until the import has a staging folder (1), or has ended (0)."""
    while proc.poll() is None:
        folder = data / "snapshots"
        if folder.is_dir() and any(p.name.startswith(".staging") for p in folder.iterdir()):
            return 1
        time.sleep(0.002)
    return 0


@pytest.mark.slow
def test_kill_9_during_ingest_never_shows_a_partial_snapshot(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(data)
    _cli("synth", "--edges", "300000", "--seed", "3", "--out", tmp_path / "reg", env=env)
    files = [tmp_path / "reg" / "entities.parquet", tmp_path / "reg" / "ownership.parquet"]
    draw = random.Random(SEED)
    store = SnapshotStore(data)
    taken = []
    staged = 0
    for attempt in range(6):
        name = f"k{attempt}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "ownergate", "ingest", "interchange", *map(str, files),
             "--snapshot", name, "-q"],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        if attempt % 2:
            time.sleep(draw.uniform(0.3, 3.5))  # anywhere: reading, writing, naming
        else:  # while the snapshot is being written
            staged += _wait_for_staging(data, proc)
            time.sleep(draw.uniform(0, 0.3))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        visible = _whole(store)
        assert set(visible) <= {f"k{i}" for i in range(attempt + 1)}, visible
        taken = visible
    assert staged >= 2  # the kills did land while snapshots were being written
    # The next import clears what the killed ones left, and stores the same content.
    _cli("ingest", "interchange", *files, "--snapshot", "final", "-q", env=env)
    names = _whole(store)
    assert names == sorted([*taken, "final"])
    assert len({store.get(n).digest for n in names}) == 1
    leftovers = [p.name for p in (data / "snapshots").iterdir() if p.name.startswith(".staging")]
    assert leftovers == []
    assert not [p for p in (data / "refs").iterdir() if p.name.startswith(".")]


_SCREEN = textwrap.dedent(
    """
    import json, sys
    from ownergate.service import Deciders, PortfolioService
    from ownergate.settings import Settings
    from ownergate.snapshots import SnapshotStore
    from ownergate.store import Database

    config = Settings()
    db = Database(config.database_url)
    files = SnapshotStore(config.data_dir)
    service = PortfolioService(db, Deciders(db, files), files, batch=int(sys.argv[1]))
    report = service.screen(
        actor="cli:tests", progress=lambda done, total: print(done, total, flush=True)
    )
    print("done", json.dumps(report.counts), flush=True)
    """
)


def _check_screen_state(database: Path) -> tuple[dict[str, int], int]:
    """Whatever the kill left: decisions for exactly the accounts up to the run's cursor,
    one each, and counters equal to what is stored. Returns the counts and the decided."""
    with sqlite3.connect(database) as sql:
        accounts = [r[0] for r in sql.execute("SELECT id FROM accounts ORDER BY id")]
        decided = dict(sql.execute("SELECT account_id, count(*) FROM decisions GROUP BY 1"))
        statuses = Counter(
            r[0]
            for r in sql.execute(
                "SELECT status FROM decisions d WHERE id = "
                "(SELECT max(id) FROM decisions e WHERE e.account_id = d.account_id)"
            )
        )
        links = Counter(r[0] for r in sql.execute("SELECT outcome FROM entity_links"))
        runs = list(sql.execute("SELECT cursor, counts FROM screen_runs ORDER BY id"))
    assert len(runs) <= 1, runs  # a killed run is resumed, never started again
    if not runs or runs[0][0] is None:
        assert decided == {} and not links
        return {}, 0
    cursor, counts = runs[0][0], json.loads(runs[0][1])
    assert set(decided) == {a for a in accounts if a <= cursor}  # whole batches only
    assert set(decided.values()) == {1}
    assert counts["accounts"] == counts["appended"] == counts["first"] == len(decided)
    assert {k[7:]: v for k, v in counts.items() if k.startswith("status.")} == dict(statuses)
    assert {k[6:]: v for k, v in counts.items() if k.startswith("links.")} == dict(links)
    return counts, len(decided)


@pytest.mark.slow
def test_kill_9_during_portfolio_screen_resumes_with_exact_counters(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = _env(data)
    _cli("synth", "--edges", "20000", "--seed", "5", "--out", tmp_path / "reg", env=env)
    _cli("synth", "customers", "--n", "1200", "--registry", tmp_path / "reg",
         "--out", tmp_path / "cust", "--seed", "5", env=env)  # fmt: skip
    reg = tmp_path / "reg"
    _cli("ingest", "interchange", reg / "entities.parquet", reg / "ownership.parquet",
         "--snapshot", "s1", "-q", env=env)  # fmt: skip
    _cli("portfolio", "load", "--customers", tmp_path / "cust" / "customers.parquet", env=env)
    database = data / "ownergate.db"
    url = f"sqlite:///{database}"
    upgrade(url)
    db = Database(url)
    try:
        snapshots = SnapshotService(db, SnapshotStore(data))
        record, _ = snapshots.register("s1", actor="cli:tests")
        snapshots.activate(record.snapshot.digest, actor="cli:tests")
    finally:
        db.dispose()
    draw = random.Random(SEED)
    progressed = 0
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", _SCREEN, "20"],
            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert proc.stdout is not None
        lines = draw.randint(0, 25)  # progress reports: names resolved, then batches written
        for _ in range(lines):
            if not proc.stdout.readline():
                break
        time.sleep(draw.uniform(0, 0.05))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        _, decided = _check_screen_state(database)
        assert decided >= progressed  # nothing committed is ever lost
        progressed = decided
    finished = subprocess.run(
        [sys.executable, "-c", _SCREEN, "20"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr
    counts, decided = _check_screen_state(database)
    assert decided == 1200 and counts["accounts"] == 1200
    done = json.loads(finished.stdout.strip().splitlines()[-1].removeprefix("done "))
    assert done == counts
    db = Database(url)
    try:
        with db.read() as store:
            assert verify_chain(store.session).ok
            (run,) = store.runs.latest()
            assert run.finished_at is not None
    finally:
        db.dispose()
