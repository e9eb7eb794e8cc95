"""Screening an organisation with inline holdings: shares as the interchange format states
them, owners from the active snapshot, and every refusal naming its field."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergate.errors import InputError
from ownergate.service import Deciders, InlineHolding, ScreenService, Subject
from ownergate.service.deciding import finite_json
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database
from tests.integration.service.registry import activate_snapshot


def screening(db: Database, data_dir: Path) -> ScreenService:
    activate_snapshot(db, data_dir, "reg1")
    return ScreenService(db, Deciders(db, SnapshotStore(data_dir)))


def test_ranged_and_unknown_inline_stakes_are_looked_through(db: Database, data_dir: Path) -> None:
    service = screening(db, data_dir)
    band = InlineHolding("SGS", share_min="0.5", share_max="1", min_exclusive=True)
    restricted = service.screen(Subject("New Co", "DE"), [band])
    assert restricted.status.value == "restricted" and restricted.flags == ("inline", "unverified")
    unknown = service.screen(Subject("New Co", "DE"), [InlineHolding("SGS")])
    assert unknown.status.value == "review"
    exact = service.screen(Subject("New Co", "DE"), [InlineHolding("HOLD", share="100%")])
    assert exact.status.value == "allowed"


def test_nothing_is_stored(db: Database, data_dir: Path) -> None:
    service = screening(db, data_dir)
    with db.read() as store:
        head = store.audit.head()
    service.screen(Subject("New Co", "DE"), [InlineHolding("SGS", share="0.7")])
    with db.read() as store:
        assert store.audit.head() == head


@pytest.mark.parametrize(
    ("holding", "field"),
    [
        (InlineHolding("nobody", share="0.5"), "holdings[0].owner"),
        (InlineHolding("SGS", share="1.5"), "holdings[0].share"),
        (InlineHolding("SGS", share="0.5", share_min="0.1", share_max="0.2"), "holdings[0].share"),
        (InlineHolding("SGS", share_min="0.1"), "holdings[0].share_min"),
        (InlineHolding("SGS", share_min="0.6", share_max="0.2"), "holdings[0].share"),
        (InlineHolding("SGS", share="0." + "1" * 30), "holdings[0].share"),
    ],
)
def test_a_bad_inline_holding_is_refused_naming_its_field(
    db: Database, data_dir: Path, holding: InlineHolding, field: str
) -> None:
    with pytest.raises(InputError) as caught:
        screening(db, data_dir).screen(Subject("New Co", "DE"), [holding])
    assert caught.value.field == field


def test_an_organisation_does_not_hold_itself(db: Database, data_dir: Path) -> None:
    with pytest.raises(InputError, match="itself"):
        screening(db, data_dir).screen(
            Subject("Lion", "SG", registry_entity_id="SGS"), [InlineHolding("SGS", share="0.1")]
        )


def test_a_bad_country_is_refused_naming_the_field(db: Database, data_dir: Path) -> None:
    with pytest.raises(InputError) as caught:
        screening(db, data_dir).screen(Subject("New Co", "XX"), [])
    assert caught.value.field == "country"


def test_evidence_numbers_json_cannot_hold_become_strings_float_reads() -> None:
    doc = finite_json({"a": [float("inf"), 0.5], "b": {"c": float("-inf")}})
    assert doc == {"a": ["Infinity", 0.5], "b": {"c": "-Infinity"}}
    assert float(doc["a"][0]) == float("inf")
