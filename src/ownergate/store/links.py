"""Entity links and analysts' link reviews.

``entity_links`` is a working table: each account's newest resolution against the registry,
replaced whenever the account is resolved again, and written in bulk by a whole-base
screen. It is not audited row by row; the decisions made on a link record it in their
evidence (method, score, entity), and those are audited. ``link_reviews`` are analysts'
answers on (account, entity) pairs: append-only, audited, and handed back to every later
resolution (``review_answers``) so an analyst never answers the same question twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from ownergate.errors import shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import Account, EntityLink, LinkOutcome, LinkReview, LinkVerdict
from ownergate.store.states import link_review_state
from ownergate.store.types import utcnow

MAX_REASON_LENGTH = 4000
# Rows per statement: below SQLite's default limit on bound parameters.
BATCH = 2_000
_LINKS = cast(Table, EntityLink.__table__)


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One account's resolution, as ``replace_many`` writes it."""

    account_id: str
    subject_name: str
    subject_country: str
    outcome: str
    method: str
    score: float
    entity_id: str | None
    candidates: list[dict[str, Any]]


class LinkState(NamedTuple):
    """An account's current link, as plain values (a screen reads hundreds of thousands)."""

    account_id: str
    subject_name: str
    subject_country: str
    outcome: str
    method: str
    score: float
    entity_id: str | None
    snapshot_digest: str | None
    candidates: list[dict[str, Any]] | None = None

    def pending(self) -> list[str] | None:
        """The candidate entity ids of a link waiting for review, best first; else None."""
        if self.outcome != LinkOutcome.REVIEW.value:
            return None
        return [str(c.get("entity_id")) for c in self.candidates or ()]


def link_applies(
    link: LinkState | EntityLink,
    name: str,
    country: str,
    snapshot_digest: str | None = None,
) -> bool:
    """Whether a stored link still speaks for an account named ``name`` in ``country``: a
    link an analyst confirmed always does; one the resolver found only while the account
    has the name and country it was resolved on (and, given ``snapshot_digest``, only if
    it was found in that snapshot: another snapshot's registry is resolved again)."""
    if link.method == "confirmed":
        return True
    return (link.subject_name, link.subject_country) == (name, country) and (
        snapshot_digest is None or link.snapshot_digest == snapshot_digest
    )


@dataclass(frozen=True, slots=True)
class ReviewAnswers:
    """All analysts' answers: the entity confirmed per account (the newest confirmation
    not later rejected), and every entity rejected per account."""

    confirmed: dict[str, str]
    rejected: dict[str, frozenset[str]]


class LinkRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def replace_many(
        self, rows: Sequence[LinkRow], snapshot_digest: str | None, *, at: dt.datetime
    ) -> None:
        """Make ``rows`` the accounts' current links (resolved against ``snapshot_digest``).

        Delete-then-insert in the caller's transaction: the same statements on SQLite and
        PostgreSQL, and nothing half-replaced if the transaction fails.
        """
        self._audit.lock()
        for start in range(0, len(rows), BATCH):
            part = rows[start : start + BATCH]
            self.session.execute(
                delete(EntityLink).where(EntityLink.account_id.in_([r.account_id for r in part]))
            )
            self.session.execute(
                insert(_LINKS),
                [
                    {
                        "account_id": r.account_id,
                        "subject_name": r.subject_name,
                        "subject_country": r.subject_country,
                        "outcome": r.outcome,
                        "method": r.method,
                        "score": r.score,
                        "entity_id": r.entity_id,
                        "candidates": r.candidates,
                        "snapshot_digest": snapshot_digest,
                        "resolved_at": at,
                    }
                    for r in part
                ],
            )

    def get(self, account_id: str) -> EntityLink | None:
        return self.session.get(EntityLink, account_id, populate_existing=True)

    def states(self, account_ids: Sequence[str] | None = None) -> dict[str, LinkState]:
        """The current links of ``account_ids`` (every account's when None), by account."""
        query = select(*(_LINKS.c[name] for name in LinkState._fields))
        if account_ids is None:
            return self._states(query)
        out: dict[str, LinkState] = {}
        for start in range(0, len(account_ids), BATCH):
            part = list(account_ids[start : start + BATCH])
            out.update(self._states(query.where(_LINKS.c.account_id.in_(part))))
        return out

    def _states(self, query: Any) -> dict[str, LinkState]:
        out = {}
        for row in self.session.execute(query):
            state = LinkState(*row)
            out[state.account_id] = state._replace(outcome=str(state.outcome))
        return out

    def queue(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        outcomes: Sequence[LinkOutcome] = (LinkOutcome.REVIEW, LinkOutcome.UNMATCHED),
    ) -> list[EntityLink]:
        """Links waiting for an analyst (``review``: candidates to choose from;
        ``unmatched``: none found), in account id order, for paging."""
        query = (
            select(EntityLink)
            .where(EntityLink.outcome.in_(list(outcomes)))
            .order_by(EntityLink.account_id)
            .limit(limit)
        )
        if after is not None:
            query = query.where(EntityLink.account_id > after)
        return list(self.session.scalars(query))

    def queue_size(
        self, outcomes: Sequence[LinkOutcome] = (LinkOutcome.REVIEW, LinkOutcome.UNMATCHED)
    ) -> int:
        query = (
            select(func.count())
            .select_from(EntityLink)
            .where(EntityLink.outcome.in_(list(outcomes)))
        )
        return int(self.session.scalar(query) or 0)

    def pending(self) -> dict[str, list[str]]:
        """Every link waiting for review: its candidate entity ids, by account."""
        query = select(EntityLink.account_id, EntityLink.candidates).where(
            EntityLink.outcome == LinkOutcome.REVIEW
        )
        return {
            account: [str(c.get("entity_id")) for c in candidates or ()]
            for account, candidates in self.session.execute(query)
        }

    def review(
        self,
        account_id: str,
        entity_id: str,
        *,
        verdict: LinkVerdict | str,
        reason: str,
        actor: str,
    ) -> LinkReview:
        """Record an analyst's answer on linking ``account_id`` to ``entity_id`` and apply it
        to the account's current link: a confirmation links it; a rejection unlinks it (if
        linked to that entity) and drops the entity from its candidates."""
        kind = checks.choice(LinkVerdict, verdict, "verdict")
        checks.text(entity_id, "entity_id", 200)
        checks.text(reason, "reason", MAX_REASON_LENGTH)
        with self._audit.writing(actor):
            account = self.session.get(Account, account_id)
            if account is None:
                raise NotFoundError(f"no account {shown(account_id)}")
            link = self.get(account_id)
            if kind is LinkVerdict.CONFIRM and entity_id in self.rejected(account_id):
                raise ConflictError(
                    f"entity {shown(entity_id)} was rejected for account {shown(account_id)}; "
                    "a rejection is final"
                )
            review = LinkReview(
                account_id=account_id,
                entity_id=entity_id,
                verdict=kind,
                reviewer=actor,
                reason=reason,
                at=utcnow(),
            )
            self.session.add(review)
            if link is None and kind is LinkVerdict.CONFIRM:
                # Never resolved yet: the confirmation is the account's link.
                link = EntityLink(
                    account_id=account_id,
                    subject_name=account.organisation_name,
                    subject_country=account.declared_country,
                    outcome=LinkOutcome.REVIEW,
                    method="confirmed",
                    score=1.0,
                    entity_id=None,
                    candidates=[],
                    snapshot_digest=None,
                    resolved_at=review.at,
                )
                self.session.add(link)
            if link is not None:
                _apply(link, review)
            self.session.flush()
            self._audit.append(
                actor, f"link.{kind.value}", "link_review", review.id, link_review_state(review)
            )
        return review

    def reviews(self, account_id: str) -> list[LinkReview]:
        query = select(LinkReview).where(LinkReview.account_id == account_id)
        return list(self.session.scalars(query.order_by(LinkReview.id)))

    def rejected(self, account_id: str) -> frozenset[str]:
        return frozenset(
            r.entity_id for r in self.reviews(account_id) if r.verdict is LinkVerdict.REJECT
        )

    def answers(self) -> ReviewAnswers:
        """Every analyst answer, in the shape the resolver takes them."""
        confirmed: dict[str, str] = {}
        rejected: dict[str, set[str]] = {}
        query = select(LinkReview.account_id, LinkReview.entity_id, LinkReview.verdict)
        for account_id, entity_id, verdict in self.session.execute(query.order_by(LinkReview.id)):
            if verdict == LinkVerdict.REJECT:
                rejected.setdefault(account_id, set()).add(entity_id)
            else:
                confirmed[account_id] = entity_id
        for account_id, entity_id in list(confirmed.items()):
            if entity_id in rejected.get(account_id, ()):
                del confirmed[account_id]
        return ReviewAnswers(confirmed, {k: frozenset(v) for k, v in rejected.items()})


def _apply(link: EntityLink, review: LinkReview) -> None:
    if review.verdict is LinkVerdict.CONFIRM:
        name = next(
            (c.get("name") for c in link.candidates if c.get("entity_id") == review.entity_id), ""
        )
        link.outcome = LinkOutcome.LINKED
        link.method = "confirmed"
        link.score = 1.0
        link.entity_id = review.entity_id
        link.candidates = [{"entity_id": review.entity_id, "score": 1.0, "name": name}]
    else:
        link.candidates = [c for c in link.candidates if c.get("entity_id") != review.entity_id]
        if link.entity_id == review.entity_id or link.outcome is not LinkOutcome.LINKED:
            link.entity_id = None
            link.outcome = LinkOutcome.REVIEW if link.candidates else LinkOutcome.UNMATCHED
            link.method = link.method if link.candidates else "none"
            link.score = float(link.candidates[0]["score"]) if link.candidates else 0.0
    link.resolved_at = review.at
