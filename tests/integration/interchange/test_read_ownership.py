"""Reading ownership files: exact shares, ranges, dates, nominees; errors name the record."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ownergate.domain.model import Basis, Holding
from ownergate.domain.shares import SCALE
from ownergate.errors import InputError
from ownergate.graph.tables import NO_NOMINEE, OPEN_END, OPEN_START, day_number
from ownergate.interchange import (
    EntityIndex,
    read_entities,
    read_entities_indexed,
    read_ownership,
    read_registry,
)
from tests.integration.interchange.rows import Rows, write

FIELDS = (
    "owner owned nominee_for low high low_exclusive high_exclusive known basis start end"
).split()

HOLDINGS: Rows = [
    {"owner": "A", "owned": "B", "share": "60%", "basis": "equity", "start": "2020-01-01"},
    {"owner": "C", "owned": "B", "share_min": "0.1", "share_max": "0.3", "max_exclusive": "true"},
    {"owner": "N", "owned": "C", "share": "0.25", "nominee_for": "A", "end": "2030-06-30"},
    {"owner": "A", "owned": "C", "basis": "voting"},
    {"owner": "B", "owned": "A", "share_min": "0", "share_max": "50%", "min_exclusive": "yes"},
]


@pytest.fixture
def index(tmp_path: Path) -> EntityIndex:
    path = tmp_path / "entities.csv"
    path.write_text("id,kind\nA,company\nB,company\nC,company\nN,person\n")
    return read_entities_indexed(path)[1]


def holdings(tmp_path: Path, index: EntityIndex, rows: Rows) -> list[Holding]:
    table = read_ownership(write(tmp_path / "ownership.csv", rows), index)
    ids = index.ids.to_pylist()
    return [table.record(i, ids) for i in range(len(table))]


def fails(tmp_path: Path, index: EntityIndex, text: str, name: str = "own.csv") -> InputError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_ownership(path, index)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return info.value


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl"])
def test_every_format_gives_the_same_columns_as_csv(
    tmp_path: Path, index: EntityIndex, suffix: str
) -> None:
    expected = read_ownership(write(tmp_path / "o.csv", HOLDINGS), index)
    got = read_ownership(write(tmp_path / f"o{suffix}", HOLDINGS), index)
    for field in FIELDS:
        assert np.array_equal(getattr(got, field), getattr(expected, field)), field


def test_values(tmp_path: Path, index: EntityIndex) -> None:
    a_b, c_b, n_c, a_c, b_a = holdings(tmp_path, index, HOLDINGS)
    assert (a_b.share.low, a_b.share.high, a_b.start, a_b.end) == (
        Fraction(3, 5),
        Fraction(3, 5),
        dt.date(2020, 1, 1),
        None,
    )
    assert c_b.share.describe() == "[10%, 30%)"
    assert (n_c.owner, n_c.nominee_for, n_c.beneficiary, n_c.end) == (
        "N",
        "A",
        "A",
        dt.date(2030, 6, 30),
    )
    assert not a_c.share.known and a_c.basis is Basis.VOTING
    assert b_a.share.describe() == "(0%, 50%]"


def test_raw_columns(tmp_path: Path, index: EntityIndex) -> None:
    table = read_ownership(write(tmp_path / "o.csv", HOLDINGS), index)
    assert table.owner.tolist() == [0, 2, 3, 0, 1]
    assert table.nominee_for.tolist() == [NO_NOMINEE, NO_NOMINEE, 0, NO_NOMINEE, NO_NOMINEE]
    assert (table.low[3], table.high[3], table.known[3]) == (0, SCALE, False)
    assert table.start.tolist() == [day_number(dt.date(2020, 1, 1))] + [OPEN_START] * 4
    assert table.end[2] == day_number(dt.date(2030, 6, 30)) and table.end[0] == OPEN_END
    assert table.basis.tolist() == [0, 0, 0, 1, 0]


def test_shares_are_exact(tmp_path: Path, index: EntityIndex) -> None:
    shares = ["0.1", "0.2", "0.2", "60%", "0.6", "33.3333333333333333%", "1", "100%", " .5 "]
    rows: Rows = [{"owner": "A", "owned": "B", "share": s} for s in shares]
    low = read_ownership(write(tmp_path / "o.csv", rows), index).low
    assert int(low[:3].sum()) == SCALE // 2
    assert low[3] == low[4] == 6 * SCALE // 10
    assert low[5] == 333_333_333_333_333_333
    assert low[6] == low[7] == SCALE and low[8] == SCALE // 2


def test_float_and_date_columns_in_parquet(tmp_path: Path, index: EntityIndex) -> None:
    path = tmp_path / "o.parquet"
    table = {
        "owner": ["A", "A", "C"],
        "owned": ["B", "C", "B"],
        "share": pa.array([0.1, None, 1e-7]),
        "start": pa.array([dt.date(2020, 1, 1), None, dt.date(1960, 5, 1)]),
    }
    pq.write_table(pa.table(table), path)
    got = read_ownership(path, index)
    assert got.low.tolist() == [SCALE // 10, 0, SCALE // 10**7]
    assert got.known.tolist() == [True, False, True]
    assert got.start.tolist() == [day_number(dt.date(2020, 1, 1)), OPEN_START, -3532]


@pytest.mark.usefixtures("index")  # writes entities.csv
def test_entity_columns_and_registry(tmp_path: Path) -> None:
    entities_path = tmp_path / "entities.csv"
    ownership_path = write(tmp_path / "o.csv", HOLDINGS)
    entities, table = read_registry(entities_path, ownership_path)
    assert len(entities) == 4 and len(table) == 5
    again = read_ownership(ownership_path, read_entities(entities_path))
    assert np.array_equal(again.owned, table.owned)


CASES = [
    ("share\nA,B,1.3", "line 2, field 'share'", "share '1.3' is outside [0, 1]"),
    ("share\nA,B,0.5\nA,C,130%", "line 3, field 'share'", "share '130%' is outside [0, 1]"),
    ("share\nA,B,-0.1", "line 2, field 'share'", "outside [0, 1]"),
    ("share\nA,B,abc", "line 2, field 'share'", "'abc' is not a share"),
    ("share\nA,B,0.5.5", "line 2, field 'share'", "'0.5.5' is not a share"),
    ("share\nA,B,33.333333333333333333%", "line 2, field 'share'", "more than 18 decimal"),
    ("share\nA,B,0.1234567890123456789", "line 2, field 'share'", "more than 18 decimal"),
    ("share\nA,Z,0.5", "line 2, field 'owned'", "unknown entity id 'Z'"),
    ("share\nQ,B,0.5", "line 2, field 'owner'", "unknown entity id 'Q'"),
    ("share\n,B,0.5", "line 2, field 'owner'", "empty owner id"),
    ("nominee_for\nA,B,\nA,C,X", "line 3, field 'nominee_for'", "unknown entity id 'X'"),
    ("share,share_min,share_max\nA,B,0.5,0.1,0.2", "line 2, field 'share'", "not both"),
    ("share_min\nA,B,0.1", "line 2, field 'share_max'", "without share_max"),
    ("share_min,share_max\nA,B,,0.2", "line 2, field 'share_min'", "without share_min"),
    ("share_min,share_max\nA,B,0.3,0.2", "line 2, field 'share_min'", "greater than"),
    ("share,min_exclusive\nA,B,0.3,true", "line 2, field 'min_exclusive'", "without a range"),
    ("share_min,share_max,max_exclusive\nA,B,0.2,0.2,1", "line 2, field 'max_exclusive'", "empty"),
    (
        "share_min,share_max,max_exclusive\nA,B,0.1,0.2,sure",
        "line 2, field 'max_exclusive'",
        "not a boolean",
    ),
    ("basis\nA,B,votes", "line 2, field 'basis'", "'votes' is not a basis"),
    ("start\nA,B,2020-02-30", "line 2, field 'start'", "'2020-02-30' is not a date"),
    ("end\nA,B,31/12/2020", "line 2, field 'end'", "'31/12/2020' is not a date"),
    ("start,end\nA,B,2021-01-01,2021-01-01", "line 2, field 'end'", "is not after start"),
    ("share\nA,B,0.5,9", "line 2", "malformed CSV"),
]


@pytest.mark.parametrize(("text", "where", "part"), CASES)
def test_csv_errors_name_line_and_field(
    tmp_path: Path, index: EntityIndex, text: str, where: str, part: str
) -> None:
    error = fails(tmp_path, index, "owner,owned," + text + "\n")
    assert f"own.csv, {where}:" in str(error)
    assert part in error.message


def test_missing_required_column(tmp_path: Path, index: EntityIndex) -> None:
    error = fails(tmp_path, index, "owner,share\nA,0.5\n")
    assert (error.record, error.field) == (None, "owned")
    assert "missing required column" in error.message


def test_parquet_and_json_lines_errors(tmp_path: Path, index: EntityIndex) -> None:
    rows: Rows = [{"owner": "A", "owned": "B", "share": "0.5"}] * 2
    rows.append({"owner": "A", "owned": "C", "share": "150%"})
    for suffix, record in ((".parquet", "row 3"), (".jsonl", "line 3")):
        with pytest.raises(InputError) as info:
            read_ownership(write(tmp_path / f"o{suffix}", rows), index)
        assert (info.value.record, info.value.field) == (record, "share")
    text = '{"owner": "A", "owned": "B", "share": 0.5}\n{"owner": "A", "owned": "C", "share": 2}\n'
    error = fails(tmp_path, index, text, "own.jsonl")
    assert (error.record, error.field) == ("line 2", "share")
