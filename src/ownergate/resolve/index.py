"""The candidate index over registry entities, built once and queried per account.

Names are blocked on (country, token): an account is scored against names in its declared
country that share a word with it, where "share" tolerates one typo per word
(symmetric-delete neighbours over the vocabulary). Frequent words are used last and only
within a budget, so "China" or "Holdings" never pull in a whole country. Names in other
countries are blocked on the token alone (``foreign_rows``): declaring an offshore or
holding jurisdiction is how subsidiaries hide, so a strong match abroad is a candidate too.
A name written in a CJK script (one token per syllable) is also blocked on its runs of
adjacent syllables joined, the words a romanised name writes them as.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from ownergate.resolve.names import NormalName, normalize_name
from ownergate.resolve.pinyin import joined_runs

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
# Shorter words have too many one-edit neighbours to block on them usefully.
_TYPO_MIN_LENGTH = 4


@dataclass(frozen=True, slots=True)
class RegistryEntity:
    """An entity as the resolver needs it: its names, country and exact identifiers."""

    id: str
    name: str
    country: str | None = None
    other_names: tuple[str, ...] = ()
    lei: str | None = None
    registrations: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.other_names)


def lei_key(lei: str) -> str:
    return lei.strip().upper()


def registration_key(country: str | None, number: str) -> str:
    """Registration numbers are only unique within a country; punctuation varies."""
    return f"{country or ''}:{_NOT_ALNUM.sub('', number).upper()}"


def domain_key(domain: str) -> str:
    """``https://www.Example.com/about`` and ``example.com.`` give the same key."""
    host = domain.strip().lower()
    host = host.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].rstrip(".")
    return host.removeprefix("www.")


def deletions(token: str) -> Iterator[str]:
    """The token and every form of it with one character deleted."""
    yield token
    if len(token) >= _TYPO_MIN_LENGTH:
        for i in range(len(token)):
            yield token[:i] + token[i + 1 :]


class CandidateIndex:
    """Blocking keys and identifier look-ups over a fixed set of registry entities.

    ``max_block`` bounds how many name rows one look-up may return before the rarest-first
    rule stops adding words; at least the rarest word's rows are always returned.
    """

    def __init__(self, entities: Iterable[RegistryEntity], *, max_block: int = 500) -> None:
        self.max_block = max_block
        self.entities: list[RegistryEntity] = []
        self.position: dict[str, int] = {}
        # One row per (entity, distinct normalised name): the unit that gets scored.
        self.row_keys: list[str] = []
        self.row_entity: list[int] = []
        self.row_name: list[str] = []
        self.row_country: list[str] = []
        self.row_normal: list[NormalName] = []
        self._postings: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._anywhere: dict[str, list[int]] = defaultdict(list)
        self._by_country: dict[str, list[int]] = defaultdict(list)
        self._typos: dict[str, list[str]] = defaultdict(list)
        self.by_lei: dict[str, int] = {}
        self.by_registration: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}
        vocabulary: set[str] = set()
        for entity in entities:
            self._add(entity, vocabulary)
        for token in vocabulary:
            for key in deletions(token):
                self._typos[key].append(token)
        self._postings = dict(self._postings)
        self._anywhere = dict(self._anywhere)
        self._typos = dict(self._typos)
        # Array views of the name rows: scoring takes hundreds of rows per look-up.
        self.keys_array = np.array(self.row_keys, dtype=object)
        self.syllabic_array = np.array([n.syllabic for n in self.row_normal], dtype=bool)

    def _add(self, entity: RegistryEntity, vocabulary: set[str]) -> None:
        at = len(self.entities)
        self.entities.append(entity)
        self.position[entity.id] = at
        country = entity.country or ""
        if entity.lei:
            self.by_lei.setdefault(lei_key(entity.lei), at)
        for number in entity.registrations:
            self.by_registration.setdefault(registration_key(entity.country, number), at)
        for domain in entity.domains:
            self.by_domain.setdefault(domain_key(domain), at)
        seen: set[str] = set()
        for name in entity.names:
            normal = normalize_name(name)
            if not normal.key or normal.key in seen:
                continue
            seen.add(normal.key)
            row = len(self.row_keys)
            self.row_keys.append(normal.key)
            self.row_entity.append(at)
            self.row_name.append(name)
            self.row_country.append(country)
            self.row_normal.append(normal)
            self._by_country[country].append(row)
            for token in blocking_tokens(normal):
                self._postings[(country, token)].append(row)
                self._anywhere[token].append(row)
                vocabulary.add(token)

    def __len__(self) -> int:
        return len(self.entities)

    def similar_tokens(self, token: str) -> set[str]:
        """Vocabulary words within one typo of ``token`` (itself included, if known)."""
        found: set[str] = set()
        for key in deletions(token):
            found.update(self._typos.get(key, ()))
        return found

    def candidate_rows(self, tokens: Iterable[str], country: str | None) -> list[int]:
        """Name rows in ``country`` sharing a word (up to one typo) with ``tokens``."""
        where = country or ""
        blocks: dict[str, list[int]] = {}
        for token in set(tokens):
            for similar in self.similar_tokens(token):
                rows = self._postings.get((where, similar))
                if rows:
                    blocks[similar] = rows
        return self._within_budget(blocks.values())

    def foreign_rows(self, tokens: Iterable[str], country: str | None) -> list[int]:
        """Name rows outside ``country`` sharing a word (exactly) with ``tokens``, rarest
        words first within a fifth of the budget: only strong matches abroad are kept, and
        a strong match shares its rarest words, so neither typo neighbours nor the common
        words are needed."""
        where = country or ""
        blocks = [self._anywhere[t] for t in set(tokens) if t in self._anywhere]
        rows = self._within_budget(blocks, self.max_block // 5)
        return [r for r in rows if self.row_country[r] != where]

    def _within_budget(self, blocks: Iterable[list[int]], budget: int | None = None) -> list[int]:
        budget = self.max_block if budget is None else budget
        chosen: set[int] = set()
        for rows in sorted(blocks, key=len):
            if chosen and len(chosen) + len(rows) > budget:
                break
            chosen.update(rows)
        found: list[int] = np.sort(np.fromiter(chosen, dtype=np.int64, count=len(chosen))).tolist()
        return found

    def country_rows(self, country: str | None) -> list[int]:
        """Every name row in ``country``: what a brute-force comparison would score."""
        return list(self._by_country.get(country or "", ()))

    def other_rows(self, country: str | None) -> list[int]:
        """Every name row outside ``country`` (brute force abroad)."""
        where = country or ""
        return [r for r in range(len(self.row_keys)) if self.row_country[r] != where]


def blocking_tokens(normal: NormalName) -> set[str]:
    """The words a name is blocked on: its tokens, and for a syllabic name also its runs of
    syllables joined."""
    tokens = set(normal.tokens)
    if normal.syllabic:
        tokens |= joined_runs(normal.tokens)
    return tokens
