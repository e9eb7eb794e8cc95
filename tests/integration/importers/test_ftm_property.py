"""Property: whatever FtM-shaped input arrives, only ``InputError`` escapes the importer.

Valid invented entities are mutated (keys dropped, values of the wrong type, random text in
dates, percentages and countries, non-list properties, truncated JSON, random bytes) and
read as JSON Lines or as a JSON array; under ``skip_invalid`` nothing escapes at all, and
whatever is imported builds a registry.
"""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.errors import InputError
from ownergate.importers.batch import registry_from_batch
from ownergate.importers.ftm import read_ftm
from tests.property import examples

BASE: list[dict[str, Any]] = [
    {
        "id": "fx-co",
        "schema": "Company",
        "caption": "Fictional Co",
        "properties": {
            "name": ["Fictional Co", "FICTIONAL COMPANY"],
            "alias": ["FiCo"],
            "leiCode": ["5299000FICTBOREAL017"],
            "country": ["ru", "cy"],
            "mainCountry": ["cy"],
            "jurisdiction": ["cn-xz"],
            "innCode": ["7700000001"],
            "status": ["Active"],
            "dissolutionDate": ["2020-05"],
            "topics": ["sanction"],
        },
    },
    {
        "id": "fx-person",
        "schema": "Person",
        "properties": {"name": ["Imaginary Person"], "nationality": ["suhh"]},
    },
    {
        "id": "fx-own",
        "schema": "Ownership",
        "properties": {
            "owner": ["fx-person"],
            "asset": ["fx-co"],
            "percentage": ["51", "25-50"],
            "startDate": ["2021"],
            "endDate": ["2023-05-01"],
            "role": ["shareholder"],
        },
    },
    {
        "id": "fx-dir",
        "schema": "Directorship",
        "properties": {"director": ["fx-person"], "organization": ["fx-co"], "role": ["CEO"]},
    },
    {
        "id": "fx-sanction",
        "schema": "Sanction",
        "properties": {"entity": ["fx-co"], "authority": ["Imaginary Office"]},
    },
    {"id": "fx-body", "schema": "PublicBody", "properties": {"name": ["Ministry of Nowhere"]}},
]
TRICKY = st.sampled_from(
    ["", " ", "2021-13", "2021-02-30", "0000", "9999-12", "51%", "25,5", "1e5", "NaN", "-1",
     "50-", "100.000000000000000001", "cn-xz", "ZZ", "xk", "\ud800", "\x00", "fx-co"]
)  # fmt: skip
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=6,
)
PROPS = sorted({p for r in BASE for p in r["properties"]} | {"percentage", "startDate"})


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    record = copy.deepcopy(draw(st.sampled_from(BASE)))
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["drop", "top", "props", "prop", "item", "text"]))
        props = record.get("properties")
        if op == "drop" and record:
            del record[draw(st.sampled_from(sorted(record)))]
        elif op == "top":
            key = draw(st.sampled_from(["id", "schema", "caption", "properties"]))
            record[key] = draw(JSON | TRICKY)
        elif op == "props":
            record["properties"] = draw(JSON)
        elif isinstance(props, dict):
            prop = draw(st.sampled_from(PROPS))
            if op == "prop":
                props[prop] = draw(JSON)
            elif op == "item":
                props[prop] = [draw(JSON | TRICKY) for _ in range(draw(st.integers(1, 2)))]
            else:
                props[prop] = [draw(TRICKY | st.text(max_size=12))]
    text = json.dumps(record).encode()
    form = draw(st.sampled_from(["json", "json", "truncated", "bytes"]))
    if form == "truncated":
        return text[: draw(st.integers(0, len(text)))]
    if form == "bytes":
        return draw(st.binary(max_size=40)).replace(b"\n", b" ")
    return text


@st.composite
def files(draw: st.DrawFn) -> bytes:
    lines = [json.dumps(r).encode() for r in BASE] + draw(
        st.lists(mutated(), min_size=1, max_size=3)
    )
    lines = draw(st.permutations(lines))
    if draw(st.booleans()):
        return b"[" + b",\n".join(lines) + b"]"
    return b"\n".join(lines) + b"\n"


def read(data: bytes, *, skip_invalid: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.ftm.json"
        path.write_bytes(data)
        batch = read_ftm([path], skip_invalid=skip_invalid, listed_topics=frozenset({"sanction"}))
    registry_from_batch(batch)  # whatever was imported is a valid batch


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(files())
def test_only_input_errors_escape(data: bytes) -> None:
    try:
        read(data, skip_invalid=False)
    except InputError as err:
        assert "\n" not in str(err)


@pytest.mark.slow
@settings(max_examples=examples(150), deadline=None)
@given(files())
def test_skip_invalid_never_raises(data: bytes) -> None:
    read(data, skip_invalid=True)
