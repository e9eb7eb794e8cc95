"""Accounts linked to registry entities by the resolver (``ownergate.resolve``), as tables.

The registry's companies, states and other organisations become the resolver's entities
(people are never customers here); accounts whose registry entity is already known (by id
or LEI, ``link_accounts``) are not resolved again. The links table keeps every outcome
with its method, score and candidates, so ``review`` rows are the analysts' queue; the
resolved customer base fills ``registry_entity_id`` for ``linked`` accounts only.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from ownergate.domain.model import KINDS, Kind
from ownergate.errors import ConfigError
from ownergate.graph.tables import EntityColumns, text
from ownergate.portfolio.accounts import Customers, IntArray
from ownergate.resolve import Outcome, RegistryEntity, Resolution, Resolver, Subject

LINK_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("outcome", pa.string()),
        ("method", pa.string()),
        ("score", pa.float64()),
        ("entity_id", pa.string()),
        ("candidates", pa.string()),
    ]
)


def registry_entities(
    ents: EntityColumns,
    other_names: Sequence[Sequence[str] | None] | None = None,
    identifiers: Sequence[Sequence[str] | None] | None = None,
) -> list[RegistryEntity]:
    """The registry's non-person entities with their names, country and identifiers
    (``SCHEME:value``: ``LEI:`` becomes the LEI, other schemes registration numbers)."""
    person = KINDS.index(Kind.PERSON)
    out = []
    for row in np.flatnonzero(ents.kind != person).tolist():
        name = text(ents.names[row]) if ents.names is not None else ""
        if not name:
            continue
        code = int(ents.country[row])
        idents = (identifiers[row] if identifiers is not None else None) or ()
        leis = [i[4:] for i in idents if i.upper().startswith("LEI:")]
        out.append(
            RegistryEntity(
                id=text(ents.ids[row]),
                name=name,
                country=ents.country_vocab[code] if code else None,
                other_names=tuple((other_names[row] if other_names is not None else None) or ()),
                lei=leis[0] if leis else None,
                registrations=tuple(i for i in idents if not i.upper().startswith("LEI:")),
            )
        )
    return out


def subjects(customers: Customers, known: IntArray) -> list[Subject]:
    """The accounts without a known registry entity (``known`` is -1), to resolve."""
    return [
        Subject(
            key=str(customers.account_id[i]),
            name=str(customers.name[i] or ""),
            country=customers.country[i],
            lei=customers.lei[i],
        )
        for i in np.flatnonzero(known < 0).tolist()
    ]


def links_table(resolutions: Sequence[Resolution]) -> pa.Table:
    return pa.table(
        {
            "account_id": [r.subject_key for r in resolutions],
            "outcome": [r.outcome.value for r in resolutions],
            "method": [r.method.value for r in resolutions],
            "score": [round(r.score, 4) for r in resolutions],
            "entity_id": [r.entity_id for r in resolutions],
            "candidates": [
                json.dumps([c.as_json() for c in r.candidates], ensure_ascii=False)
                for r in resolutions
            ],
        },
        schema=LINK_SCHEMA,
    )


def resolved_customers(table: pa.Table, resolutions: Sequence[Resolution]) -> pa.Table:
    """``table`` (a customer base) with ``registry_entity_id`` set for linked accounts."""
    linked = {r.subject_key: r.entity_id for r in resolutions if r.outcome is Outcome.LINKED}
    ids = table.column("account_id").to_pylist()
    current = table.column("registry_entity_id").to_pylist()
    filled = [c if c else linked.get(str(a)) for a, c in zip(ids, current, strict=True)]
    position = table.schema.get_field_index("registry_entity_id")
    return table.set_column(position, "registry_entity_id", pa.array(filled, pa.string()))


@dataclass(frozen=True)
class Accuracy:
    """Against a truth table: precision and recall of ``linked``, the share sent to review."""

    linked: int
    correct: int
    positives: int
    review: int
    resolved: int

    @property
    def precision(self) -> float:
        return self.correct / self.linked if self.linked else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.positives if self.positives else 1.0

    @property
    def review_rate(self) -> float:
        return self.review / self.resolved if self.resolved else 0.0


def accuracy(resolutions: Sequence[Resolution], truth: dict[str, Any]) -> Accuracy:
    linked = [r for r in resolutions if r.outcome is Outcome.LINKED]
    correct = sum(truth.get(r.subject_key) == r.entity_id for r in linked)
    positives = sum(truth.get(r.subject_key) is not None for r in resolutions)
    review = sum(r.outcome is Outcome.REVIEW for r in resolutions)
    return Accuracy(len(linked), correct, positives, review, len(resolutions))


CHUNK = 2_000
# The resolver a forked worker inherits: built once in the parent, shared copy-on-write.
_RESOLVER: Any = None


def _resolve_chunk(chunk: list[Subject]) -> list[Resolution]:
    return list(_RESOLVER.resolve_many(chunk))


class ResolverPool:
    """Resolves subjects in chunks, in ``workers`` processes forked once (when entered)
    and reused by every ``resolve``: forking a process that holds a large index costs
    more than resolving a small batch."""

    def __init__(self, resolver: Resolver | None, workers: int) -> None:
        self.resolver = resolver
        self.workers = workers
        self._pool: Any = None

    def __enter__(self) -> ResolverPool:
        global _RESOLVER
        if self.resolver and self.workers > 1 and "fork" in mp.get_all_start_methods():
            _RESOLVER = self.resolver
            self._pool = mp.get_context("fork").Pool(self.workers)
        return self

    def __exit__(self, *_exc: object) -> None:
        global _RESOLVER
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        _RESOLVER = None

    def resolve(
        self, pending: list[Subject], advance: Callable[[int], Any] | None = None
    ) -> list[Resolution]:
        """The subjects' resolutions, in order."""
        if self.resolver is None:
            raise ConfigError("this pool has no resolver")
        size = min(CHUNK, max(1, -(-len(pending) // max(1, self.workers))))
        chunks = [pending[i : i + size] for i in range(0, len(pending), size)]
        done: list[Resolution] = []
        if self._pool is None or len(chunks) < 2:
            resolver = self.resolver
            results: Any = (resolver.resolve_many(chunk) for chunk in chunks)
        else:
            results = self._pool.imap(_resolve_chunk, chunks)
        for chunk, result in zip(chunks, results, strict=True):
            done.extend(result)
            if advance is not None:
                advance(len(chunk))
        return done


def resolve_parallel(
    resolver: Resolver, pending: list[Subject], workers: int, advance: Callable[[int], Any]
) -> list[Resolution]:
    """Chunks resolved in order, in ``workers`` forked processes when there is enough work."""
    with ResolverPool(resolver, workers) as pool:
        return pool.resolve(pending, advance)
