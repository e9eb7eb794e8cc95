"""Check the stored rows against the audit log: ``verify_chain`` proves the log intact, this
proves the tables still hold what the log says was written.

Each audited object's row must equal the state recorded by its newest audit row (see
``ownergate.store.states``). A row changed behind the store's back, a row inserted without
an audit row, and a row deleted although the log records it are each reported. Run it
after ``verify_chain``: it trusts the log it compares against.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from ownergate.store.audit import canonical
from ownergate.store.models import (
    AuditEntry,
    ChangeReview,
    Override,
    OverrideReview,
    PendingChange,
)
from ownergate.store.states import STATES, override_state, pending_change_state

MAX_PROBLEMS = 100


@dataclass(frozen=True)
class RecordProblem:
    object_type: str
    object_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.problem}"


@dataclass(frozen=True)
class RecordsReport:
    """The outcome of ``verify_records``: how many rows were compared, and what differs
    (the first ``MAX_PROBLEMS``)."""

    checked: int
    problems: list[RecordProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        if self.ok:
            return f"{self.checked} rows match the audit log"
        return "; ".join(str(p) for p in self.problems)


def _digest(state: dict[str, Any]) -> bytes:
    return hashlib.sha256(canonical(state).encode("utf-8")).digest()


class _Comparison:
    def __init__(self, session: Session, object_type: str) -> None:
        self.object_type = object_type
        # Only digests are kept: the newest recorded state of each object.
        self.expected: dict[str, tuple[int, bytes]] = {}
        query = (
            select(AuditEntry.object_id, AuditEntry.seq, AuditEntry.payload)
            .where(AuditEntry.object_type == object_type)
            .order_by(AuditEntry.seq)
            .execution_options(yield_per=1000)
        )
        for object_id, seq, payload in session.execute(query):
            self.expected[object_id] = (seq, hashlib.sha256(payload.encode("utf-8")).digest())
        self.checked = 0
        self.problems: list[RecordProblem] = []

    def row(self, object_id: str, state: dict[str, Any]) -> None:
        self.checked += 1
        recorded = self.expected.pop(object_id, None)
        if recorded is None:
            self._problem(object_id, "is not in the audit log (written around the store)")
        elif recorded[1] != _digest(state):
            self._problem(object_id, f"differs from its last audited write (seq {recorded[0]})")

    def finish(self) -> None:
        for object_id, (seq, _) in self.expected.items():
            self._problem(object_id, f"was deleted (the audit log records it at seq {seq})")

    def _problem(self, object_id: str, text: str) -> None:
        self.problems.append(RecordProblem(self.object_type, object_id, text))


def verify_records(session: Session) -> RecordsReport:
    """Compare every audited table with the audit log; see the module doc."""
    comparisons = []
    for object_type, (model, state_of) in STATES.items():
        comparison = _Comparison(session, object_type)
        key = inspect(model).primary_key[0].name  # attribute names are column names here
        rows = session.scalars(select(model).execution_options(yield_per=1000))
        for row in rows:
            comparison.row(str(getattr(row, key)), state_of(row))
            session.expunge(row)
        comparison.finish()
        comparisons.append(comparison)
    # Objects recorded with their one review: overrides and pending changes.
    reviewed: list[tuple[str, Any, Any, Callable[[Any, Any], dict[str, Any]]]] = [
        ("override", Override, OverrideReview, override_state),
        ("pending_change", PendingChange, ChangeReview, pending_change_state),
    ]
    for object_type, model, review_model, state_of_pair in reviewed:
        comparison = _Comparison(session, object_type)
        link = (
            review_model.override_id == model.id
            if review_model is OverrideReview
            else review_model.change_id == model.id
        )
        query = select(model, review_model).outerjoin(review_model, link)
        for row, review in session.execute(query.execution_options(yield_per=1000)):
            comparison.row(str(row.id), state_of_pair(row, review))
        comparison.finish()
        comparisons.append(comparison)
    problems = [p for c in comparisons for p in c.problems]
    return RecordsReport(sum(c.checked for c in comparisons), problems[:MAX_PROBLEMS])
