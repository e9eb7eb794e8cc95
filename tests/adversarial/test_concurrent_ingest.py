"""Imports racing for one snapshot name: started together, exactly one takes the name and
the rest exit 2 naming it; the name then says what the winner imported, and nothing the
losers wrote is left behind."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ownergate.snapshots import SnapshotStore

RACERS = 4


@pytest.mark.slow
def test_concurrent_ingests_of_one_name_leave_exactly_one_winner(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWNERGATE_")}
    env["OWNERGATE_DATA_DIR"] = str(data)
    procs = []
    for i in range(RACERS):
        entities, ownership = tmp_path / f"e{i}.csv", tmp_path / f"o{i}.csv"
        entities.write_text(f"id,name,country\nP,Parent,CN\nS{i},Sub {i},SG\n")
        ownership.write_text(f"owner,owned,share\nP,S{i},0.{i + 5}\n")
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ownergate",
                    "ingest",
                    "interchange",
                    str(entities),
                    str(ownership),
                    "--snapshot",
                    "x",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
        )
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    winners = [out for code, out, _ in results if code == 0]
    losers = [err for code, _, err in results if code != 0]
    assert len(winners) == 1, results
    assert all(code in (0, 2) for code, _, _ in results), (
        results
    )  # a lost race is an input error, never a crash
    for err in losers:
        assert err.count("\n") == 1 and "snapshot 'x' exists already" in err, err
    printed = re.search(r"\(([0-9a-f]{12})\)", winners[0])
    assert printed is not None, winners[0]
    store = SnapshotStore(data)
    assert store.get("x").digest.startswith(printed.group(1))
    assert sorted(p.name for p in (data / "refs").iterdir()) == ["x"]
    leftovers = [p.name for p in (data / "snapshots").iterdir() if p.name.startswith(".")]
    assert leftovers == []
