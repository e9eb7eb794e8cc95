"""The entity-link review queue: accounts the resolver could not link with confidence, and
analysts' answers on them.

An answer is kept (``link_reviews``, audited) and applied at once: the account's link is
updated and the account decided again, so a confirmation puts it on its registry entity
and a rejection takes it off. Every later resolution of the account reuses the answers:
a rejected entity is never linked to it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ownergate.errors import InputError
from ownergate.service.accounts import AccountDecision, AccountService
from ownergate.service.pairs import Deciders, active_pair
from ownergate.store import Database, EntityLink, LinkOutcome, LinkReview, LinkVerdict


@dataclass(frozen=True, slots=True)
class ReviewPage:
    links: list[EntityLink]
    total: int
    next_after: str | None


@dataclass(frozen=True, slots=True)
class ReviewAnswer:
    review: LinkReview
    link: EntityLink | None
    decision: AccountDecision


class LinkReviewService:
    def __init__(self, db: Database, deciders: Deciders, accounts: AccountService) -> None:
        self._db = db
        self._deciders = deciders
        self._accounts = accounts

    def queue(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        outcome: LinkOutcome | None = None,
    ) -> ReviewPage:
        """Accounts waiting for an analyst (``review``: candidates to choose from;
        ``unmatched``: found in no registry entity), in account id order, ``limit`` at a
        time; ``outcome`` keeps one of the two."""
        outcomes = (LinkOutcome.REVIEW, LinkOutcome.UNMATCHED) if outcome is None else (outcome,)
        with self._db.read() as store:
            links = store.links.queue(after=after, limit=limit, outcomes=outcomes)
            total = store.links.queue_size(outcomes)
        following = links[-1].account_id if len(links) == limit else None
        return ReviewPage(links, total, following)

    def link(self, account_id: str) -> tuple[EntityLink | None, list[LinkReview]]:
        """The account's current link and every answer given on it, oldest first."""
        with self._db.read() as store:
            store.accounts.get(account_id)
            return store.links.get(account_id), store.links.reviews(account_id)

    def answer(
        self,
        account_id: str,
        entity_id: str,
        verdict: LinkVerdict | str,
        reason: str,
        *,
        actor: str,
    ) -> ReviewAnswer:
        """Confirm or reject ``entity_id`` for the account, then decide it again. A
        confirmed entity must be in the active snapshot (a rejection need not be)."""
        if verdict == LinkVerdict.CONFIRM:
            with self._db.read() as store:
                pair = active_pair(store)
            if self._deciders.get(pair).row(entity_id) is None:
                raise InputError("is not an entity of the active snapshot", field="entity_id")
        with self._db.write() as store:
            review = store.links.review(
                account_id, entity_id, verdict=verdict, reason=reason, actor=actor
            )
        decision = self._accounts.redecide(account_id, actor=actor)
        with self._db.read() as store:
            link = store.links.get(account_id)
        return ReviewAnswer(review, link, decision)
