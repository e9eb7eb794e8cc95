"""Snapshots: exact round trips, immutability, content addressing, all-or-nothing writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.errors import ConfigError, InputError
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
    with pytest.raises(ConfigError, match="immutable"):
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
