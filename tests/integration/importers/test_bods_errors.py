"""BODS importer: malformed statements raise ``InputError`` naming file, statement and field;
``skip_invalid`` keeps them as rejects; no input at all makes anything else escape."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.errors import InputError
from ownergate.importers.bods import read_bods
from tests.property import examples

FIXTURES = Path(__file__).parent / "fixtures" / "bods"


def statement(
    sid: str, record_id: str, record_type: str, details: dict[str, Any]
) -> dict[str, Any]:
    return {
        "statementId": sid,
        "statementDate": "2024-01-01",
        "recordId": record_id,
        "recordType": record_type,
        "recordStatus": "new",
        "recordDetails": {"isComponent": False, **details},
    }


def base() -> list[dict[str, Any]]:
    return [
        statement("s-company", "co", "entity", {"name": "Co", "jurisdiction": {"code": "NL"}}),
        statement("s-person", "pp", "person", {"nationalities": [{"code": "DE"}]}),
        statement(
            "s-rel",
            "rel",
            "relationship",
            {
                "subject": "co",
                "interestedParty": "pp",
                "interests": [
                    {
                        "type": "shareholding",
                        "directOrIndirect": "direct",
                        "share": {"exact": 60},
                        "startDate": "2020-01-01",
                    }
                ],
            },
        ),
    ]


def write(folder: Path, statements: list[Any], *, lines: bool = False) -> Path:
    path = folder / ("input.jsonl" if lines else "input.json")
    if lines:
        path.write_text("".join(json.dumps(s) + "\n" for s in statements))
    else:
        path.write_text(json.dumps(statements, indent=1))
    return path


def error_of(folder: Path, statements: list[Any], *, lines: bool = False) -> InputError:
    path = write(folder, statements, lines=lines)
    with pytest.raises(InputError) as caught:
        read_bods([path])
    assert caught.value.file == str(path)
    assert "\n" not in str(caught.value)
    return caught.value


def test_base_is_valid(tmp_path: Path) -> None:
    batch = read_bods([write(tmp_path, base())])
    assert (len(batch.entities), len(batch.holdings)) == (2, 1)


INTEREST = "recordDetails.interests[0]"
CASES = [
    # (statement: 0 entity, 1 person, 2 relationship; field to set; value; message part;
    #  the field the error names when it is not the one set)
    (2, f"{INTEREST}.share.exact", 150, "0..100", None),
    (2, f"{INTEREST}.share.exact", "60", "number", None),
    (2, f"{INTEREST}.share.exact", 1e-30, "decimal places", None),
    (2, f"{INTEREST}.share", {"minimum": 60, "maximum": 40}, "greater than", None),
    (2, f"{INTEREST}.share", {"exact": 30, "minimum": 40}, "outside", f"{INTEREST}.share.exact"),
    (2, f"{INTEREST}.share", {"exclusiveMinimum": 40, "exclusiveMaximum": 40}, "empty", None),
    (2, f"{INTEREST}.type", "ownership", "interest type", None),
    (2, f"{INTEREST}.directOrIndirect", "partly", "unknown value", None),
    (2, f"{INTEREST}.startDate", "2020-13-01", "calendar", None),
    (2, f"{INTEREST}.startDate", "01/02/2020", "YYYY-MM-DD", None),
    (2, f"{INTEREST}.endDate", "1999-01-01", "before", None),
    (2, "recordDetails.interests", {"type": "shareholding"}, "array", None),
    (2, "recordDetails.subject", "nobody", "not in the input", None),
    (2, "recordDetails.subject", "pp", "expected an entity", None),
    (2, "recordDetails.interestedParty", 7, "string", None),
    (2, "recordDetails.interestedParty", {"reason": "because"}, "unspecified reason",
     "recordDetails.interestedParty.reason"),
    (1, "recordDetails.nationalities[0].code", "DEU", "two-letter", None),
    (0, "recordDetails.jurisdiction.code", "XX-1", "subdivision", None),
    (0, "recordDetails.identifiers", [{"scheme": "XI-LEI", "id": "5299000BETABANK0EX97"}],
     "LEI", "recordDetails.identifiers[0].id"),
    (0, "recordDetails.addresses", [{"type": "home-ish"}], "unknown value",
     "recordDetails.addresses[0].type"),
    (0, "recordDetails.entityType", {"type": "company"}, "unknown value",
     "recordDetails.entityType.type"),
    (0, "recordDetails.publicListing", {"hasPublicListing": "yes"}, "true or false",
     "recordDetails.publicListing.hasPublicListing"),
    (0, "recordDetails.name", "bad \ud800 text", "Unicode", None),
    (0, "recordDetails.alternateNames", ["Co BV", 5], "string", "recordDetails.alternateNames[1]"),
    (0, "recordDetails", None, "missing", None),
    (0, "recordType", "company", "unknown value", None),
    (0, "recordStatus", "deleted", "unknown value", None),
    (0, "recordId", ["co"], "string", None),
    (0, "statementDate", "yesterday", "date", None),
]  # fmt: skip


def set_field(obj: Any, path: str, value: Any) -> None:
    keys: list[Any] = [int(k) if k.isdigit() else k for k in re.findall(r"[^.\[\]]+", path)]
    for key in keys[:-1]:
        obj = obj[key]
    obj[keys[-1]] = value


@pytest.mark.parametrize(("index", "path", "value", "part", "field"), CASES)
def test_malformed_statement_names_file_statement_and_field(
    tmp_path: Path, index: int, path: str, value: Any, part: str, field: str | None
) -> None:
    statements = base()
    set_field(statements[index], path, value)
    err = error_of(tmp_path, statements)
    assert err.field == (field or path)
    assert err.record is not None
    assert err.record.startswith(f"statement {statements[index]['statementId']} (line ")
    assert part in err.message


def test_json_lines_errors_name_the_line(tmp_path: Path) -> None:
    statements = base()
    statements[2]["recordDetails"]["interests"][0]["share"]["exact"] = -5
    err = error_of(tmp_path, statements, lines=True)
    assert err.record == "statement s-rel (line 3)"
    path = tmp_path / "broken.jsonl"
    path.write_text(json.dumps(base()[0]) + "\n{not json\n")
    with pytest.raises(InputError, match=r"line 2: not valid JSON"):
        read_bods([path])
    path.write_bytes(json.dumps(base()[0]).encode() + b"\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"line 2: not UTF-8"):
        read_bods([path])


def test_a_relationship_to_a_closed_record_is_invalid(tmp_path: Path) -> None:
    statements = base()
    closed = copy.deepcopy(statements[1])
    closed.update(statementId="s-person-closed", statementDate="2024-02-01", recordStatus="closed")
    err = error_of(tmp_path, [*statements, closed])
    assert err.field == "recordDetails.interestedParty"
    assert "closed" in err.message and "s-person-closed" in err.message


def test_a_record_changing_its_type_is_invalid(tmp_path: Path) -> None:
    clash = statement("s-clash", "co", "person", {})
    err = error_of(tmp_path, [*base(), clash])
    assert (err.record, err.field) == ("statement s-clash (line 53)", "recordType")


def test_bods_02_errors(tmp_path: Path) -> None:
    person = {"statementID": "p1", "statementType": "personStatement"}
    entity = {"statementID": "e1", "statementType": "entityStatement", "name": "E"}
    ooc = {
        "statementID": "o1",
        "statementType": "ownershipOrControlStatement",
        "subject": {"describedByEntityStatement": "e1"},
        "interestedParty": {"describedByPersonStatement": "e1"},
        "interests": [{"type": "shareholding", "share": {"exclusiveMinimum": True}}],
    }
    err = error_of(tmp_path, [person, entity, ooc])
    assert (err.field, err.record) == (
        "interests[0].share.exclusiveMinimum",
        "statement o1 (line 11)",
    )
    ooc["interests"] = [{"type": "voting-rights", "share": {"exact": 50}}]
    err = error_of(tmp_path, [person, entity, ooc])
    assert err.field == "interestedParty.describedByPersonStatement"
    assert "expected a person" in err.message
    ooc["interestedParty"] = {}
    err = error_of(tmp_path, [person, entity, ooc])
    assert err.field == "interestedParty" and "unspecified" in err.message
    ooc["replacesStatements"] = "o0"
    assert error_of(tmp_path, [person, entity, ooc]).field == "replacesStatements"
    ooc["statementType"] = "ownershipStatement"
    assert error_of(tmp_path, [person, entity, ooc]).field == "statementType"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"statementId": "a"} {"statementId": "b"}]', "expected ',' or ']'"),
        ('[{"statementId": "a"}, ]', "not valid JSON"),
        ('[{"statementId": "a"}', "not valid JSON"),
        ('[{"statementId": "a"}] trailing', "after the closing"),
        ("[NaN]", "NaN is not a JSON number"),
        ("statementId,recordId\n", "not BODS"),
        ("[" * 100_000, "not valid JSON"),
    ],
)
def test_unreadable_files_always_raise(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    for skip in (False, True):
        with pytest.raises(InputError, match=message):
            read_bods([path], skip_invalid=skip)
    with pytest.raises(InputError, match="cannot read"):
        read_bods([tmp_path / "missing.json"])


def test_empty_inputs(tmp_path: Path) -> None:
    for name, text in (("empty.json", "[]"), ("empty.jsonl", ""), ("blank.jsonl", "\n \n")):
        path = tmp_path / name
        path.write_text(text)
        batch = read_bods([path])
        assert batch.entities == [] and batch.holdings == [] and batch.source["records"] == 0


def test_skip_invalid_keeps_rejects_and_imports_the_rest(tmp_path: Path) -> None:
    statements = base()
    statements[1]["recordDetails"]["nationalities"] = [{"code": "Germany"}]  # bad person
    extra = statement("s-co2", "co2", "entity", {"name": "Co 2"})
    path = tmp_path / "input.jsonl"
    lines = [json.dumps(s) for s in [*statements, extra]]
    path.write_text("\n".join([*lines[:2], "{oops", *lines[2:]]) + "\n")
    batch = read_bods([path], skip_invalid=True)
    assert [e.id for e in batch.entities] == ["co", "co2"]
    assert batch.holdings == []
    # The bad person, the bad line, and the relationship that referred to the bad person.
    assert [(r.error.record, r.error.field) for r in batch.rejects] == [
        ("statement s-person (line 2)", "recordDetails.nationalities[0].code"),
        ("line 3", None),
        ("statement s-rel (line 4)", "recordDetails.interestedParty"),
    ]
    assert batch.rejects[1].raw == "{oops"
    assert json.loads(batch.rejects[0].raw)["statementId"] == "s-person"
    with pytest.raises(InputError):
        read_bods([path])


# -- property: any mutation of valid statements raises InputError or imports ----------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["", "2024-02-30", "GB-SCT", "XI-LEI", "closed", "indirect", "co", "pp"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths_in(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_in(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += paths_in(item, (*prefix, i))
    return found


def valid_statements() -> list[Any]:
    out: list[Any] = base()
    out += json.loads((FIXTURES / "package_04.json").read_text())
    out += json.loads((FIXTURES / "legacy_02.json").read_text())
    out += [json.loads(line) for line in (FIXTURES / "legacy_03.jsonl").read_text().splitlines()]
    return out


VALID = valid_statements()


@st.composite
def mutated(draw: st.DrawFn) -> list[Any]:
    statements = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(statements) - 1))
        path = draw(st.sampled_from(paths_in(statements[index])))
        action = draw(st.sampled_from(["drop", "replace", "replace"]))
        if not path:
            statements[index] = draw(JSON_VALUES)
            continue
        parent = statements[index]
        for key in path[:-1]:
            parent = parent[key]
        if action == "drop":
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(JSON_VALUES)
    return statements


def check(path: Path) -> None:
    for skip in (False, True):
        try:
            read_bods([path], skip_invalid=skip)
        except InputError as err:
            assert "\n" not in str(err)


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(statements=mutated(), lines=st.booleans())
def test_mutated_statements_raise_only_input_errors(statements: list[Any], lines: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        text = (
            "".join(json.dumps(s) + "\n" for s in statements) if lines else json.dumps(statements)
        )
        path = Path(folder) / "mutated.json"
        path.write_text(text)
        check(path)


@settings(max_examples=examples(100), deadline=None)
@given(data=st.data())
def test_random_and_truncated_bytes_raise_only_input_errors(data: st.DataObject) -> None:
    valid = json.dumps(VALID).encode()
    lines = "".join(json.dumps(s) + "\n" for s in VALID).encode()
    source = data.draw(st.sampled_from([valid, lines]))
    cut = data.draw(st.integers(0, len(source)))
    noise = data.draw(st.binary(max_size=40))
    at = data.draw(st.integers(0, cut))
    blob = source[:at] + noise + source[at:cut]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "blob.json"
        path.write_bytes(blob)
        check(path)
