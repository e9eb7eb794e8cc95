"""Resolution rules: identifiers, thresholds, analyst decisions, and blocking vs brute force."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergate.errors import ConfigError
from ownergate.resolve import (
    CandidateIndex,
    Decisions,
    Method,
    Outcome,
    RegistryEntity,
    Resolver,
    Subject,
    Thresholds,
)
from ownergate.resolve.names import normalize_name
from tests.property import examples

ACME_CN = RegistryEntity("e1", "Acme Robotics Co., Ltd.", "CN", lei="LEI0000000000000000A")
ACME_US = RegistryEntity("e2", "Acme Robotics Inc.", "US", domains=("acme.example",))
GLOBEX = RegistryEntity("e3", "Globex Shipping Limited", "CN", registrations=("91-110-000",))
INDEX = CandidateIndex([ACME_CN, ACME_US, GLOBEX])


def test_identifiers_win_over_names() -> None:
    resolver = Resolver(INDEX)
    by_lei = resolver.resolve(Subject("a", "Globex Shipping", "CN", lei="lei0000000000000000a"))
    assert (by_lei.method, by_lei.entity_id, by_lei.score) == (Method.LEI, "e1", 1.0)
    by_number = resolver.resolve(Subject("b", "Acme", "CN", registration="91110000"))
    assert (by_number.method, by_number.entity_id) == (Method.REGISTRATION, "e3")
    by_domain = resolver.resolve(Subject("c", "x", "DE", domain="https://www.acme.example/a"))
    assert (by_domain.method, by_domain.entity_id) == (Method.DOMAIN, "e2")


def test_names_are_linked_within_the_declared_country_and_reviewed_abroad() -> None:
    result = Resolver(INDEX).resolve(Subject("a", "ACME ROBOTICS LIMITED", "US"))
    assert (result.outcome, result.method, result.entity_id) == (Outcome.LINKED, Method.NAME, "e2")
    # Declared elsewhere: both Acme Robotics are candidates, the mismatch lowers their score
    # and neither is linked without an analyst.
    abroad = Resolver(INDEX).resolve(Subject("b", "Acme Robotics", "KY"))
    assert abroad.outcome is Outcome.REVIEW and abroad.entity_id is None
    assert {(c.entity_id, c.country, c.mismatch) for c in abroad.candidates} == {
        ("e1", "CN", True),
        ("e2", "US", True),
    }
    assert all(c.score == 0.95 for c in abroad.candidates)
    # A weak match abroad is no candidate at all.
    assert Resolver(INDEX).resolve(Subject("c", "Acme Robotix Sales", "DE")).unverified


def test_two_equally_good_entities_go_to_review() -> None:
    twins = CandidateIndex(
        [
            RegistryEntity("t1", "Nova Trading GmbH", "DE"),
            RegistryEntity("t2", "Nova Trading AG", "DE"),
        ]
    )
    result = Resolver(twins).resolve(Subject("a", "Nova Trading", "DE"))
    assert result.outcome is Outcome.REVIEW
    assert result.entity_id is None
    assert {c.entity_id for c in result.candidates} == {"t1", "t2"}


def test_a_weak_match_goes_to_review_not_linked() -> None:
    result = Resolver(INDEX).resolve(Subject("a", "Globex Shiping Lines", "CN"))
    assert result.outcome is Outcome.REVIEW
    assert result.candidates[0].entity_id == "e3"


def test_rejections_are_honoured_and_confirmations_reused() -> None:
    decisions = Decisions(confirmed={"b": "e3"}, rejected={"a": frozenset({"e1"})})
    resolver = Resolver(INDEX, decisions=decisions)
    rejected = resolver.resolve(Subject("a", "Acme Robotics", "CN", lei="LEI0000000000000000A"))
    assert rejected.entity_id != "e1"
    assert all(c.entity_id != "e1" for c in rejected.candidates)
    confirmed = resolver.resolve(Subject("b", "Something Else", "CN"))
    assert (confirmed.method, confirmed.entity_id) == (Method.CONFIRMED, "e3")
    assert resolver.resolve_many([Subject("a", "Acme Robotics", "CN")])[0].entity_id is None


def test_thresholds_refuse_inconsistent_values() -> None:
    with pytest.raises(ConfigError):
        Thresholds(link=0.7, review=0.9)


# Words at least two edits apart, so a one-typo query has exactly one intended word.
WORDS = (
    "acme", "boreal", "cygnus", "delta", "ember", "fjord", "granite", "harbor", "indigo",
    "juniper", "kestrel", "lumen", "meridian", "nimbus", "orchid", "quartz", "sierra",
)  # fmt: skip
FORMS = ("Ltd", "Co., Ltd.", "GmbH", "Inc.", "")

names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=3, unique=True)
entities = st.lists(st.tuples(names, st.sampled_from(FORMS), st.sampled_from("AB")), min_size=1)


@st.composite
def registries_and_queries(draw: st.DrawFn) -> tuple[list[RegistryEntity], Subject, str]:
    rows = draw(entities.filter(lambda rows: len(rows) <= 30))
    registry = [
        RegistryEntity(f"e{i}", " ".join([*words, form]).strip(), country)
        for i, (words, form, country) in enumerate(rows)
    ]
    pick = draw(st.integers(0, len(registry) - 1))
    words = list(rows[pick][0])
    if draw(st.booleans()):
        words.reverse()
    at = draw(st.integers(0, len(words) - 1))
    word = words[at]
    cut = draw(st.integers(1, len(word) - 2))
    words[at] = word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :]
    query = " ".join([*words, draw(st.sampled_from(FORMS))]).strip()
    return registry, Subject("q", query, rows[pick][2]), registry[pick].id


@settings(max_examples=examples(100), deadline=None)
@given(registries_and_queries())
def test_blocking_loses_nothing_against_brute_force(
    case: tuple[list[RegistryEntity], Subject, str],
) -> None:
    registry, subject, truth = case
    index = CandidateIndex(registry)
    blocked = index.candidate_rows(normalize_name(subject.name).tokens, subject.country)
    assert index.position[truth] in {index.row_entity[row] for row in blocked}
    resolver = Resolver(index)
    fast = resolver.resolve(subject)
    brute = resolver.resolve_among(
        subject, index.country_rows(subject.country), index.other_rows(subject.country)
    )
    assert fast == brute
