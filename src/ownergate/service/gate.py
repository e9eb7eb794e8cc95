"""The request gate: one verdict per request, from who the customer is (the account's
current verdict) and where the request comes from (IP country and anonymiser flags), under
the active policy's gate rules (``ownergate.policy.gate``).

It runs on every request the platform serves, so ``check_cached`` answers from memory only
(the verdict cache, the IP index, the active policy read at most every ``policy_ttl``
seconds, so an activation reaches the gate within that time) and returns None when it would
have to read the store or open the IP index; ``check`` may do both.
Verdicts other than ``allow`` go to the audit log durably (``GateAudit``: journalled and
fsynced before the verdict says ``audited``), a sample of the allows as best effort. A
verdict from ``check_cached`` that must be durable comes back ``audit=due``: the caller
passes it to ``finish`` off the event loop (it waits for an fsync) before replying.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ownergate.errors import IpAddressError
from ownergate.ipintel import IpInfo, IpIntel
from ownergate.policy.gate import Action, GateRule, Signals, evaluate, locale_country
from ownergate.policy.model import Policy
from ownergate.service.accounts import AccountService
from ownergate.service.deciding import UNVERIFIED, check_country
from ownergate.service.gate_audit import AuditState, GateAudit, new_audit_id
from ownergate.service.verdicts import EffectiveVerdict
from ownergate.store import ConflictError, Database, NotFoundError

UNKNOWN = "unknown"
log = logging.getLogger(__name__)


class _NotCached:
    """The account's verdict is not in memory."""


NOT_CACHED = _NotCached()


@dataclass(frozen=True, slots=True)
class GateRequest:
    """One request: the account it acts for (if known), the client IP, and what the request
    itself claims (declared country, locale, payment country)."""

    account_id: str | None
    ip: str | None  # None: the request has no IP address (a Unix socket)
    declared_country: str | None = None
    locale: str | None = None
    payment_country: str | None = None


@dataclass(frozen=True, slots=True)
class GateVerdict:
    action: Action
    reasons: tuple[GateRule, ...]
    request: GateRequest
    account_status: str
    account_flags: tuple[str, ...]
    decision_id: int | None
    override_id: int | None
    account_country: str | None
    ip: IpInfo | None
    claimed: tuple[str, ...]
    actor: str
    policy_version: int
    rules_version: int
    audit: AuditState
    audit_id: str | None = None

    @property
    def audited(self) -> bool:
        """On record in a way that survives a crash of this process."""
        return self.audit is AuditState.DURABLE

    def signals(self) -> dict[str, Any]:
        """What the verdict rests on, as the audit log and the API show it."""
        ip = self.ip
        return {
            "account_id": self.request.account_id,
            "account_status": self.account_status,
            "account_flags": list(self.account_flags),
            "decision_id": self.decision_id,
            "override_id": self.override_id,
            "account_country": self.account_country,
            "ip": None if ip is None else ip.ip,
            "ip_given": self.request.ip,
            "ip_country": None if ip is None else ip.country,
            "ip_country_source": None if ip is None else ip.country_source,
            "ip_country_sources": {}
            if ip is None
            else {a.source: a.country for a in ip.country_sources},
            "ip_flags": []
            if ip is None
            else [{"name": f.name, "source": f.source} for f in ip.flags],
            "asn": None if ip is None else ip.asn,
            "declared_country": self.request.declared_country,
            "locale": self.request.locale,
            "payment_country": self.request.payment_country,
            "claimed_countries": list(self.claimed),
        }

    def audit_payload(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id,
            "action": self.action.value,
            "reasons": [r.name for r in self.reasons],
            "policy_version": self.policy_version,
            "rules_version": self.rules_version,
            "signals": self.signals(),
        }


class GateService:
    def __init__(
        self,
        db: Database,
        accounts: AccountService,
        intel: Callable[[], IpIntel],
        *,
        audit: GateAudit | None = None,
        policy_ttl: float = 5.0,
        sample: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        on_close: Callable[[], None] | None = None,
        intel_version: Callable[[], object] | None = None,
        intel_recheck: float = 30.0,
    ) -> None:
        self._db = db
        self._accounts = accounts
        self._open_intel = intel
        self._intel: IpIntel | None = None
        # ``ip update`` in another process switches the data: looked for every
        # ``intel_recheck`` seconds, on the store-reading path.
        self._intel_version = intel_version
        self._intel_recheck = intel_recheck
        self._intel_seen: object = None
        self._intel_due = 0.0
        self._audit = audit
        self._policy_ttl = policy_ttl
        self._sample = sample
        self._clock = clock
        self._on_close = on_close
        self._policy: tuple[Policy, float] | None = None
        self._lock = threading.Lock()

    def check(self, request: GateRequest, *, actor: str) -> GateVerdict:
        """The verdict, reading the store for what memory does not hold, on record."""
        policy = self._active_policy(refresh=True)
        assert policy is not None
        self._follow_intel()
        verdict = self._account(request.account_id, cached_only=False)
        assert not isinstance(verdict, _NotCached)
        return self.finish(self._decide(request, policy, verdict, actor))

    def check_cached(self, request: GateRequest, *, actor: str) -> GateVerdict | None:
        """The verdict from memory alone, or None when the store must be read (call
        ``check`` then, off the event loop). A verdict with ``audit`` ``due`` must go
        through ``finish`` (off the event loop) before it is acted on."""
        policy = self._active_policy(refresh=False)
        if policy is None or self._intel is None:
            return None
        if self._intel_version is not None and self._clock() >= self._intel_due:
            return None
        verdict = self._account(request.account_id, cached_only=True)
        if isinstance(verdict, _NotCached):
            return None
        return self._decide(request, policy, verdict, actor)

    def _decide(
        self,
        request: GateRequest,
        policy: Policy,
        verdict: EffectiveVerdict | None,
        actor: str,
    ) -> GateVerdict:
        ip = None
        if request.ip is not None:
            try:
                ip = self.intel.lookup(request.ip)
            except IpAddressError as exc:
                raise IpAddressError(exc.message, field="ip") from None
        claimed = _claimed(request, verdict)
        status = UNKNOWN if verdict is None else verdict.effective_status.value
        flags: tuple[str, ...] = ()
        if verdict is not None and verdict.decision.entity_id is None:
            flags = (UNVERIFIED,)
        signals = Signals(
            account_status=status,
            account_flags=frozenset(flags),
            ip_country=None if ip is None else ip.country,
            ip_flags=frozenset(() if ip is None else ip.flag_names),
            claimed=frozenset(claimed),
        )
        outcome = evaluate(policy.gate, policy.region_set, signals)
        durable = outcome.action is not Action.ALLOW
        sampled = durable or self._sample() < policy.gate.sample_allows
        audited = self._audit is not None and sampled
        result = GateVerdict(
            action=outcome.action,
            reasons=outcome.matched,
            request=request,
            account_status=status,
            account_flags=flags,
            decision_id=None if verdict is None else verdict.decision.id,
            override_id=None
            if verdict is None or verdict.override is None
            else verdict.override.id,
            account_country=None if verdict is None else verdict.declared_country,
            ip=ip,
            claimed=tuple(sorted(claimed)),
            policy_version=policy.version,
            rules_version=outcome.rules_version,
            audit=AuditState.DUE if audited else AuditState.NONE,
            audit_id=new_audit_id() if audited else None,
            actor=actor,
        )
        if audited and not durable:  # a queue put: cheap enough for the event loop
            return self.finish(result)
        return result

    def finish(self, verdict: GateVerdict) -> GateVerdict:
        """Put a verdict that is due on record; blocks for an fsync when it must be
        durable (call it off the event loop)."""
        if verdict.audit is not AuditState.DUE or self._audit is None:
            return verdict
        state = self._audit.record(
            verdict.actor,
            verdict.request.account_id,
            verdict.audit_payload(),
            durable=verdict.action is not Action.ALLOW,
        )
        return replace(verdict, audit=state)

    @property
    def intel(self) -> IpIntel:
        """The IP index, opened on first use (compiling the bundled data the first time
        takes seconds: not on the request path of ``check_cached``)."""
        if self._intel is None:
            with self._lock:
                if self._intel is None:
                    self._intel = self._open_intel()
                    stale = ", ".join(
                        f"{s.name} ({s.age_days} days)" for s in self._intel.stale_sources()
                    )
                    if stale:
                        log.warning("the gate's IP data is older than configured: %s", stale)
        return self._intel

    def _follow_intel(self) -> None:
        """Reopens the IP index when its data was replaced since it was opened."""
        if self._intel_version is None or self._clock() < self._intel_due:
            return
        version = self._intel_version()
        with self._lock:
            self._intel_due = self._clock() + self._intel_recheck
            if self._intel is not None and version != self._intel_seen:
                self._intel = None
            self._intel_seen = version
        self.intel  # noqa: B018 - opens it again if it was dropped

    def _account(
        self, account_id: str | None, *, cached_only: bool
    ) -> EffectiveVerdict | None | _NotCached:
        """The account's verdict; None when it has none; NOT_CACHED when only the store
        knows."""
        if account_id is None:
            return None
        found = self._accounts.cached_verdict(account_id)
        if found is not None:
            return found
        if cached_only:
            return NOT_CACHED
        try:
            return self._accounts.verdict(account_id)
        except NotFoundError:
            return None

    def _active_policy(self, *, refresh: bool) -> Policy | None:
        with self._lock:
            held = self._policy
        if held is not None and self._clock() < held[1]:
            return held[0]
        if not refresh:
            return None
        with self._db.read() as store:
            try:
                policy = store.policies.active().policy()
            except NotFoundError:
                raise ConflictError("no policy is active: publish and activate a version") from None
        with self._lock:
            self._policy = (policy, self._clock() + self._policy_ttl)
        return policy

    def close(self) -> None:
        """Writes what the audit queue holds, then releases what ``on_close`` names."""
        if self._audit is not None:
            self._audit.close()
        if self._on_close is not None:
            self._on_close()


def _claimed(request: GateRequest, verdict: EffectiveVerdict | None) -> set[str]:
    claimed = set()
    for field, value in (
        ("declared_country", request.declared_country),
        ("payment_country", request.payment_country),
    ):
        if value is not None:
            claimed.add(check_country(value, field))
    if request.locale:
        country = locale_country(request.locale)
        if country is not None:
            claimed.add(country)
    if verdict is not None and verdict.declared_country:
        claimed.add(verdict.declared_country)
    return claimed
