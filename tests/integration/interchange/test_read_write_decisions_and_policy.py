"""Decision tables written atomically in every format; policy files read with their name."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from ownergate.errors import InputError, PolicyError
from ownergate.interchange import DECISION_COLUMNS, read_policy, write_decisions

DECISIONS = pa.table(
    {
        "id": ["A", 'B "quoted"', "C\\back", "D\nnew line", "E\x01", "Ünïcode"],
        "status": pa.array(["restricted", "allowed", "review", "allowed", "allowed", None]),
        "reason": ["ownership", "none", "undetermined", "none", "none", "none"],
        "share_min": [0.6, 0.0, 0.25, 0.0, 0.0, None],
        "share_max": [0.6, 0.1, float("inf"), 0.0, 1e-20, None],
        "method": ["control"] * 6,
        "evidence": ["A -> B (60%)", "", "cycle", "", "", ""],
    }
)


def test_parquet_round_trip_and_parent_directories(tmp_path: Path) -> None:
    path = tmp_path / "out" / "deep" / "decisions.parquet"
    write_decisions(path, DECISIONS)
    assert pq.read_table(path).equals(DECISIONS)
    assert tuple(DECISIONS.column_names) == DECISION_COLUMNS


def test_csv_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    write_decisions(path, DECISIONS)
    types = {c: pa.string() for c in ("id", "status", "reason", "method", "evidence")}
    options = pa_csv.ConvertOptions(column_types=types, strings_can_be_null=True)
    back = pa_csv.read_csv(path, convert_options=options)
    assert back.column("id").to_pylist() == DECISIONS.column("id").to_pylist()
    assert back.column("share_min").to_pylist() == DECISIONS.column("share_min").to_pylist()


def test_json_lines_are_valid_json_one_object_per_line(tmp_path: Path) -> None:
    path = tmp_path / "decisions.jsonl"
    write_decisions(path, DECISIONS)
    lines = path.read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    expected = DECISIONS.to_pylist()
    expected[2]["share_max"] = None  # infinity is not JSON
    assert records == expected


def test_json_lines_of_other_types_and_empty_tables(tmp_path: Path) -> None:
    path = tmp_path / "decisions.ndjson"
    table = pa.table({"n": [1, None], "ok": [True, False], "tags": [["a"], []]})
    write_decisions(path, table)
    assert [json.loads(x) for x in path.read_text().splitlines()] == table.to_pylist()
    write_decisions(path, table.slice(0, 0))
    assert path.read_text() == ""
    write_decisions(path, {"id": ["X"]})
    assert json.loads(path.read_text()) == {"id": "X"}


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    write_decisions(path, DECISIONS)
    before = path.read_bytes()
    nested = pa.table({"id": ["A"], "evidence": pa.array([{"x": 1}])})
    with pytest.raises(pa.ArrowException):
        write_decisions(path, nested)  # CSV cannot hold a struct column
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.csv"]


def test_write_errors_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unsupported file extension '.xlsx'"):
        write_decisions(tmp_path / "decisions.xlsx", DECISIONS)
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError) as info:
        write_decisions(tmp_path / "file" / "decisions.csv", DECISIONS)
    assert info.value.file == str(tmp_path / "file" / "decisions.csv")
    assert "cannot write file" in str(info.value)


def test_policy_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('name = "strict"\nthreshold = "25%"\nregions = ["CN", "RU"]\n')
    policy = read_policy(path)
    assert (policy.name, policy.regions) == ("strict", ("CN", "RU"))
    path.write_text('regions = ["CHN"]\n')
    with pytest.raises(PolicyError) as info:
        read_policy(path)
    assert str(info.value).startswith(f"{path}, field 'regions'")


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        read_policy(tmp_path / "nope.toml")
    assert str(info.value) == f"{tmp_path / 'nope.toml'}: file not found"
