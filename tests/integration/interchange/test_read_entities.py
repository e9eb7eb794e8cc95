"""Reading entity files: the same table from CSV, Parquet and JSON Lines; precise errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Kind
from ownergate.errors import InputError
from ownergate.interchange import EntityIndex, read_entities, read_entities_indexed
from tests.integration.interchange.rows import Rows, write
from tests.property import examples

ROWS: Rows = [
    {"id": "A", "name": "Alpha Ltd", "kind": "company", "country": "CN", "listed": "true"},
    {"id": "B", "name": "Bob", "kind": "person", "country": "SG", "legal_country": "SG"},
    {"id": "C", "name": None, "kind": None, "country": None, "legal_country": "US"},
    {"id": "D", "name": "State of X", "kind": "state", "listed": "no", "notes": "ignored"},
]


def fails(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        read_entities(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return info.value


@pytest.mark.parametrize("suffix", [".parquet", ".jsonl", ".ndjson"])
def test_every_format_gives_the_same_columns_as_csv(tmp_path: Path, suffix: str) -> None:
    expected = read_entities(write(tmp_path / "entities.csv", ROWS))
    got = read_entities(write(tmp_path / f"entities{suffix}", ROWS))
    assert got.ids.equals(expected.ids) and got.names.equals(expected.names)
    for field in ("kind", "country", "legal_country", "listed"):
        assert np.array_equal(getattr(got, field), getattr(expected, field)), field
    assert got.country_vocab == expected.country_vocab


def test_values_defaults_and_records(tmp_path: Path) -> None:
    entities = read_entities(write(tmp_path / "entities.csv", ROWS))
    assert entities.ids.to_pylist() == ["A", "B", "C", "D"]
    assert (entities.position("C"), entities.position("Z")) == (2, None)
    a, b, c, d = (entities.record(i) for i in range(4))
    assert (a.kind, a.country, a.legal_country, a.listed, a.name) == (
        Kind.COMPANY,
        "CN",
        None,
        True,
        "Alpha Ltd",
    )
    assert (b.kind, b.country, b.legal_country, b.listed) == (Kind.PERSON, "SG", "SG", False)
    assert (c.kind, c.country, c.legal_country, c.name) == (Kind.COMPANY, None, "US", "")
    assert (d.kind, d.listed) == (Kind.STATE, False)
    assert entities.country_vocab[0] == ""


def test_only_the_id_column_is_required(tmp_path: Path) -> None:
    entities = read_entities(write(tmp_path / "entities.csv", [{"id": "A"}, {"id": "B"}]))
    assert entities.names is None
    assert list(entities.kind) == [0, 0] and list(entities.country) == [0, 0]
    assert not entities.listed.any()


def test_booleans_are_accepted_in_any_spelling(tmp_path: Path) -> None:
    spellings = ["true", "FALSE", "1", "0", "Yes", "no", " true ", ""]
    rows: Rows = [{"id": f"E{i}", "listed": s} for i, s in enumerate(spellings)]
    entities = read_entities(write(tmp_path / "entities.csv", rows))
    assert list(entities.listed) == [True, False, True, False, True, False, True, False]


def test_typed_parquet_columns(tmp_path: Path) -> None:
    path = tmp_path / "entities.parquet"
    table = pa.table({"id": pa.array([1, 2]), "listed": pa.array([True, None])})
    pq.write_table(table, path)
    entities = read_entities(path)
    assert entities.ids.to_pylist() == ["1", "2"]
    assert list(entities.listed) == [True, False]


def test_namibia_is_a_country_not_a_missing_value(tmp_path: Path) -> None:
    entities = read_entities(write(tmp_path / "e.csv", [{"id": "NA", "country": "NA"}]))
    assert entities.record(0).country == "NA" and entities.id(0) == "NA"


@pytest.mark.parametrize(
    ("text", "where", "parts"),
    [
        (
            "id,country\nA,CN\nB,CHN\n",
            "line 3, field 'country'",
            ["'CHN' is not a country code", "(e.g. 'CN', not 'CHN')"],
        ),
        ("id,country\nA,cn\n", "line 2, field 'country'", ["use upper case 'CN'"]),
        ("ident,name\nA,a\n", "field 'id'", ["missing required column"]),
        ("id,name\nA,a\n,b\n", "line 3, field 'id'", ["empty id"]),
        ("id\nA\nB\n\nA\n", "line 5, field 'id'", ["duplicate id 'A'", "line 2"]),
        ("id,kind\nA,firm\n", "line 2, field 'kind'", ["'firm' is not an entity kind"]),
        ("id,listed\nA,true\nB,maybe\n", "line 3, field 'listed'", ["'maybe' is not a boolean"]),
        ("id,name\nA,a\nB,b,c\n", "line 3", ["malformed CSV"]),
        ('id,name,country\nA,"two\nlines",CN\nB,b,XX\n', "line 4, field 'country'", ["'XX'"]),
        ("", "", ["empty file"]),
    ],
)
def test_csv_errors_name_line_and_field(
    tmp_path: Path, text: str, where: str, parts: list[str]
) -> None:
    path = tmp_path / "entities.csv"
    path.write_text(text)
    message = str(fails(path))
    assert f"{path}, {where}:" in message if where else f"{path}:" in message
    for part in parts:
        assert part in message


def test_parquet_errors_name_the_row(tmp_path: Path) -> None:
    path = write(tmp_path / "entities.parquet", [{"id": "A"}, {"id": "B", "country": "China"}])
    error = fails(path)
    assert (error.record, error.field) == ("row 2", "country")


def test_duplicate_in_parquet_names_both_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "entities.parquet", [{"id": "A"}, {"id": "B"}, {"id": "B"}])
    error = fails(path)
    assert error.record == "row 3" and "row 2" in error.message


def test_json_lines_errors_count_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "entities.jsonl"
    path.write_text('{"id": "A"}\n\n{"id": "B", "kind": "robot"}\n')
    assert (fails(path).record, fails(path).field) == ("line 3", "kind")


def test_json_lines_with_numbers_and_malformed_lines(tmp_path: Path) -> None:
    path = tmp_path / "entities.jsonl"
    path.write_text('{"id": 7, "listed": true}\n{"id": "B", "listed": "no"}\n')
    entities = read_entities(path)
    assert entities.ids.to_pylist() == ["7", "B"] and list(entities.listed) == [True, False]
    path.write_text('{"id": "A"}\n{"id": "B"\n')
    error = fails(path)
    assert error.record == "line 2" and "malformed JSON" in error.message
    path.write_text('{"id": "A"}\n["B"]\n')
    assert fails(path).record == "line 2"


def test_file_level_errors(tmp_path: Path) -> None:
    assert fails(tmp_path / "missing.csv").message == "file not found"
    assert "unsupported file extension '.xlsx'" in fails(tmp_path / "e.xlsx").message
    (tmp_path / "bad.parquet").write_text("not parquet")
    assert "not a readable Parquet file" in fails(tmp_path / "bad.parquet").message
    (tmp_path / "dir.csv").mkdir()
    assert "directory" in fails(tmp_path / "dir.csv").message


def test_index_maps_ids_to_rows(tmp_path: Path) -> None:
    entities, index = read_entities_indexed(write(tmp_path / "entities.csv", ROWS))
    found = index.lookup(pa.array(["C", "A", "Z", None, "", "A\x00", "Ä"]))
    assert list(found) == [2, 0, -1, -1, -1, -1, -1]
    assert list(EntityIndex.of(entities).lookup(pa.array(["D"]))) == [3]


ids = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=20)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(ids, unique=True, max_size=40), st.lists(ids, max_size=40))
def test_index_agrees_with_a_dict(known: list[str], probes: list[str]) -> None:
    index = EntityIndex(pa.array(known, pa.string()))
    rows = {value: i for i, value in enumerate(known)}
    values = probes + known[::-1]
    assert index.lookup(pa.array(values, pa.string())).tolist() == [rows.get(v, -1) for v in values]
    assert not index.has_duplicates()
    if known:
        assert EntityIndex(pa.array([*known, known[0]], pa.string())).has_duplicates()


ascii_ids = st.text(st.sampled_from("AB01-_."), min_size=1, max_size=17)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(ascii_ids, unique=True, max_size=300), st.lists(ascii_ids, max_size=300))
def test_hash_table_agrees_with_a_dict(known: list[str], probes: list[str]) -> None:
    """Short ASCII ids take the numpy hash table: many near-identical keys collide."""
    index = EntityIndex(pa.array(known, pa.string()))
    rows = {value: i for i, value in enumerate(known)}
    values = [*probes, *known, "A" * 80]
    found = index.lookup(pa.chunked_array([values[:5], values[5:]], pa.string()))
    assert found.tolist() == [rows.get(v, -1) for v in values]
    duplicated = [*known, *known[:1]]
    assert EntityIndex(pa.array(duplicated, pa.string())).has_duplicates() == bool(known)
