"""Every explanation re-checks offline: ``verify(explain(...))`` on random registries.

The evidence carries only the sub-registry a decision rests on; the verifier re-runs the
exact reference on it. Agreement for every entity of random graphs shows the sub-registry is
complete (ancestors reached by seeds and every holding into them) and the decision right.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

from hypothesis import given, settings

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.explain import explain, verify
from ownergate.explain.one import explain_entity
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import Policy
from tests.property import examples
from tests.unit.engine.test_engine_matches_reference import AS_OF, policies, registries


@settings(max_examples=examples(200))
@given(registry=registries(), policy=policies)
def test_every_explanation_verifies(
    registry: tuple[list[Entity], list[Holding]], policy: Policy
) -> None:
    entities, holdings = registry
    ents, holds = columns_from_records(entities, holdings)
    result = screen(prepare(ents, holds, policy, AS_OF), policy)
    for i in range(len(entities)):
        doc = json.loads(json.dumps(explain(result, i)))
        outcome = verify(doc)
        assert outcome.ok, (entities[i].id, outcome.problems)


def _registry() -> tuple[list[Entity], list[Holding]]:
    entities = [
        Entity("CNP", name="Sino Parent Co., Ltd.", country="CN"),
        Entity("SGS", name="Lion City Pte. Ltd.", country="SG"),
        Entity("DEG", name="Rhein GmbH", country="DE"),
        Entity("USX", name="Delaware LLC", country="US"),
        Entity("JV", name="Joint Venture BV", country="NL"),
    ]
    holdings = [
        Holding("CNP", "SGS", Share.exact("0.6")),
        Holding("SGS", "DEG", Share.exact("1")),
        Holding("USX", "DEG", Share.unknown()),
        Holding("SGS", "JV", Share.between("0.25", "0.75")),
    ]
    return entities, holdings


def test_control_evidence_tree_reaches_the_seed() -> None:
    entities, holdings = _registry()
    policy = Policy()
    ents, holds = columns_from_records(entities, holdings)
    result = screen(prepare(ents, holds, policy, dt.date(2026, 1, 1)), policy)
    doc = explain(result, 2)
    assert doc["decision"]["status"] == "restricted"
    top = doc["control"]["restricted_owners"][0]
    assert top["owner"]["id"] == "SGS" and top["holding"] == "100%"
    seed = top["owner"]["restricted_owners"][0]["owner"]
    assert seed["id"] == "CNP" and "CN" in seed["restricted_because"]


def test_review_names_the_band_that_decides_it() -> None:
    entities, holdings = _registry()
    policy = Policy()
    ents, holds = columns_from_records(entities, holdings)
    result = screen(prepare(ents, holds, policy, dt.date(2026, 1, 1)), policy)
    doc = explain(result, 4)
    assert doc["decision"]["status"] == "review"
    assert doc["deciding_holdings"][0]["text"] == "the 25%–75% band of SGS in JV decides this"


def test_effective_paths_sum_to_the_share() -> None:
    entities = [Entity("S", country="RU"), Entity("A"), Entity("B"), Entity("T")]
    holdings = [
        Holding("S", "A", Share.exact("0.45")),
        Holding("S", "T", Share.exact("0.2")),
        Holding("A", "T", Share.exact("0.8")),
        Holding("S", "B", Share.exact("0.1")),
        Holding("B", "T", Share.exact("0.2")),
    ]
    policy = Policy(method="effective")
    ents, holds = columns_from_records(entities, holdings)
    result = screen(prepare(ents, holds, policy, dt.date(2026, 1, 1)), policy)
    doc = explain(result, 3)
    products = [Fraction(p["product"]).limit_denominator(10**6) for p in doc["effective"]["paths"]]
    assert products == [Fraction(36, 100), Fraction(20, 100), Fraction(2, 100)]
    assert abs(doc["effective"]["total"] - 0.58) < 1e-12
    assert doc["decision"]["status"] == "restricted"


def test_tampered_evidence_fails_verification() -> None:
    entities, holdings = _registry()
    policy = Policy()
    ents, holds = columns_from_records(entities, holdings)
    result = screen(prepare(ents, holds, policy, dt.date(2026, 1, 1)), policy)
    doc = explain(result, 2)
    doc["registry"]["holdings"] = [h for h in doc["registry"]["holdings"] if h["owner"] != "SGS"]
    outcome = verify(doc)
    assert not outcome.ok
    assert any("status" in p for p in outcome.problems)


def test_treasury_shares_are_shown_and_verified() -> None:
    """46% beside 10% treasury shares: restricted at 46/90, the treasury named, re-checked."""
    entities = [Entity("S", country="CN"), Entity("T"), Entity("U")]
    holdings = [
        Holding("S", "T", Share.exact("0.46")),
        Holding("T", "T", Share.exact("0.1")),
        Holding("U", "T", Share.exact("0.44")),
    ]
    ents, holds = columns_from_records(entities, holdings)
    for method in ("control", "effective"):
        policy = Policy(method=method)
        doc = json.loads(
            json.dumps(explain(screen(prepare(ents, holds, policy, AS_OF), policy), 1))
        )
        assert doc["decision"]["status"] == "restricted"
        assert Fraction(doc["decision"]["share_min"]).limit_denominator(1000) == Fraction(23, 45)
        assert [t["treasury"] for t in doc["treasury"]] == ["10%"]
        assert "90% outstanding" in doc["treasury"][0]["text"]
        assert verify(doc).ok


@settings(max_examples=examples(150))
@given(registry=registries(), policy=policies)
def test_explaining_one_entity_on_its_upstream_part_equals_the_whole(
    registry: tuple[list[Entity], list[Holding]], policy: Policy
) -> None:
    """``explain_entity`` screens only what lies upstream of the entity (not past seeds):
    the same decision and evidence as explaining it from a screen of the whole registry."""
    entities, holdings = registry
    ents, holds = columns_from_records(entities, holdings)
    result = screen(prepare(ents, holds, policy, AS_OF), policy)
    for i in range(len(entities)):
        whole = explain(result, i)
        part = explain_entity(ents, holds, policy, AS_OF, i)
        for key in (
            "decision",
            "seed",
            "run",
            "control",
            "effective",
            "registry",
            "treasury",
            "deciding_holdings",
        ):
            assert part.get(key) == whole.get(key), (entities[i].id, key)
        assert verify(json.loads(json.dumps(part))).ok
