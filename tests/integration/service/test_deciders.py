"""The deciders cache: one build per pair however many ask at once, at most two kept,
snapshot tables shared, and a snapshot whose files are gone refused without naming paths."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from ownergate.service import Decider, Deciders, Pair
from ownergate.snapshots import SnapshotStore
from ownergate.store import ConflictError, Database
from tests.integration.service.registry import activate_policy, activate_snapshot


def test_each_pair_is_built_once_however_many_ask_at_once(db: Database, data_dir: Path) -> None:
    digest = activate_snapshot(db, data_dir, "reg1")
    deciders = Deciders(db, SnapshotStore(data_dir))
    start = threading.Barrier(8)
    got: list[Decider] = []

    def ask() -> None:
        start.wait()
        got.append(deciders.get(Pair(1, digest)))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 8 and all(d is got[0] for d in got)
    assert deciders.cached() == [Pair(1, digest)]


def test_two_deciders_are_kept_and_those_on_one_snapshot_share_its_tables(
    db: Database, data_dir: Path
) -> None:
    digest = activate_snapshot(db, data_dir, "reg1")
    version = activate_policy(db)
    deciders = Deciders(db, SnapshotStore(data_dir))
    first = deciders.get(Pair(1, digest))
    second = deciders.get(Pair(version, digest))
    assert first.tables[0] is second.tables[0] and first.tables[1] is second.tables[1]
    assert second.policy.regions == ("RU",)
    deciders.get(Pair(1, digest))  # used last: the one to keep
    deciders.get(Pair(1, None))
    assert deciders.cached() == [Pair(1, digest), Pair(1, None)]
    assert deciders.get(Pair(1, digest)) is first


def test_a_snapshot_whose_files_are_gone_is_a_conflict_naming_no_path(
    db: Database, data_dir: Path
) -> None:
    digest = activate_snapshot(db, data_dir, "reg1")
    shutil.rmtree(data_dir / "snapshots" / digest)
    (data_dir / "refs" / "reg1").unlink()
    with pytest.raises(ConflictError, match="not in the data directory") as caught:
        Deciders(db, SnapshotStore(data_dir)).get(Pair(1, digest))
    assert str(data_dir) not in str(caught.value)
