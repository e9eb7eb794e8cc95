"""Snapshot arrays: exact round trips through memory-mapped files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from ownergate.domain.model import Basis, Entity, Holding, Kind
from ownergate.domain.shares import Share
from ownergate.graph.tables import HOLDING_COLUMNS, EntityColumns, columns_from_records
from ownergate.snapshots.arrays import (
    arrays_meta,
    change_days,
    has_arrays,
    read_arrays,
    write_arrays,
)

ENTITIES = [
    Entity("CNP", name="Sino Parent", country="CN"),
    Entity("SGS", name="Lion City", country="SG", legal_country="SG", listed=True),
    Entity("DEG", name="Rhein", kind=Kind.STATE, country="DE"),
    Entity("JV", name="Joint Venture", country="NL"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("SGS", "DEG", Share.exact("1"), basis=Basis.VOTING, nominee_for="CNP"),
    Holding("SGS", "JV", Share.between("0.25", "0.75", low_exclusive=True)),
    Holding("DEG", "JV", Share.unknown(), end=dt.date(2030, 1, 1)),
]


def _equal_entities(got: EntityColumns, want: EntityColumns) -> None:
    assert [got.id(i) for i in range(len(got))] == [want.id(i) for i in range(len(want))]
    assert [got.record(i) for i in range(len(got))] == [want.record(i) for i in range(len(want))]
    assert got.country_vocab == want.country_vocab
    for name in ("kind", "country", "legal_country", "listed"):
        assert getattr(got, name).dtype == getattr(want, name).dtype, name
        assert np.array_equal(getattr(got, name), getattr(want, name)), name


def test_round_trip_keeps_every_column(tmp_path: Path) -> None:
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    assert not has_arrays(tmp_path)
    write_arrays(tmp_path, ents, holds)
    assert has_arrays(tmp_path)
    got_e, got_h = read_arrays(tmp_path)
    _equal_entities(got_e, ents)
    for name in HOLDING_COLUMNS:
        want = np.asarray(getattr(holds, name))
        got = getattr(got_h, name)
        assert got.dtype == want.dtype and np.array_equal(got, want), name
    assert [got_h.record(i, got_e.ids) for i in range(len(got_h))] == HOLDINGS
    assert got_e.position("DEG") == 2 and got_e.position("nope") is None
    meta = arrays_meta(tmp_path)
    assert (meta["entities"], meta["holdings"]) == (4, 4)


def test_arrays_are_writable_maps_that_leave_the_files_alone(tmp_path: Path) -> None:
    ents, holds = columns_from_records(ENTITIES, HOLDINGS)
    write_arrays(tmp_path, ents, holds)
    _, got = read_arrays(tmp_path)
    assert got.low.flags.writeable  # the same array types as a reader's (see _load)
    got.low[:] = 0
    _, again = read_arrays(tmp_path)
    assert np.array_equal(again.low, holds.low)


def test_pyarrow_ids_names_and_empty_registries(tmp_path: Path) -> None:
    ents, holds = columns_from_records([], [])
    (tmp_path / "a").mkdir()
    write_arrays(tmp_path / "a", ents, holds)
    got_e, got_h = read_arrays(tmp_path / "a")
    assert len(got_e) == 0 and len(got_h) == 0 and got_e.position("x") is None
    ids = pa.chunked_array([["A", "Ä"], ["C"]])
    named = EntityColumns(
        ids=ids,
        kind=np.zeros(3, np.int8),
        country=np.zeros(3, np.int16),
        legal_country=np.zeros(3, np.int16),
        listed=np.zeros(3, bool),
        country_vocab=("",),
        names=None,
    )
    (tmp_path / "b").mkdir()
    write_arrays(tmp_path / "b", named, columns_from_records([], [])[1])
    got, _ = read_arrays(tmp_path / "b")
    assert [got.id(i) for i in range(3)] == ["A", "Ä", "C"]
    assert got.record(1).name == "" and got.position("C") == 2


def test_change_days_are_the_distinct_bounds() -> None:
    day = dt.date(2024, 1, 1)
    holds = [
        Holding("CNP", "SGS", Share.exact("0.6"), start=day, end=day + dt.timedelta(days=9)),
        Holding("SGS", "DEG", Share.exact("1"), start=day),
        Holding("SGS", "JV", Share.exact("1")),
    ]
    _, columns = columns_from_records(ENTITIES, holds)
    assert change_days(columns).tolist() == [19723, 19732]


def test_a_directory_without_meta_has_no_arrays(tmp_path: Path) -> None:
    (tmp_path / "arrays").mkdir()
    assert not has_arrays(tmp_path)
    with pytest.raises(FileNotFoundError):
        read_arrays(tmp_path)
