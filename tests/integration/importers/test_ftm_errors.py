"""Malformed FtM input: one-line ``InputError`` naming file, line (and id) and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ownergate.errors import InputError
from ownergate.importers.ftm import read_ftm

GOOD = {"id": "fx-good", "schema": "Company", "properties": {"name": ["Good Fictional Ltd"]}}


def company(**props: Any) -> dict[str, Any]:
    return {"id": "fx-bad", "schema": "Company", "properties": {"name": ["Bad Ltd"], **props}}


def ownership(**props: Any) -> dict[str, Any]:
    base = {"owner": ["fx-good"], "asset": ["fx-good"]}
    return {"id": "fx-bad", "schema": "Ownership", "properties": {**base, **props}}


def write(tmp_path: Path, *lines: str | bytes, name: str = "bad.ftm.json") -> Path:
    path = tmp_path / name
    path.write_bytes(
        b"".join((ln if isinstance(ln, bytes) else ln.encode()) + b"\n" for ln in lines)
    )
    return path


def fails(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_ftm([path])
    err = info.value
    assert err.file == str(path)
    assert "\n" not in str(err)
    return err


BAD_RECORDS: list[tuple[object, str | None, str]] = [
    ({"schema": "Company", "properties": {}}, "id", "non-empty string"),
    ({"id": 5, "schema": "Company"}, "id", "non-empty string"),
    ({"id": " ", "schema": "Company"}, "id", "non-empty string"),
    ({"id": "fx-bad", "properties": {}}, "schema", "non-empty string"),
    ({"id": "fx-bad", "schema": "Company", "properties": []}, "properties", "object"),
    ({"id": "fx-bad", "schema": "Company", "properties": {}}, "properties.name", "requires a name"),
    (company(name="Acme"), "properties.name", "expected a list"),
    (company(name=["Acme", 1]), "properties.name[1]", "expected a string"),
    (company(name=["\ud800"]), "properties.name[0]", "lone surrogate"),
    (company(country=[None]), "properties.country[0]", "expected a string"),
    (company(topics=[{}]), "properties.topics[0]", "expected a string"),
    (company(leiCode=["NOTANLEI"]), "properties.leiCode[0]", "not a valid LEI"),
    (company(leiCode=["5299000FICTBOREAL018"]), "properties.leiCode[0]", "not a valid LEI"),
    (company(dissolutionDate=["2021-02-30"]), "properties.dissolutionDate[0]", "valid date"),
    ({**company(), "caption": 7}, "caption", "expected a string"),
    (ownership(owner=[]), "properties.owner", "requires 'owner'"),
    (ownership(asset=["fx-a", "fx-b"]), "properties.asset", "expected one value"),
    (ownership(percentage=["abc"]), "properties.percentage[0]", "not a percentage"),
    (ownership(percentage=["101"]), "properties.percentage[0]", "not a percentage"),
    (ownership(percentage=["-5"]), "properties.percentage[0]", "not a percentage"),
    (ownership(percentage=["60-40"]), "properties.percentage[0]", "not a percentage"),
    (ownership(percentage=["50", "about half"]), "properties.percentage[1]", "percentage"),
    (ownership(percentage=["1" * 50]), "properties.percentage[0]", "not a percentage"),
    (ownership(percentage="50"), "properties.percentage", "expected a list"),
    (ownership(startDate=["2021-13-01"]), "properties.startDate[0]", "valid date"),
    (ownership(startDate=["yesterday"]), "properties.startDate[0]", "not a date"),
    (ownership(endDate=["21-01-01"]), "properties.endDate[0]", "not a date"),
    (ownership(startDate=["2022"], endDate=["2021-06"]), "properties.endDate", "before it"),
    (
        {"id": "fx-bad", "schema": "Directorship", "properties": {"organization": ["fx-good"]}},
        "properties.director",
        "requires 'director'",
    ),
    ({"id": "fx-bad", "schema": "Sanction", "properties": {}}, "properties.entity", "entity"),
    ("just text", None, "expected a JSON object"),
    (None, None, "expected a JSON object"),
]


@pytest.mark.parametrize(("record", "field", "message"), BAD_RECORDS)
def test_bad_record_names_line_id_and_field(
    tmp_path: Path, record: object, field: str | None, message: str
) -> None:
    path = write(tmp_path, json.dumps(GOOD), json.dumps(record))
    err = fails(path)
    assert err.field == field
    assert message in err.message
    assert err.record is not None and err.record.startswith("line 2")
    if isinstance(record, dict) and record.get("id") == "fx-bad":
        assert err.record == "line 2 (id fx-bad)"


def test_skip_invalid_keeps_the_rest(tmp_path: Path) -> None:
    bad = json.dumps(ownership(percentage=["lots"]))
    path = write(tmp_path, json.dumps(GOOD), bad, "{not json", b"\xff\xfe", json.dumps(GOOD))
    batch = read_ftm([path], skip_invalid=True)
    assert [e.id for e in batch.entities] == ["fx-good"]
    assert batch.source["counts"] == {"replaced": 1}
    assert [(r.error.record, r.error.field) for r in batch.rejects] == [
        ("line 2 (id fx-bad)", "properties.percentage[0]"),
        ("line 3", None),
        ("line 4", None),
    ]
    assert batch.rejects[0].raw == bad
    assert batch.rejects[1].raw == "{not json"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "malformed JSON"),
        ('{"id": "fx-bad", "schema": "Company"', "malformed JSON"),
        ('{"a": ' + "[" * 100_000, "JSON"),
        (b'{"id": "fx-\xff"}', "not UTF-8 text"),
    ],
)
def test_unreadable_line(tmp_path: Path, line: str | bytes, message: str) -> None:
    err = fails(write(tmp_path, json.dumps(GOOD), line))
    assert (err.record, err.field) == ("line 2", None)
    assert message in err.message


def test_an_unprintable_id_is_quoted(tmp_path: Path) -> None:
    record = {**company(percentage=[]), "id": "fx\nbad", "caption": 1}
    err = fails(write(tmp_path, json.dumps(record)))
    assert err.record == "line 1 (id 'fx\\nbad')"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('[\n  {"id": "fx-a", "schema": "Company",\n   "properties": {"name": [1]}}\n]', 2, ""),
        ('[\n  {"id": "fx-a", "schema": "Vessel"}\n  {"id": "fx-b"}\n]', 3, "',' or ']'"),
        ('[\n  {"id": "fx-a", "schema": "Vessel"},\n  {"id": \n', 4, "malformed JSON array"),
        ('[\n  {"id": "fx-a", "schema": "Vessel"}\n]\n]', 4, "after the closing"),
        ("[\n" + "[" * 100_000, 2, "nested too deeply"),
    ],
)
def test_array_errors(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "array.json"
    path.write_text(text)
    err = fails(path)
    assert err.record is not None and err.record.startswith(f"line {line}")
    assert message in err.message


def test_array_syntax_error_rejects_the_rest_under_skip_invalid(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(f"[{json.dumps(GOOD)},\n{{broken\n, {json.dumps(GOOD)}]")
    batch = read_ftm([path], skip_invalid=True)
    assert [e.id for e in batch.entities] == ["fx-good"]
    assert len(batch.rejects) == 1
    assert batch.rejects[0].error.record == "line 2"
    assert batch.rejects[0].raw.startswith("{broken")


def test_array_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_bytes(b'[\n{"id": "fx-\xff"}]')
    assert fails(path).record == "line 2"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert "file not found" in fails(tmp_path / "nope.json").message
    assert "directory" in fails(tmp_path).message
    with pytest.raises(InputError):  # not a record: never a reject
        read_ftm([tmp_path / "nope.json"], skip_invalid=True)
