"""Replaying a stored decision: recompute it on the policy version and snapshot it pins,
as of the day it was computed, and compare the outcome (status, reason, shares).

The organisation is the one the decision was asked about, as its evidence records it
(``subject``), with the registry entity the decision rests on. A replay builds its own
decider for that day and does not take a place in the cache of deciders: replays are rare,
and must not push out the active pair's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ownergate.service.decider import Decider
from ownergate.service.deciding import Decided, Subject, decide
from ownergate.service.pairs import Deciders, Pair
from ownergate.service.verdicts import DecisionRecord, decision_record
from ownergate.store import Database, Decision


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """The stored decision, the recomputed one, and whether their outcomes agree."""

    decision: DecisionRecord
    replayed: Decided
    as_of: dt.date

    @property
    def same(self) -> bool:
        d, r = self.decision, self.replayed
        return (d.status, d.reason, d.share_min, d.share_max) == (
            r.status,
            r.reason,
            r.share_min,
            r.share_max,
        )


class ReplayService:
    def __init__(self, db: Database, deciders: Deciders) -> None:
        self._db = db
        self._deciders = deciders

    def replay(self, decision_id: int) -> ReplayReport:
        with self._db.read() as store:
            stored = store.decisions.get(decision_id)
            account = store.accounts.get(stored.account_id)
            policy = store.policies.get(stored.policy_version).policy()
            subject = _subject(stored, account.organisation_name, account.declared_country)
            record = decision_record(stored)
        day = stored.computed_at.date()
        pair = Pair(stored.policy_version, stored.snapshot_digest)
        decider = Decider(policy, *self._deciders.tables(pair.snapshot_digest), as_of=day)
        pending = stored.evidence.get("pending_link") or {}
        candidates = [
            str(c.get("entity_id")) for c in pending.get("candidates", ()) if isinstance(c, dict)
        ]
        replayed = decide(decider, pair, subject, day, candidates=candidates)
        return ReplayReport(record, replayed, day)


def _subject(stored: Decision, name: str, country: str) -> Subject:
    """The organisation as the decision was asked about (the account's fields now when
    the evidence does not say), resolved to the entity the decision rests on."""
    asked = stored.evidence.get("subject")
    parent = None
    if isinstance(asked, dict):
        name = str(asked.get("organisation_name") or name)
        country = str(asked.get("declared_country") or country)
        parent = asked.get("parent_country")
    return Subject(
        name,
        country,
        registry_entity_id=stored.entity_id,
        parent_country=parent if isinstance(parent, str) else None,
    )
