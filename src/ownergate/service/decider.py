"""Decisions for one entity or one organisation under a (policy, snapshot) pair.

A ``Decider`` screens the whole snapshot once (the fast engine) and then answers from the
result: the decision of a registry entity is a lookup plus its evidence. An organisation
given with inline holdings is decided on a small registry: the evidence sub-registries of
the snapshot entities it names (everything their decisions rest on), its own entity, and
the inline holdings. An organisation found in no registry is decided on its declared
country alone and flagged ``unverified``.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from ownergate.domain.model import Entity, Holding, Kind, Reason, Status
from ownergate.engine.screen import ScreenResult, screen
from ownergate.errors import UnknownEntityError, shown
from ownergate.explain import explain
from ownergate.explain.basis import seed_path
from ownergate.explain.subgraph import subgraph
from ownergate.explain.verify import records
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import EntityColumns, HoldingColumns, columns_from_records
from ownergate.policy.model import Policy

ORGANISATION_ID = "_organisation"


@dataclass(frozen=True)
class Outcome:
    """A decision with its evidence; ``flags`` qualify it (``unverified``, ``inline``)."""

    entity_id: str | None
    status: Status
    reason: Reason
    share_min: float
    share_max: float
    method: str
    evidence: dict[str, Any]
    flags: tuple[str, ...] = field(default=())
    # Entity ids from the seed down to the entity (``explain.basis.seed_path``).
    seed_path: tuple[str, ...] = field(default=())


def _finite(value: float) -> float:
    # JSON has no infinity; a divergent (conflicting) component is reported as 1.
    return 1.0 if value == float("inf") else float(value)


def _outcome(result: ScreenResult, row: int, flags: tuple[str, ...] = ()) -> Outcome:
    doc = explain(result, row)
    return Outcome(
        entity_id=result.graph.entities.id(row),
        status=result.status_of(row),
        reason=result.reason_of(row),
        share_min=_finite(result.share_min[row]),
        share_max=_finite(result.share_max[row]),
        method=result.method_of(row),
        evidence=doc,
        flags=flags,
        seed_path=tuple(seed_path(result, row)),
    )


class Decider:
    """The screened snapshot for one policy, as of one day (re-screened when it changes)."""

    def __init__(
        self,
        policy: Policy,
        entities: EntityColumns,
        holdings: HoldingColumns,
        as_of: dt.date | None = None,
    ) -> None:
        self.policy = policy
        self._entities = entities
        self._holdings = holdings
        self._fixed_day = as_of
        self._lock = threading.Lock()
        self._day: dt.date | None = None
        self._result: ScreenResult | None = None

    @property
    def tables(self) -> tuple[EntityColumns, HoldingColumns]:
        """The registry this decider screens (to build another decider on it without
        loading the snapshot again)."""
        return self._entities, self._holdings

    def day(self, day: dt.date | None = None) -> dt.date:
        """The day a decision asked for ``day`` is made as of: ``day`` when given, else the
        decider's fixed day, else today."""
        return day or self._fixed_day or dt.date.today()

    def result(self, day: dt.date | None = None) -> ScreenResult:
        """The screened snapshot as of ``self.day(day)``; asking for another day than the
        last one screens it again, so callers keep to one day per decider."""
        day = self.day(day)
        with self._lock:
            if self._result is None or self._day != day:
                graph = prepare(self._entities, self._holdings, self.policy, day)
                self._result = screen(graph, self.policy)
                self._day = day
            return self._result

    def row(self, entity_id: str) -> int | None:
        return self._entities.position(entity_id)

    def decide_entity(self, entity_id: str, *, day: dt.date | None = None) -> Outcome:
        row = self.row(entity_id)
        if row is None:
            raise UnknownEntityError(f"no entity with id {shown(entity_id)} in the snapshot")
        return _outcome(self.result(day), row)

    def decide_organisation(
        self,
        name: str,
        country: str | None,
        entity_id: str | None = None,
        inline: list[Holding] | None = None,
        *,
        day: dt.date | None = None,
    ) -> Outcome:
        """The organisation's decision: its registry entity's when it has one and no inline
        holdings; else on a registry of the inline holdings over the snapshot."""
        day = self.day(day)
        if entity_id is not None and not inline:
            return self.decide_entity(entity_id, day=day)
        subject = entity_id or ORGANISATION_ID
        entity_docs: dict[str, dict[str, Any]] = {}
        holding_docs: dict[int, dict[str, Any]] = {}  # by registry row: each stake once
        result = self.result(day)
        named = {h.owner for h in inline or []} | {
            h.nominee_for for h in inline or [] if h.nominee_for
        }
        if entity_id is not None:
            named.add(entity_id)
        for ref in sorted(named):
            row = self.row(ref)
            if row is None:
                continue
            part = subgraph(result.graph, row)
            entity_docs.update({e["id"]: e for e in part["entities"]})
            holding_docs.update({h["row"]: h for h in part["holdings"]})
        es, holds = records(
            {
                "registry": {
                    "entities": list(entity_docs.values()),
                    "holdings": list(holding_docs.values()),
                }
            }
        )
        ents = {e.id: e for e in es}
        if entity_id is None:
            ents[subject] = Entity(subject, name=name, kind=Kind.COMPANY, country=country)
        elif subject not in ents:
            raise UnknownEntityError(f"no entity with id {shown(entity_id)} in the snapshot")
        missing = sorted(ref for ref in named if ref not in ents)
        if missing:
            raise UnknownEntityError(
                f"inline holdings name entities not in the snapshot: {', '.join(missing)}"
            )
        holds.extend(
            Holding(h.owner, subject, h.share, h.basis, h.nominee_for, h.start, h.end)
            for h in inline or []
        )
        small_e, small_h = columns_from_records(list(ents.values()), holds)
        graph = prepare(small_e, small_h, self.policy, day)
        small = screen(graph, self.policy)
        row = small_e.position(subject)
        assert row is not None
        flags = ("inline",) if inline else ()
        if entity_id is None and not inline:
            flags = ("unverified",)
        return _outcome(small, row, flags)
