"""GLEIF importer: malformed records raise ``InputError`` naming file, record and field;
``skip_invalid`` keeps them as rejects; no input at all makes anything else escape."""

from __future__ import annotations

import copy
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.errors import InputError
from ownergate.importers.gleif import ConsolidationRule, lei_problem
from ownergate.importers.gleif import read_gleif as _read_gleif
from ownergate.importers.records import SourceBatch
from tests.property import examples


def read_gleif(paths: Any, **options: Any) -> SourceBatch:
    """The importer with its consolidation holdings only: these tests count and inspect the
    voting stake; the unknown equity stake stated beside it has its own test."""
    options.setdefault("rule", ConsolidationRule(equity_unknown=False))
    return _read_gleif(paths, **options)


FIXTURES = Path(__file__).parent / "fixtures" / "gleif"
PARENT, CHILD = "2138002YAB7Z9KO21397", "98450051BS9C610A8T78"


def lei_record(lei: str = CHILD) -> dict[str, Any]:
    return {
        "LEI": lei,
        "Entity": {
            "LegalName": "MONOOVA FX PTY LTD",
            "OtherEntityNames": [
                {"type": "PREVIOUS_LEGAL_NAME", "OtherEntityName": "MONEYTECH FX PTY LTD"}
            ],
            "LegalAddress": {"Country": "AU"},
            "HeadquartersAddress": {"Country": "AU"},
            "EntityCategory": "GENERAL",
            "EntityStatus": "ACTIVE",
        },
        "Registration": {"RegistrationStatus": "ISSUED"},
    }


def rr_record() -> dict[str, Any]:
    return {
        "Relationship": {
            "StartNode": {"NodeID": CHILD, "NodeIDType": "LEI"},
            "EndNode": {"NodeID": PARENT, "NodeIDType": "LEI"},
            "RelationshipType": "IS_DIRECTLY_CONSOLIDATED_BY",
            "RelationshipPeriods": [
                {"StartDate": "2018-06-30T00:00:00+00:00", "PeriodType": "RELATIONSHIP_PERIOD"}
            ],
            "RelationshipStatus": "ACTIVE",
            "RelationshipQuantifiers": [
                {
                    "MeasurementMethod": "ACCOUNTING_CONSOLIDATION",
                    "QuantifierAmount": "100.00",
                    "QuantifierUnits": "PERCENTAGE",
                }
            ],
        },
        "Registration": {"RegistrationStatus": "PUBLISHED"},
    }


def repex_record() -> dict[str, Any]:
    return {
        "LEI": CHILD,
        "ExceptionCategory": "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT",
        "ExceptionReason": "NATURAL_PERSONS",
    }


def base() -> list[dict[str, Any]]:
    return [lei_record(), lei_record(PARENT), rr_record(), repex_record()]


def write(folder: Path, records: Any, name: str = "in.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(records, indent=1))
    return path


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        read_gleif([path])
    assert caught.value.file == str(path)
    assert "\n" not in str(caught.value)
    return caught.value


def broken(change: Any, index: int = 0) -> list[dict[str, Any]]:
    records = base()
    change(records[index])
    return records


def test_base_is_valid(tmp_path: Path) -> None:
    batch = read_gleif([write(tmp_path, base())])
    assert (len(batch.entities), len(batch.holdings), len(batch.facts)) == (2, 1, 2)


def test_lei_check_digits() -> None:
    assert lei_problem("5493001KJTIIGC8Y1R12") is None
    assert "check digits" in str(lei_problem("5493001KJTIIGC8Y1R13"))
    assert "20 characters" in str(lei_problem("5493001kjtiigc8y1r12"))
    assert "20 characters" in str(lei_problem("5493001KJTIIGC8Y1R1"))


@pytest.mark.parametrize(
    ("index", "change", "record", "field", "words"),
    [
        (
            0,
            lambda r: r.update(LEI="98450051BS9C610A8T79"),
            "line 2, LEI 98450051BS9C610A8T79",
            "LEI",
            "check digits",
        ),
        (
            0,
            lambda r: r["Entity"]["HeadquartersAddress"].update(Country="CHN"),
            f"line 2, LEI {CHILD}",
            "Entity.HeadquartersAddress.Country",
            "alpha-2",
        ),
        (0, lambda r: r["Entity"].pop("LegalName"), None, "Entity.LegalName", "missing"),
        (0, lambda r: r["Entity"].update(LegalName=" "), None, "Entity.LegalName", "missing"),
        (0, lambda r: r["Entity"].update(EntityStatus="GONE"), None, "Entity.EntityStatus", "GONE"),
        (
            0,
            lambda r: r["Entity"].update(OtherEntityNames=[{"OtherEntityName": 7}]),
            None,
            "Entity.OtherEntityNames[0]",
            "expected text",
        ),
        (0, lambda r: r.update(Entity="MONOOVA"), None, "Entity", "expected an object"),
        (
            2,
            lambda r: r["Relationship"]["RelationshipPeriods"][0].update(StartDate="30/06/2018"),
            f"relationship {CHILD} -> {PARENT}",
            "Relationship.RelationshipPeriods[0].StartDate",
            "ISO 8601",
        ),
        (
            2,
            lambda r: r["Relationship"]["RelationshipPeriods"][0].update(EndDate="2001-01-01"),
            None,
            "Relationship.RelationshipPeriods[0].EndDate",
            "not after start",
        ),
        (
            2,
            lambda r: r["Relationship"].update(RelationshipType="IS_OWNED_BY"),
            None,
            "Relationship.RelationshipType",
            "IS_FUND-MANAGED_BY",
        ),
        (
            2,
            lambda r: r["Relationship"]["EndNode"].update(NodeIDType="NATURAL_PERSON"),
            None,
            "Relationship.EndNode.NodeIDType",
            "not supported",
        ),
        (
            2,
            lambda r: r["Relationship"]["EndNode"].update(NodeID=CHILD),
            None,
            "Relationship.EndNode.NodeID",
            "its own parent",
        ),
        (2, lambda r: r.pop("Registration"), None, "Registration.RegistrationStatus", "missing"),
        (3, lambda r: r.update(ExceptionReason="SECRET"), None, "ExceptionReason[0]", "SECRET"),
        (3, lambda r: r.pop("ExceptionCategory"), None, "ExceptionCategory", "missing"),
        (3, lambda r: r.clear(), "line 78", None, "not a GLEIF record"),
    ],
)
def test_a_malformed_record_names_file_record_and_field(
    tmp_path: Path, index: int, change: Any, record: str | None, field: str | None, words: str
) -> None:
    error = error_of(write(tmp_path, broken(change, index)))
    assert error.field == field
    assert words in error.message
    assert error.record and error.record.startswith("line ")
    assert error.record.endswith(record or "")


def test_skip_invalid_keeps_the_rejects_and_the_rest(tmp_path: Path) -> None:
    records = base()
    records[0]["LEI"] = "98450051BS9C610A8T79"
    records[3]["ExceptionCategory"] = "SIDEWAYS_PARENT"
    batch = read_gleif([write(tmp_path, records)], skip_invalid=True)
    assert [e.id for e in batch.entities] == [PARENT]
    assert len(batch.holdings) == 1
    assert [r.error.field for r in batch.rejects] == ["LEI", "ExceptionCategory"]
    assert json.loads(batch.rejects[0].raw)["LEI"] == "98450051BS9C610A8T79"
    assert batch.source["rejects"] == 2


def test_a_csv_error_names_the_column(tmp_path: Path) -> None:
    lines = (FIXTURES / "rr.csv").read_text().splitlines()
    lines[3] = lines[3].replace('"2018-06-30T00:00:00+00:00"', '"2018-06-31"')
    path = tmp_path / "rr.csv"
    path.write_text("\n".join(lines) + "\n")
    error = error_of(path)
    assert (error.record, error.field) == (
        f"line 4, relationship {CHILD} -> {PARENT}",
        "Relationship.Period.2.startDate",
    )
    batch = read_gleif([path], skip_invalid=True)
    assert len(batch.holdings) == 1 and len(batch.rejects) == 1
    assert batch.rejects[0].raw.startswith(f"{CHILD},LEI,{PARENT}")


def test_a_csv_row_with_missing_cells_is_a_record_error(tmp_path: Path) -> None:
    path = tmp_path / "repex.csv"
    path.write_text("LEI,Exception.Category,Exception.Reason.1\n" + f"{CHILD},NATURAL_PERSONS\n")
    error = error_of(path)
    assert (error.record, error.message) == ("line 2", "expected 3 columns, found 2")


def test_an_xml_error_names_the_record(tmp_path: Path) -> None:
    xml = (
        '<rr:RelationshipData xmlns:rr="http://www.gleif.org/data/schema/rr/2016">'
        "<rr:RelationshipRecords><rr:RelationshipRecord><rr:Relationship>"
        f"<rr:StartNode><rr:NodeID>{CHILD}</rr:NodeID></rr:StartNode>"
        f"<rr:EndNode><rr:NodeID>{PARENT}</rr:NodeID></rr:EndNode>"
        "<rr:RelationshipType>IS_DIRECTLY_CONSOLIDATED_BY</rr:RelationshipType>"
        "<rr:RelationshipStatus>MAYBE</rr:RelationshipStatus></rr:Relationship>"
        "<rr:Registration><rr:RegistrationStatus>PUBLISHED</rr:RegistrationStatus>"
        "</rr:Registration></rr:RelationshipRecord></rr:RelationshipRecords></rr:RelationshipData>"
    )
    path = tmp_path / "rr.xml"
    path.write_text(xml)
    error = error_of(path)
    assert (error.record, error.field) == (
        f"relationship {CHILD} -> {PARENT}",
        "Relationship.RelationshipStatus",
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty file"),
        (b"  \n", "empty file"),
        (b'[{"LEI": "x"', "JSON syntax"),
        (b'{"meta": {}}', "no GLEIF records"),
        (b"[1, 2] 3", "extra data"),
        (b"<LEIData><LEIRecords><LEIRecord>", "not well-formed XML"),
        (b"<html><body/></html>", "root element <html>"),
        (b'["\xff\xfe"]', "not UTF-8"),
        (b"name,country\nAcme,CN\n", "not a GLEIF golden-copy CSV"),
        (b"LEI,Entity.LegalName\n", "lacks column(s) Entity.LegalAddress.Country"),
        (b"PK\x03\x04broken", "not a readable zip file"),
    ],
)
def test_an_unreadable_file_is_an_input_error_even_when_skipping(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "in.dat"
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        read_gleif([path], skip_invalid=True)
    assert caught.value.file == str(path)
    assert words in caught.value.message


def test_a_zip_must_hold_one_file(tmp_path: Path) -> None:
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.json", "[]")
        z.writestr("b.json", "[]")
    assert "exactly one" in error_of(path).message


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    assert "cannot open" in error_of(tmp_path / "absent.json").message


# --- property: nothing but InputError escapes -----------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += paths_of(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += paths_of(v, (*prefix, i))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> list[Any]:
    records: list[Any] = copy.deepcopy(base())
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(records) - 1))
        places = paths_of(records[index])
        if not places:
            records[index] = draw(JSON_VALUES)
            continue
        *parent_path, key = draw(st.sampled_from(places))
        parent = records[index]
        for step in parent_path:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(key)
        else:
            parent[key] = draw(JSON_VALUES)
    return records


@settings(max_examples=examples(200), deadline=None)
@given(records=mutated(), golden=st.booleans())
def test_mutated_json_records_raise_only_input_errors(records: list[Any], golden: bool) -> None:
    def wrap(value: Any) -> Any:  # the golden-copy {"$": value} layout
        if isinstance(value, dict):
            return {k: wrap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [wrap(v) for v in value]
        return {"$": value}

    content = {"records": [wrap(r) for r in records]} if golden else records
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), content)
        try:
            read_gleif([path])
        except InputError:
            pass
        batch = read_gleif([path], skip_invalid=True)
        assert all(r.error.file == str(path) for r in batch.rejects)


SAMPLE_FILES = ["rr.csv", "lei2.csv", "repex.csv", "goldencopy-rr.json", "api.json", "rr.xml"]


@settings(max_examples=examples(200), deadline=None)
@given(
    name=st.sampled_from(SAMPLE_FILES),
    at=st.floats(0, 1),
    cut=st.integers(0, 40),
    insert=st.binary(max_size=20),
)
def test_damaged_files_raise_only_input_errors(
    name: str, at: float, cut: int, insert: bytes
) -> None:
    data = (FIXTURES / name).read_bytes()
    i = int(at * len(data))
    damaged = data[:i] + insert + data[i + cut :]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(damaged)
        for skip in (False, True):
            try:
                read_gleif([path], skip_invalid=skip)
            except InputError as error:
                assert error.file == str(path)
                assert "\n" not in str(error)


@settings(max_examples=examples(100), deadline=None)
@given(content=st.binary(max_size=200))
def test_random_bytes_raise_only_input_errors(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "in"
        path.write_bytes(content)
        try:
            read_gleif([path], skip_invalid=True)
        except InputError:
            pass
