"""Accounts: stored as the platform sends them, and decided under the active pair.

Writing an account decides it, and a decision is appended only when its outcome differs
from the account's current one (status, reason, shares, entity, policy version or snapshot):
a new decision supersedes, nothing is updated. ``redecide`` does the same for a stored
account, after a policy or snapshot change.

Deciding can take seconds (the first decision under a new pair loads its snapshot), so it
happens before the write transaction. The transaction then takes the writers' turn and
checks the pair and the account are still the ones decided on; if either changed meanwhile,
the decision is made again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ownergate.service.binding import basis_of, lapse_overrides
from ownergate.service.deciding import Decided, Subject, check_country, decide
from ownergate.service.four_eyes import Approval, approve, change_base, held_from
from ownergate.service.pairs import Deciders, Pair, active_pair, utcnow
from ownergate.service.verdict_cache import VerdictCache
from ownergate.service.verdicts import (
    DecisionRecord,
    EffectiveVerdict,
    current_verdict,
    decision_history,
)
from ownergate.store import (
    Account,
    AccountStatus,
    ChangeKind,
    ConflictError,
    Database,
    LinkOutcome,
    PendingChange,
    Repositories,
)
from ownergate.store.links import link_applies

ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class AccountFields:
    """Everything a PUT replaces."""

    organisation_name: str
    declared_country: str
    registry_entity_id: str | None = None
    lei: str | None = None
    annual_revenue: Decimal | None = None
    revenue_currency: str | None = None
    status: AccountStatus = AccountStatus.ACTIVE
    parent_country: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The write as a pending change keeps it (the revenue as decimal text)."""
        revenue = self.annual_revenue
        return {
            "organisation_name": self.organisation_name,
            "declared_country": self.declared_country,
            "registry_entity_id": self.registry_entity_id,
            "lei": self.lei,
            "annual_revenue": None if revenue is None else format(revenue, "f"),
            "revenue_currency": self.revenue_currency,
            "status": self.status.value,
            "parent_country": self.parent_country,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AccountFields:
        revenue = data.get("annual_revenue")
        return cls(
            organisation_name=data["organisation_name"],
            declared_country=data["declared_country"],
            registry_entity_id=data.get("registry_entity_id"),
            lei=data.get("lei"),
            annual_revenue=None if revenue is None else Decimal(revenue),
            revenue_currency=data.get("revenue_currency"),
            status=AccountStatus(data.get("status", AccountStatus.ACTIVE.value)),
            parent_country=data.get("parent_country"),
        )


@dataclass(frozen=True, slots=True)
class AccountDecision:
    """An account after a write or a re-decision, and its verdict; ``new_decision`` says
    whether a decision was appended. ``pending``: the write would have lifted the account's
    restriction, so it was held for a second principal and nothing changed."""

    account: Account
    created: bool
    verdict: EffectiveVerdict
    new_decision: bool
    pending: PendingChange | None = None


class _Stale(Exception):
    """The pair or the account changed between deciding and writing."""


class AccountService:
    def __init__(self, db: Database, deciders: Deciders, cache: VerdictCache | None = None) -> None:
        self._db = db
        self._deciders = deciders
        self._cache = cache

    def put(
        self,
        account_id: str,
        fields: AccountFields,
        *,
        actor: str,
        approval: Approval | None = None,
    ) -> AccountDecision:
        """Create or replace the account, decide it, and append the decision if it changed.
        A write that would lift the account's restriction is held as a pending change
        (``four_eyes``) unless it is that change's ``approval``, applied here."""
        check_country(fields.declared_country, "declared_country")
        if fields.parent_country is not None:
            check_country(fields.parent_country, "parent_country")
        subject = Subject(
            fields.organisation_name,
            fields.declared_country,
            fields.registry_entity_id,
            fields.lei,
            fields.parent_country,
        )
        for _attempt in range(ATTEMPTS):
            with self._db.read() as store:
                pair = active_pair(store)
                linked = link_in_force(store, account_id, subject)
            decided = decide_now(self._deciders, pair, subject, linked)
            try:
                with self._db.write() as store:
                    store.audit.lock()
                    if (
                        active_pair(store) != decided.pair
                        or link_in_force(store, account_id, subject) != linked
                    ):
                        raise _Stale
                    if approval is not None:
                        approve(store, approval, decided)
                    elif (held := held_from(store, account_id, decided)) is not None:
                        change = store.pending.request(
                            account_id,
                            kind=ChangeKind.ACCOUNT,
                            change=fields.as_json(),
                            base=change_base(store, account_id, decided.pair),
                            from_status=held,
                            to_status=decided.status,
                            actor=actor,
                        )
                        verdict = current_verdict(store, account_id)
                        account = store.accounts.get(account_id)
                        return AccountDecision(account, False, verdict, False, pending=change)
                    account, created = store.accounts.upsert(
                        account_id,
                        organisation_name=fields.organisation_name,
                        declared_country=fields.declared_country,
                        entity_id=fields.registry_entity_id or _identified(decided),
                        lei=fields.lei,
                        annual_revenue=fields.annual_revenue,
                        revenue_currency=fields.revenue_currency,
                        status=fields.status,
                        parent_country=fields.parent_country,
                        actor=actor,
                    )
                    new = record(store, account_id, decided, actor)
                    verdict = current_verdict(store, account_id)
            except _Stale:
                continue
            self.written(account_id, new)
            return AccountDecision(account, created, verdict, new)
        raise ConflictError("the active policy or snapshot kept changing meanwhile: try again")

    def redecide(self, account_id: str, *, actor: str) -> AccountDecision:
        """Decide a stored account again under the active pair."""
        for _attempt in range(ATTEMPTS):
            with self._db.read() as store:
                account = store.accounts.get(account_id)
                subject = subject_of(account)
                pair = active_pair(store)
                linked = link_in_force(store, account_id, subject)
            decided = decide_now(self._deciders, pair, subject, linked)
            try:
                with self._db.write() as store:
                    store.audit.lock()
                    account = store.accounts.get(account_id)
                    if (
                        active_pair(store) != decided.pair
                        or subject_of(account) != subject
                        or link_in_force(store, account_id, subject) != linked
                    ):
                        raise _Stale
                    identified = _identified(decided)
                    if account.entity_id is None and identified is not None:
                        account = store.accounts.set_entity(account_id, identified, actor=actor)
                    new = record(store, account_id, decided, actor)
                    verdict = current_verdict(store, account_id)
            except _Stale:
                continue
            self.written(account_id, new)
            return AccountDecision(account, False, verdict, new)
        raise ConflictError("the account or the active pair kept changing meanwhile: try again")

    def get(self, account_id: str) -> Account:
        with self._db.read() as store:
            return store.accounts.get(account_id)

    def verdict(self, account_id: str, *, evidence: bool = False) -> EffectiveVerdict:
        """The current decision and the override in force (cheap: no decider runs;
        without evidence, served from the verdict cache when it holds the account)."""
        cache = None if evidence else self._cache
        if cache is None:
            with self._db.read() as store:
                return current_verdict(store, account_id, evidence=evidence)
        found = cache.get(account_id)
        if found is not None:
            return found
        token = cache.token()
        with self._db.read() as store:
            found = current_verdict(store, account_id)
        cache.put(found, token)
        return found

    def cached_verdict(self, account_id: str) -> EffectiveVerdict | None:
        """The verdict if the cache holds it (no store transaction), else None."""
        return None if self._cache is None else self._cache.get(account_id)

    def history(
        self, account_id: str, *, before: int | None = None, limit: int = 50
    ) -> list[DecisionRecord]:
        """The account's decisions, newest first; ``before`` is a decision id to page back."""
        with self._db.read() as store:
            return decision_history(store, account_id, before=before, limit=limit)

    def written(self, account_id: str, new_decision: bool) -> None:
        """Drop the account's cached verdict when a decision was appended for it."""
        if new_decision and self._cache is not None:
            self._cache.forget(account_id)


# The entity a stored link names (None: not linked) and the candidates a pending one waits on.
LinkInForce = tuple[str | None, tuple[str, ...]]
NO_LINK: LinkInForce = (None, ())


def decide_now(
    deciders: Deciders, pair: Pair, subject: Subject, linked: LinkInForce = NO_LINK
) -> Decided:
    """The subject's decision under ``pair`` as of today (UTC)."""
    entity, candidates = linked
    return decide(
        deciders.get(pair), pair, subject, utcnow().date(), linked=entity, candidates=candidates
    )


def link_in_force(store: Repositories, account_id: str, subject: Subject) -> LinkInForce:
    """The entity the account's stored link names, or the candidates a link waiting for
    review names, if the link still applies to ``subject`` (``store.links.link_applies``)."""
    link = store.links.get(account_id)
    if link is None or not link_applies(link, subject.name, subject.country):
        return NO_LINK
    if link.entity_id is not None:
        return (link.entity_id, ())
    if link.outcome is LinkOutcome.REVIEW:
        return (None, tuple(str(c.get("entity_id")) for c in link.candidates))
    return NO_LINK


def _identified(decided: Decided) -> str | None:
    """The entity an account's own identifiers name (kept on the account), not one a
    name link found (that stays a link an analyst can still reject)."""
    return None if decided.resolved_by == "link" else decided.entity_id


def subject_of(account: Account) -> Subject:
    return Subject(
        account.organisation_name,
        account.declared_country,
        account.entity_id,
        account.lei,
        account.parent_country,
    )


def record(store: Repositories, account_id: str, decided: Decided, actor: str) -> bool:
    """Append ``decided`` unless the account's current decision has the same outcome;
    an allow override it is worse than, or rests on other evidence than, lapses."""
    current = store.bulk.current([account_id]).get(account_id)
    if current is not None and current[1] == decided.outcome():
        return False
    appended = store.decisions.append(
        account_id,
        status=decided.status,
        reason=decided.reason,
        share_min=decided.share_min,
        share_max=decided.share_max,
        method=decided.method,
        evidence=decided.evidence,
        policy_version=decided.pair.policy_version,
        snapshot_digest=decided.pair.snapshot_digest,
        entity_id=decided.entity_id,
        computed_at=_computed_at(decided),
        flags=list(decided.flags),
        seed_path=list(decided.seed_path),
        actor=actor,
    )
    lapse_overrides(store, [basis_of(appended)], actor)
    return True


def _computed_at(decided: Decided) -> dt.datetime:
    # The moment of recording, unless the day turned since the decision was made: replay
    # recomputes as of computed_at's date, which must be the day decided on.
    now = utcnow()
    if now.date() == decided.as_of:
        return now
    return dt.datetime.combine(decided.as_of, dt.time.max, tzinfo=dt.UTC)
