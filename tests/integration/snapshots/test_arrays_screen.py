"""Screening a snapshot's arrays and cached graph writes exactly what screening files does."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ownergate.cli.evidence_text import (
    DECISION_SCHEMA,
    decision_batches,
    evidence_column,
    id_array,
    label_array,
)
from ownergate.engine.screen import screen
from ownergate.explain.columns import (
    METHOD_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    DecisionColumns,
    decision_columns,
)
from ownergate.graph.prepare import prepare
from ownergate.interchange import read_registry, write_decisions
from ownergate.policy.model import Method, Policy, PolicyBasis
from ownergate.snapshots.arrays import read_arrays, write_arrays
from ownergate.snapshots.prepared import load_or_prepare
from ownergate.synth import write_registry

AS_OF = dt.date(2026, 11, 25)


def whole_table(cols: DecisionColumns, policy: Policy, vocab: tuple[str, ...]) -> pa.Table:
    """The decision table built in one piece, as ``screen`` did before batches."""
    return pa.table(
        {
            "id": id_array(cols.ids),
            "status": label_array(cols.status, STATUS_LABELS),
            "reason": label_array(cols.reason, REASON_LABELS),
            "share_min": cols.share_min,
            "share_max": cols.share_max,
            "method": label_array(cols.method, METHOD_LABELS),
            "evidence": evidence_column(cols, policy, vocab),
        },
        schema=DECISION_SCHEMA,
    )


@pytest.mark.parametrize(
    "policy",
    [
        Policy(),
        Policy(method=Method.EITHER, basis=PolicyBasis.EQUITY_OR_VOTING),
        Policy(method=Method.EFFECTIVE, threshold="0.25", regions=["RU"]),
    ],
)
def test_snapshot_decisions_equal_file_decisions(tmp_path: Path, policy: Policy) -> None:
    entities, ownership = write_registry(tmp_path / "registry", edges=3000, seed=3)
    ents, holds = read_registry(entities, ownership)
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    write_arrays(snapshot, ents, holds)
    expected = decision_columns(screen(prepare(ents, holds, policy, AS_OF), policy))
    table = whole_table(expected, policy, ents.country_vocab)
    mapped_e, mapped_h = read_arrays(snapshot)
    for _ in range(2):  # prepare and store, then read the stored graph
        graph = load_or_prepare(snapshot, mapped_e, mapped_h, policy, AS_OF)
        cols = decision_columns(screen(graph, policy))
        for suffix in (".csv", ".parquet", ".jsonl"):
            want, got = tmp_path / f"want{suffix}", tmp_path / f"got{suffix}"
            write_decisions(want, table)
            write_decisions(got, decision_batches(cols, policy, mapped_e.country_vocab, rows=700))
            if suffix == ".parquet":
                assert pq.read_table(got).equals(pq.read_table(want))
            else:
                assert got.read_bytes() == want.read_bytes(), suffix


def test_batches_of_any_size_make_the_same_table(tmp_path: Path) -> None:
    entities, ownership = write_registry(tmp_path, edges=400, seed=5)
    ents, holds = read_registry(entities, ownership)
    policy = Policy(method=Method.EITHER)
    cols = decision_columns(screen(prepare(ents, holds, policy, AS_OF), policy))
    want = whole_table(cols, policy, ents.country_vocab)
    for rows in (1, 7, len(ents) - 1, len(ents), 10 * len(ents)):
        got = decision_batches(cols, policy, ents.country_vocab, rows=rows).read_all()
        assert got.cast(DECISION_SCHEMA).equals(want), rows
