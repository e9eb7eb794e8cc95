"""The entity-link review queue: accounts the resolver could not link with confidence, and
analysts' answers on them.

An answer is kept (``link_reviews``, audited) and applied at once: the account's link is
updated and the account decided again in the same transaction, so a confirmation puts it
on its registry entity and a rejection takes it off. An answer that would lift the
account's restriction waits for a second principal instead (``four_eyes``). Every later
resolution of the account reuses the answers: a rejected entity is never linked to it
again.
"""

from __future__ import annotations

from dataclasses import dataclass

from ownergate.errors import InputError
from ownergate.service.accounts import (
    ATTEMPTS,
    NO_LINK,
    AccountDecision,
    AccountService,
    LinkInForce,
    decide_now,
    link_in_force,
    record,
    subject_of,
)
from ownergate.service.deciding import Subject
from ownergate.service.four_eyes import Approval, approve, change_base, held_from
from ownergate.service.pairs import Deciders, active_pair
from ownergate.service.verdicts import current_verdict
from ownergate.store import (
    ChangeKind,
    ConflictError,
    Database,
    EntityLink,
    LinkOutcome,
    LinkReview,
    LinkVerdict,
    PendingChange,
    checks,
)


@dataclass(frozen=True, slots=True)
class ReviewPage:
    links: list[EntityLink]
    total: int
    next_after: str | None


@dataclass(frozen=True, slots=True)
class ReviewAnswer:
    """The answer recorded, the link after it and the account's verdict; or, when the
    answer would lift a restriction, no review and the ``pending`` change holding it."""

    review: LinkReview | None
    link: EntityLink | None
    decision: AccountDecision
    pending: PendingChange | None = None


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
        approval: Approval | None = None,
    ) -> ReviewAnswer:
        """Confirm or reject ``entity_id`` for the account, and decide it again on the
        link that leaves, in one transaction. A confirmed entity must be in the active
        snapshot (a rejection need not be). An answer that would lift the account's
        restriction is held as a pending change (``four_eyes``) unless it is that
        change's ``approval``, applied here."""
        kind = checks.choice(LinkVerdict, verdict, "verdict")
        for _attempt in range(ATTEMPTS):
            with self._db.read() as store:
                pair = active_pair(store)
                account = store.accounts.get(account_id)
                link = store.links.get(account_id)
            if kind is LinkVerdict.CONFIRM and self._deciders.get(pair).row(entity_id) is None:
                raise InputError("is not an entity of the active snapshot", field="entity_id")
            subject = subject_of(account)
            linked = _linked_after(link, subject, entity_id, kind)
            decided = decide_now(self._deciders, pair, subject, linked)
            try:
                with self._db.write() as store:
                    store.audit.lock()
                    if (
                        active_pair(store) != pair
                        or subject_of(store.accounts.get(account_id)) != subject
                        or _state(store.links.get(account_id)) != _state(link)
                    ):
                        raise _Stale
                    if approval is not None:
                        approve(store, approval, decided)
                    elif (held := held_from(store, account_id, decided)) is not None:
                        change = store.pending.request(
                            account_id,
                            kind=ChangeKind.LINK,
                            change={
                                "entity_id": entity_id,
                                "verdict": kind.value,
                                "reason": reason,
                            },
                            base=change_base(store, account_id, decided.pair),
                            from_status=held,
                            to_status=decided.status,
                            actor=actor,
                        )
                        now = AccountDecision(
                            account, False, current_verdict(store, account_id), False
                        )
                        return ReviewAnswer(None, link, now, pending=change)
                    review = store.links.review(
                        account_id, entity_id, verdict=kind, reason=reason, actor=actor
                    )
                    if link_in_force(store, account_id, subject) != linked:
                        raise ConflictError("the account's link changed meanwhile: try again")
                    new = record(store, account_id, decided, actor)
                    verdict_now = current_verdict(store, account_id)
                    link_now = store.links.get(account_id)
            except _Stale:
                continue
            self._accounts.written(account_id, new)
            decision = AccountDecision(account, False, verdict_now, new)
            return ReviewAnswer(review, link_now, decision)
        raise ConflictError("the account or the active pair kept changing meanwhile: try again")


class _Stale(Exception):
    """The pair, the account or its link changed between deciding and writing."""


def _linked_after(
    link: EntityLink | None, subject: Subject, entity_id: str, kind: LinkVerdict
) -> LinkInForce:
    """The link in force (``accounts.link_in_force``) once the answer is applied as
    ``store.links.review`` applies it: a confirmation links the entity; a rejection drops
    it from the candidates and unlinks it if linked there or still waiting for review; any
    other rejection leaves the link as it is."""
    if kind is LinkVerdict.CONFIRM:
        return (entity_id, ())
    if link is None:
        return NO_LINK
    kept = tuple(
        str(c.get("entity_id")) for c in link.candidates if c.get("entity_id") != entity_id
    )
    entity, outcome, method = link.entity_id, link.outcome, link.method
    if entity == entity_id or outcome is not LinkOutcome.LINKED:
        entity, outcome = None, LinkOutcome.REVIEW if kept else LinkOutcome.UNMATCHED
        method = method if kept else "none"
    same_subject = (link.subject_name, link.subject_country) == (subject.name, subject.country)
    if method != "confirmed" and not same_subject:
        return NO_LINK
    if entity is not None:
        return (entity, ())
    return (None, kept) if outcome is LinkOutcome.REVIEW else NO_LINK


def _state(link: EntityLink | None) -> tuple[object, ...] | None:
    if link is None:
        return None
    return (link.outcome, link.method, link.entity_id, link.subject_name, link.subject_country)
