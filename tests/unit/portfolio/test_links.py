"""Registry rows as the resolver's entities, resolutions as tables, and accuracy against a
truth table."""

from __future__ import annotations

import pyarrow as pa

from ownergate.domain.model import Entity, Kind
from ownergate.graph.tables import columns_from_records
from ownergate.portfolio.links import accuracy, registry_entities, resolved_customers
from ownergate.resolve import Method, Outcome, Resolution


def test_people_are_not_candidates_and_identifiers_split_into_lei_and_registrations() -> None:
    ents, _ = columns_from_records(
        [
            Entity("A", name="Acme Trading Ltd", country="SG"),
            Entity("P", name="Jane Doe", kind=Kind.PERSON, country="SG"),
            Entity("B", name="Beta GmbH", country="DE"),
        ],
        [],
    )
    found = registry_entities(
        ents,
        other_names=[["Acme Trading Pte. Ltd."], None, None],
        identifiers=[["LEI:5493001KJTIIGC8Y1R12", "SG-UEN:201912345K"], None, None],
    )
    assert [e.id for e in found] == ["A", "B"]
    assert found[0].lei == "5493001KJTIIGC8Y1R12"
    assert found[0].registrations == ("SG-UEN:201912345K",)
    assert found[0].other_names == ("Acme Trading Pte. Ltd.",) and found[1].country == "DE"


def resolution(key: str, outcome: Outcome, entity: str | None) -> Resolution:
    method = Method.NAME if outcome is not Outcome.UNMATCHED else Method.NONE
    return Resolution(key, outcome, method, 0.95 if entity else 0.0, entity)


def test_only_linked_accounts_get_a_registry_id_and_accuracy_counts_them() -> None:
    resolutions = [
        resolution("a1", Outcome.LINKED, "A"),
        resolution("a2", Outcome.LINKED, "B"),  # wrong: a2 is C
        resolution("a3", Outcome.REVIEW, None),
        resolution("a4", Outcome.UNMATCHED, None),  # truly nothing
    ]
    base = pa.table({"account_id": ["a0", "a1", "a2", "a3", "a4"],
                     "registry_entity_id": ["Z", None, None, None, None]})  # fmt: skip
    filled = resolved_customers(base, resolutions).column("registry_entity_id").to_pylist()
    assert filled == ["Z", "A", "B", None, None]
    score = accuracy(resolutions, {"a1": "A", "a2": "C", "a3": "D", "a4": None})
    assert (score.linked, score.correct, score.positives, score.review) == (2, 1, 3, 1)
    assert score.precision == 0.5 and score.recall == 1 / 3 and score.review_rate == 0.25
