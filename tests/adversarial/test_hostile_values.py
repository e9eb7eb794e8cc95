"""Hostile values in ids and fields: an error shows them escaped and cut, on one line, so a
statement id cannot forge a second ``error:`` line, move the cursor, or flood the terminal.

Each importer gets a record whose id carries a newline, an ESC sequence and a forged error
line, and one whose id is megabytes long; each must fail with exit 2 and one short line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adversarial.cli import one_error_line, run

FORGED = "x\n\x1b[2K\rerror: all records imported\u2028"
HUGE = "A" * 3_000_000


def _bods(path: Path, statement_id: str) -> Path:
    statement = {
        "statementId": statement_id,
        "statementDate": "2021-01-01",
        "publicationDetails": {"publicationDate": "2024-01-01", "bodsVersion": "0.4",
                               "publisher": {"name": "t"}},
        "recordId": "ent-x",
        "recordType": "entity",
        "recordStatus": "new",
        "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"},
                          "name": "X", "jurisdiction": {"name": "Nowhere", "code": "QQQ"}},
    }  # fmt: skip
    path.write_text(json.dumps(statement) + "\n", encoding="utf-8")
    return path


def _ftm(path: Path, entity_id: str) -> Path:
    entity = {"id": entity_id, "schema": "Ownership", "properties": {}}  # owner missing
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    return path


def _interchange(folder: Path, owned: str, country: str = "CN") -> tuple[Path, Path]:
    entities, ownership = folder / "e.jsonl", folder / "o.jsonl"
    entities.write_text(json.dumps({"id": "x", "country": country}) + "\n")
    ownership.write_text(json.dumps({"owner": "x", "owned": owned}) + "\n")  # an unknown id
    return entities, ownership


def _gleif(path: Path, lei: str) -> Path:
    record = {"LEI": {"$": lei}, "Entity": {"LegalName": {"$": "X"}}}
    path.write_text(json.dumps({"records": [record]}), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", [FORGED, HUGE], ids=["forged-line", "megabytes"])
@pytest.mark.parametrize("fmt", ["bods", "ftm", "interchange", "gleif"])
def test_an_error_shows_a_hostile_id_escaped_and_cut(tmp_path: Path, fmt: str, value: str) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    if fmt == "bods":
        files: tuple[Path, ...] = (_bods(tmp_path / "s.jsonl", value),)
    elif fmt == "ftm":
        files = (_ftm(tmp_path / "e.ftm.json", value),)
    elif fmt == "gleif":
        files = (_gleif(tmp_path / "lei.json", value),)
    else:
        files = _interchange(tmp_path, value)
    line = one_error_line(run("ingest", fmt, *files, "--snapshot", "s", **data))
    if value is FORGED:
        assert "\\n" in line or "\\x1b" in line  # shown, escaped
    assert not (tmp_path / "data" / "refs" / "s").exists()


def test_markup_in_a_value_is_shown_as_typed(tmp_path: Path) -> None:
    # The console must not read '[/]' (rich markup) in a value as an instruction.
    data = {"OWNERGATE_DATA_DIR": str(tmp_path / "data")}
    files = _interchange(tmp_path, "x", country="[/][bold red]x")
    line = one_error_line(run("ingest", "interchange", *files, "--snapshot", "s", **data))
    assert "[/][bold red]x" in line
