"""Snapshots: exact round trips, immutability, content addressing, all-or-nothing writes."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.errors import ConfigError, InputError, NameTakenError
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import Policy
from ownergate.snapshots import Registry, SnapshotStore
from ownergate.snapshots import store as store_module

ENTITIES = [
    Entity("CNP", name="Sino Parent", country="CN"),
    Entity("SGS", name="Lion City", country="SG", legal_country="SG"),
    Entity("DEG", name="Rhein", country="DE", listed=False),
    Entity("JV", name="Joint Venture", country="NL"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("SGS", "DEG", Share.exact("1")),
    Holding("SGS", "JV", Share.between("0.25", "0.75", low_exclusive=True)),
    Holding("DEG", "JV", Share.unknown()),
]


def _save(store: SnapshotStore, name: str = "s1") -> None:
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    store.save(name, Registry.plain(ents, holds, {"format": "test"}), "tests")


def test_round_trip_keeps_every_column_and_decision(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _save(store)
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    got_e, got_h = store.load("s1")
    assert [got_e.id(i) for i in range(len(got_e))] == [e.id for e in ENTITIES]
    assert got_e.record(1) == ENTITIES[1]
    for name in ("owner", "owned", "low", "high", "known", "low_exclusive", "start", "end"):
        assert np.array_equal(getattr(got_h, name), getattr(holds, name)), name
    policy = Policy()
    a = screen(prepare(ents, holds, policy), policy)
    b = screen(prepare(got_e, got_h, policy), policy)
    assert np.array_equal(a.status, b.status) and np.array_equal(a.share_max, b.share_max)
    assert got_e.position("DEG") == 2 and got_e.position("nope") is None


def test_names_are_immutable_and_content_is_stored_once(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _save(store, "monday")
    with pytest.raises(NameTakenError, match="immutable"):
        _save(store, "monday")
    _save(store, "tuesday")
    assert store.get("monday").digest == store.get("tuesday").digest
    assert len(list((tmp_path / "snapshots").iterdir())) == 1
    assert [s.name for s in store.list()] == ["monday", "tuesday"]
    with pytest.raises(InputError, match="no snapshot named 'friday'"):
        store.get("friday")
    with pytest.raises(ConfigError, match="snapshot name"):
        store.get("../etc")


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_path: Path, _holdings: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module, "_write_holdings", broken)
    store = SnapshotStore(tmp_path)
    with pytest.raises(OSError, match="disk full"):
        _save(store)
    assert store.list() == []
    assert list((tmp_path / "snapshots").iterdir()) == []


def test_kill_during_import_leaves_no_visible_snapshot(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import time
        from ownergate.snapshots import store as m
        from ownergate.graph.tables import columns_from_records
        from ownergate.snapshots import Registry
        from tests.integration.snapshots.test_snapshot_store import ENTITIES, HOLDINGS
        real = m._write_holdings
        def slow(path, registry):
            real(path, registry)
            print("written", flush=True)
            time.sleep(60)
        m._write_holdings = slow
        ents, holds = columns_from_records(ENTITIES, HOLDINGS)
        registry = Registry.plain(ents, holds, {{"format": "test"}})
        m.SnapshotStore({str(tmp_path)!r}).save("s1", registry, "tests")
        """
    )
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "written"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.1)
    store = SnapshotStore(tmp_path)
    assert store.list() == []
    visible = [p for p in (tmp_path / "snapshots").iterdir() if not p.name.startswith(".")]
    assert visible == []


def test_two_saves_of_one_name_at_once_leave_the_first_and_refuse_the_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both pass the early check (the name is free), both write their data; only one may
    # take the name, and the other must fail naming it, whatever the timing.
    ready = threading.Barrier(2, timeout=30)
    real = store_module._write_holdings

    def in_step(path: Path, registry: Registry) -> None:
        real(path, registry)
        ready.wait()

    monkeypatch.setattr(store_module, "_write_holdings", in_step)
    store = SnapshotStore(tmp_path)
    other = [*HOLDINGS[:-1], Holding("DEG", "JV", Share.exact("0.1"))]
    results: dict[int, object] = {}

    def save(i: int) -> None:
        ents, holds = columns_from_records(ENTITIES, HOLDINGS if i == 0 else other)
        try:
            results[i] = store.save("x", Registry.plain(ents, holds, {"format": "t"}), "t")
        except NameTakenError as exc:
            results[i] = exc

    threads = [threading.Thread(target=save, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    won = [r for r in results.values() if not isinstance(r, Exception)]
    lost = [r for r in results.values() if isinstance(r, NameTakenError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "'x'" in str(lost[0]) and "exists already" in str(lost[0])
    assert store.get("x").digest == won[0].digest  # type: ignore[attr-defined]
    assert [p.name for p in (tmp_path / "refs").iterdir()] == ["x"]  # no temporary left


def _stale(path: Path, seconds: float = 3600) -> Path:
    path.mkdir(parents=True)
    (path / "holdings.parquet").write_bytes(b"partial")
    old = time.time() - seconds
    os.utime(path, (old, old))
    return path


def test_the_next_write_sweeps_staging_left_by_a_killed_import(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    # A staging folder nobody holds: its import died, however recently.
    abandoned = _stale(tmp_path / "snapshots" / ".staging-dead", seconds=0)
    # Made but not yet locked: only an old one is abandoned.
    young = _stale(tmp_path / "snapshots" / ".creating-young", seconds=1)
    old = _stale(tmp_path / "snapshots" / ".creating-old")
    held = _stale(tmp_path / "snapshots" / ".staging-held", seconds=0)
    fd = os.open(held, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a live import is still writing here
        _save(store, "after")
        assert not abandoned.exists() and not old.exists()
        assert young.exists() and held.exists()
    finally:
        os.close(fd)
    # Released: the next sweep takes it.
    assert store.sweep() == [held]
    assert not held.exists() and young.exists()
    assert store.get("after").name == "after"


def test_gc_removes_stale_staging_and_temporary_refs(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    _save(store, "kept")
    abandoned = _stale(tmp_path / "snapshots" / ".staging-dead")
    ref_tmp = tmp_path / "refs" / ".kept.1234.tmp"
    ref_tmp.write_text("0" * 64)
    old = time.time() - 3600
    os.utime(ref_tmp, (old, old))
    root = Path(__file__).resolve().parents[3]
    proc = subprocess.run(
        [sys.executable, "-m", "ownergate", "snapshots", "--gc"],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "OWNERGATE_DATA_DIR": str(tmp_path), "COLUMNS": "200"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert not abandoned.exists() and not ref_tmp.exists()
    assert "removed 2 leftover(s) of interrupted writes" in proc.stdout
    assert [s.name for s in store.list()] == ["kept"]
