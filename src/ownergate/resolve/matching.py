"""Linking accounts to registry entities: exact identifiers first, then name and country.

A name match is only ``linked`` when it is both strong and clearly ahead of the next
entity; anything weaker or ambiguous goes to ``review`` with its candidates, so nothing is
linked silently on a guess. Analysts' decisions override both steps.

Candidates come from the declared country and, when strong (a score of at least ``link``),
from every other country too: their score carries the country mismatch (``mismatch``
less), and they are never linked without an analyst. A name whose words are all in a
longer registry name ("Huaxin Technology" in "Huaxin Technology Singapore") scores
``partial`` times the word-set ratio: a candidate for review, never a link. A name
written in hanzi (or kana, hangul) is compared with a romanised one after its syllables
are rejoined into that name's words ("shen zhen" -> "shenzhen").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from ownergate.errors import ConfigError
from ownergate.resolve.index import (
    CandidateIndex,
    blocking_tokens,
    domain_key,
    lei_key,
    registration_key,
)
from ownergate.resolve.names import NormalName, normalize_name
from ownergate.resolve.pinyin import merge


class Outcome(StrEnum):
    LINKED = "linked"
    REVIEW = "review"
    UNMATCHED = "unmatched"


class Method(StrEnum):
    CONFIRMED = "confirmed"
    LEI = "lei"
    REGISTRATION = "registration"
    DOMAIN = "domain"
    NAME = "name"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Subject:
    """An account to resolve; ``key`` identifies it across runs (for analyst decisions)."""

    key: str
    name: str
    country: str | None = None
    lei: str | None = None
    registration: str | None = None
    domain: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entity the subject may be; ``country`` is the entity's, ``mismatch`` says it is
    not the subject's declared country (the score is lowered for it)."""

    entity_id: str
    score: float
    name: str
    country: str | None = None
    mismatch: bool = False

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "entity_id": self.entity_id,
            "score": round(self.score, 4),
            "name": self.name,
        }
        if self.country is not None:
            out["country"] = self.country
        if self.mismatch:
            out["country_mismatch"] = True
        return out


@dataclass(frozen=True, slots=True)
class Resolution:
    """How one subject resolved; ``candidates`` are best first, the link (if any) first."""

    subject_key: str
    outcome: Outcome
    method: Method
    score: float
    entity_id: str | None = None
    candidates: tuple[Candidate, ...] = ()

    @property
    def unverified(self) -> bool:
        """No registry entity: the account can only be decided on its declared country."""
        return self.outcome is Outcome.UNMATCHED


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores are in [0, 1]. ``link`` and ``margin`` decide links; ``review`` the queue."""

    link: float = 0.92
    review: float = 0.80
    margin: float = 0.05
    max_candidates: int = 5
    # Taken off the score of an entity outside the declared country.
    mismatch: float = 0.05
    # A name all of whose words are in a longer name scores this times the word-set
    # ratio: below ``link``, so such a match is reviewed, never linked.
    partial: float = 0.9

    def __post_init__(self) -> None:
        if not 0.0 < self.review <= self.link <= 1.0:
            raise ConfigError(
                f"thresholds need 0 < review <= link <= 1, got review={self.review}, "
                f"link={self.link}"
            )
        if not 0.0 <= self.margin <= 1.0 or self.max_candidates < 1:
            raise ConfigError("margin must be in [0, 1] and max_candidates at least 1")


@dataclass(frozen=True, slots=True)
class Decisions:
    """Analysts' earlier answers, by subject key: the entity confirmed, the ones rejected.

    A rejected entity is never linked to that subject again, whatever its identifiers or
    name score say; a rejection outranks a confirmation of the same entity.
    """

    confirmed: Mapping[str, str] = field(default_factory=dict)
    rejected: Mapping[str, frozenset[str]] = field(default_factory=dict)


class Resolver:
    """Resolves subjects against one :class:`CandidateIndex`."""

    def __init__(
        self,
        index: CandidateIndex,
        thresholds: Thresholds | None = None,
        decisions: Decisions | None = None,
    ) -> None:
        self.index = index
        self.thresholds = thresholds or Thresholds()
        self.decisions = decisions or Decisions()

    def resolve(self, subject: Subject) -> Resolution:
        rejected = self.decisions.rejected.get(subject.key, frozenset())
        confirmed = self.decisions.confirmed.get(subject.key)
        if confirmed is not None and confirmed not in rejected and confirmed in self.index.position:
            entity = self.index.entities[self.index.position[confirmed]]
            return Resolution(
                subject.key,
                Outcome.LINKED,
                Method.CONFIRMED,
                1.0,
                confirmed,
                (Candidate(confirmed, 1.0, entity.name),),
            )
        exact = self._identifier_match(subject, rejected)
        if exact is not None:
            return exact
        home, abroad = self._rows(subject.name, subject.country)
        return self.resolve_among(subject, home, abroad)

    def _rows(self, name: str, country: str | None) -> tuple[list[int], list[int]]:
        tokens = blocking_tokens(normalize_name(name))
        return (
            self.index.candidate_rows(tokens, country),
            self.index.foreign_rows(tokens, country),
        )

    def resolve_many(self, subjects: Iterable[Subject]) -> list[Resolution]:
        """Resolve in bulk; subjects with the same name and country are scored once."""
        out: list[Resolution] = []
        scored: dict[tuple[str, str | None], list[Candidate]] = {}
        for subject in subjects:
            if (
                subject.key in self.decisions.confirmed
                or subject.lei
                or subject.registration
                or subject.domain
            ):
                out.append(self.resolve(subject))
                continue
            memo = (normalize_name(subject.name).key, subject.country)
            ranked = scored.get(memo)
            if ranked is None:
                home, abroad = self._rows(subject.name, subject.country)
                ranked = scored[memo] = self.rank(subject.name, home, abroad)
            out.append(self._decide(subject, ranked))
        return out

    def resolve_among(
        self, subject: Subject, rows: Sequence[int], abroad: Sequence[int] = ()
    ) -> Resolution:
        """Name step alone, over the given name rows in the declared country and abroad
        (the reference passes all of them)."""
        return self._decide(subject, self.rank(subject.name, rows, abroad))

    def rank(self, name: str, rows: Sequence[int], abroad: Sequence[int] = ()) -> list[Candidate]:
        """Entities among ``rows`` (declared country) scoring at least the review
        threshold, and among ``abroad`` scoring at least the link threshold before the
        mismatch is taken off; best first."""
        query = normalize_name(name)
        if not query.key:
            return []
        limits = self.thresholds
        best: dict[int, Candidate] = {}
        for group, cutoff, penalty in (
            (rows, limits.review, 0.0),
            (abroad, limits.link, limits.mismatch),
        ):
            for row, score in self._scores(query, group, cutoff).items():
                entity = self.index.row_entity[row]
                value = round(score - penalty, 4)
                if entity not in best or value > best[entity].score:
                    found = self.index.entities[entity]
                    best[entity] = Candidate(
                        found.id, value, self.index.row_name[row], found.country, penalty > 0
                    )
        # Ties broken by id so that the same registry always gives the same order.
        return sorted(best.values(), key=lambda c: (-c.score, c.entity_id))

    def _scores(self, query: NormalName, rows: Sequence[int], cutoff: float) -> dict[int, float]:
        """Each row's best score in [0, 1] of at least ``cutoff``: the word-order-free
        ratio, the partial (word-set) ratio, and for hanzi against Latin names the ratio
        once syllables are rejoined into the other name's words."""
        if not rows:
            return {}
        limits = self.thresholds
        at = np.asarray(rows, dtype=np.int64)
        keys = self.index.keys_array[at]
        out: dict[int, float] = {}

        def keep(row: int, score: float) -> None:
            if score >= cutoff and score > out.get(row, -1.0):
                out[row] = score

        for _, score, i in process.extract(
            query.key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=cutoff * 100.0, limit=None
        ):
            keep(rows[i], score / 100.0)
        if len(query.tokens) >= 2 and limits.partial * 100.0 >= cutoff * 100.0:
            for _, score, i in process.extract(
                query.key,
                keys,
                scorer=fuzz.token_set_ratio,
                score_cutoff=cutoff * 100.0 / limits.partial,
                limit=None,
            ):
                row = rows[i]
                if len(self.index.row_normal[row].tokens) >= 2:
                    keep(row, limits.partial * score / 100.0)
        # Hanzi against Latin names only (a few rows): the rest was scored above.
        mixed = at[self.index.syllabic_array[at] != query.syllabic]
        for row in mixed.tolist():
            other = self.index.row_normal[row]
            syllabic, latin = (other, query) if other.syllabic else (query, other)
            rejoined = " ".join(merge(syllabic.tokens, latin.tokens))
            keep(row, fuzz.token_sort_ratio(rejoined, latin.key) / 100.0)
        return out

    def _decide(self, subject: Subject, ranked: list[Candidate]) -> Resolution:
        rejected = self.decisions.rejected.get(subject.key)
        if rejected:
            ranked = [c for c in ranked if c.entity_id not in rejected]
        limits = self.thresholds
        top = tuple(ranked[: limits.max_candidates])
        if not top:
            return Resolution(subject.key, Outcome.UNMATCHED, Method.NONE, 0.0)
        best = top[0]
        runner_up = top[1].score if len(top) > 1 else 0.0
        # An entity abroad is never linked without an analyst.
        if (
            not best.mismatch
            and best.score >= limits.link
            and best.score - runner_up >= limits.margin
        ):
            return Resolution(
                subject.key, Outcome.LINKED, Method.NAME, best.score, best.entity_id, top
            )
        return Resolution(subject.key, Outcome.REVIEW, Method.NAME, best.score, None, top)

    def _identifier_match(self, subject: Subject, rejected: frozenset[str]) -> Resolution | None:
        index = self.index
        tries = (
            (Method.LEI, index.by_lei, lei_key(subject.lei) if subject.lei else None),
            (
                Method.REGISTRATION,
                index.by_registration,
                registration_key(subject.country, subject.registration)
                if subject.registration
                else None,
            ),
            (
                Method.DOMAIN,
                index.by_domain,
                domain_key(subject.domain) if subject.domain else None,
            ),
        )
        for method, lookup, key in tries:
            if key is None or key not in lookup:
                continue
            entity = index.entities[lookup[key]]
            if entity.id in rejected:
                continue
            return Resolution(
                subject.key,
                Outcome.LINKED,
                method,
                1.0,
                entity.id,
                (Candidate(entity.id, 1.0, entity.name),),
            )
        return None


def resolve(
    subject: Subject,
    index: CandidateIndex,
    thresholds: Thresholds | None = None,
    decisions: Decisions | None = None,
) -> Resolution:
    """Resolve one subject; build a :class:`Resolver` instead when resolving many."""
    return Resolver(index, thresholds, decisions).resolve(subject)
