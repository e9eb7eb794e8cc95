"""Overrides: an analyst asks for a verdict on an account; another reviews it.

The store enforces the rules (one review per override, none after expiry, and allowing an
account needs an approver other than the requester); this service only adds reading
overrides back with their review and state.
"""

from __future__ import annotations

import datetime as dt

from ownergate.errors import InputError
from ownergate.service.verdict_cache import VerdictCache
from ownergate.service.verdicts import OverrideRecord, override_record
from ownergate.store import Database, ReviewOutcome, Verdict


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
    ) -> OverrideRecord:
        """Ask for ``verdict`` on the account until ``expires_at``; pending until reviewed."""
        try:
            expires_at.astimezone(dt.UTC)
        except OverflowError:
            raise InputError("is out of range in UTC", field="expires_at") from None
        with self._db.write() as store:
            override = store.overrides.request(
                account_id, verdict=verdict, reason=reason, expires_at=expires_at, actor=actor
            )
            return override_record(override, None)

    def approve(self, override_id: int, *, reason: str, actor: str) -> OverrideRecord:
        return self._review(override_id, ReviewOutcome.APPROVE, reason, actor)

    def reject(self, override_id: int, *, reason: str, actor: str) -> OverrideRecord:
        return self._review(override_id, ReviewOutcome.REJECT, reason, actor)

    def get(self, override_id: int) -> OverrideRecord:
        with self._db.read() as store:
            override = store.overrides.get(override_id)
            return override_record(override, store.overrides.review_of(override_id))

    def list_for(self, account_id: str) -> list[OverrideRecord]:
        """The account's overrides, newest first (NotFoundError without such an account)."""
        with self._db.read() as store:
            store.accounts.get(account_id)
            return [
                override_record(o, store.overrides.review_of(o.id))
                for o in store.overrides.list_for(account_id)
            ]

    def _review(
        self, override_id: int, outcome: ReviewOutcome, reason: str, actor: str
    ) -> OverrideRecord:
        with self._db.write() as store:
            review = store.overrides.review(
                override_id, outcome=outcome, reason=reason, actor=actor
            )
            record = override_record(store.overrides.get(override_id), review)
        if self._cache is not None:
            self._cache.forget(record.account_id)
        return record
