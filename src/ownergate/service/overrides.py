"""Overrides: an analyst asks for a verdict on an account; another reviews it.

The store enforces the rules (one review per override, none after expiry, and allowing an
account needs an approver other than the requester). This service binds each override to
the account's current decision when it is requested (``service.binding``), refuses to
approve an allow override once the account's decision has moved from what it was bound
to, and reads overrides back with their review, state and lapse; ``reapproval_queue``
lists the lapsed ones waiting for a new override on the new evidence.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from ownergate.errors import InputError, shown
from ownergate.service.binding import Basis, basis_of, lapse_reasons
from ownergate.service.verdict_cache import VerdictCache
from ownergate.service.verdicts import (
    DecisionRecord,
    OverrideRecord,
    decision_record,
    override_record,
)
from ownergate.store import (
    ConflictError,
    Database,
    OverrideState,
    Repositories,
    ReviewOutcome,
    Verdict,
)


@dataclass(frozen=True, slots=True)
class ReapprovalItem:
    """A lapsed override, the decision it was bound to and the account's decision now."""

    lapse_id: int
    override: OverrideRecord
    bound: DecisionRecord | None
    current: DecisionRecord
    lapsed_at: dt.datetime
    lapsed_on: int | None


@dataclass(frozen=True, slots=True)
class ReapprovalPage:
    items: list[ReapprovalItem]
    next_after: int | None


class OverrideService:
    def __init__(self, db: Database, cache: VerdictCache | None = None) -> None:
        self._db = db
        self._cache = cache

    def request(
        self,
        account_id: str,
        *,
        verdict: Verdict,
        reason: str,
        expires_at: dt.datetime,
        actor: str,
        decision_id: int | None = None,
    ) -> OverrideRecord:
        """Ask for ``verdict`` on the account until ``expires_at``; pending until reviewed.
        It is bound to the account's current decision; ``decision_id``, when given, must
        be that decision (the one the analyst looked at: a ConflictError otherwise)."""
        try:
            expires_at.astimezone(dt.UTC)
        except OverflowError:
            raise InputError("is out of range in UTC", field="expires_at") from None
        with self._db.write() as store:
            store.accounts.get(account_id)
            current = store.decisions.current(account_id)
            if current is None:
                raise ConflictError(
                    f"account {shown(account_id)} has no decision yet: an override is bound to "
                    "the decision it overrides"
                )
            if decision_id is not None and decision_id != current.id:
                raise ConflictError(
                    f"decision {decision_id} is no longer account {shown(account_id)}'s current "
                    f"decision ({current.id}): look at the current one before overriding it"
                )
            override = store.overrides.request(
                account_id,
                verdict=verdict,
                reason=reason,
                expires_at=expires_at,
                actor=actor,
                decision_id=current.id,
            )
            return override_record(override, None)

    def approve(self, override_id: int, *, reason: str, actor: str) -> OverrideRecord:
        return self._review(override_id, ReviewOutcome.APPROVE, reason, actor)

    def reject(self, override_id: int, *, reason: str, actor: str) -> OverrideRecord:
        return self._review(override_id, ReviewOutcome.REJECT, reason, actor)

    def get(self, override_id: int) -> OverrideRecord:
        with self._db.read() as store:
            return _record(store, override_id)

    def list_for(self, account_id: str) -> list[OverrideRecord]:
        """The account's overrides, newest first (NotFoundError without such an account)."""
        with self._db.read() as store:
            store.accounts.get(account_id)
            return [_record(store, o.id) for o in store.overrides.list_for(account_id)]

    def reapproval_queue(self, *, after: int | None = None, limit: int = 100) -> ReapprovalPage:
        """Lapsed overrides whose account has had no override requested since, oldest
        lapse first; ``after`` is the ``next_after`` of the previous page."""
        with self._db.read() as store:
            found = store.overrides.reapproval_queue(after=after, limit=limit)
            items = []
            for lapse, override in found:
                current = store.decisions.current(override.account_id)
                assert current is not None  # a lapse is recorded on a decision
                bound = (
                    None
                    if override.decision_id is None
                    else store.decisions.get(override.decision_id)
                )
                items.append(
                    ReapprovalItem(
                        lapse_id=lapse.id,
                        override=_record(store, override.id),
                        bound=None if bound is None else decision_record(bound),
                        current=decision_record(current),
                        lapsed_at=lapse.at,
                        lapsed_on=lapse.decision_id,
                    )
                )
        following = found[-1][0].id if len(found) == limit and found else None
        return ReapprovalPage(items, following)

    def _review(
        self, override_id: int, outcome: ReviewOutcome, reason: str, actor: str
    ) -> OverrideRecord:
        with self._db.write() as store:
            override = store.overrides.get(override_id)
            if outcome is ReviewOutcome.APPROVE and override.verdict is Verdict.ALLOW:
                _check_still_bound(store, override.account_id, override.decision_id)
            review = store.overrides.review(
                override_id, outcome=outcome, reason=reason, actor=actor
            )
            record = override_record(store.overrides.get(override_id), review)
        if self._cache is not None:
            self._cache.forget(record.account_id)
        return record


def _check_still_bound(store: Repositories, account_id: str, decision_id: int | None) -> None:
    """An allow override is approved on the evidence it was requested on, or not at all."""
    current = store.decisions.current(account_id)
    bound: Basis | None = None
    if decision_id is not None:
        bound = basis_of(store.decisions.get(decision_id))
    reasons = [] if current is None else lapse_reasons(bound, basis_of(current))
    if reasons:
        raise ConflictError(
            f"account {shown(account_id)} was decided again since this override was requested "
            f"({'; '.join(reasons)}): request a new override on the current decision"
        )


def _record(store: Repositories, override_id: int) -> OverrideRecord:
    override = store.overrides.get(override_id)
    review = store.overrides.review_of(override_id)
    lapse = store.overrides.lapse_of(override_id)
    record = override_record(override, review, lapse=lapse)
    if (
        lapse is None
        and record.state is OverrideState.APPROVED
        and override.verdict is Verdict.ALLOW
    ):
        # Not recorded yet, but the current decision no longer supports it.
        current = store.decisions.current(override.account_id)
        bound = (
            None
            if override.decision_id is None
            else basis_of(store.decisions.get(override.decision_id))
        )
        if current is not None:
            reasons = lapse_reasons(bound, basis_of(current))
            if reasons:
                return replace(record, state=OverrideState.LAPSED, lapse_reasons=tuple(reasons))
    return record
