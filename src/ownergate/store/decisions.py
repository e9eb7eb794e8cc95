"""Decisions: appended, never changed. The newest decision of an account is its current one
and names the one it supersedes, so an account's history is a chain (a unique key keeps it
from forking). Each decision pins the policy version and snapshot it was computed under."""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer

from ownergate.domain.model import Reason, Status
from ownergate.errors import InputError, shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import (
    Account,
    AccountStatus,
    Decision,
    PolicyVersion,
    RegisteredSnapshot,
)
from ownergate.store.states import decision_state
from ownergate.store.types import utcnow

METHODS = ("control", "effective")


class DecisionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def append(
        self,
        account_id: str,
        *,
        status: Status | str,
        reason: Reason | str,
        share_min: float,
        share_max: float,
        method: str,
        evidence: dict[str, Any],
        policy_version: int,
        actor: str,
        entity_id: str | None = None,
        snapshot_digest: str | None = None,
        computed_at: dt.datetime | None = None,
        flags: list[str] | None = None,
        seed_path: list[str] | None = None,
    ) -> Decision:
        """Store a new decision for the account; it supersedes the current one.

        The policy version must be published and the snapshot (when given) registered.
        ``computed_at`` defaults to now.
        """
        low, high = _share(share_min, "share_min"), _share(share_max, "share_max")
        if low > high:
            raise InputError("is greater than share_max", field="share_min")
        values = {
            "status": checks.choice(Status, status, "status"),
            "reason": checks.choice(Reason, reason, "reason"),
            "share_min": low,
            "share_max": high,
            "method": _method(method),
            "evidence": _evidence(evidence),
            "entity_id": None if entity_id is None else checks.text(entity_id, "entity_id", 200),
            # None: not recorded (readers derive ``unverified`` from the missing entity).
            "flags": None if flags is None else list(flags),
            "seed_path": None if seed_path is None else list(seed_path),
        }
        when = None if computed_at is None else checks.aware(computed_at, "computed_at")
        with self._audit.writing(actor):
            if self.session.get(Account, account_id) is None:
                raise NotFoundError(f"no account {shown(account_id)}")
            policy = self.session.get(PolicyVersion, policy_version)
            if policy is None:
                raise NotFoundError(f"no policy version {policy_version}")
            if not policy.published:
                raise ConflictError(f"policy version {policy_version} is a draft")
            if snapshot_digest is not None:
                if self.session.get(RegisteredSnapshot, snapshot_digest) is None:
                    raise NotFoundError(f"no snapshot {shown(snapshot_digest)} is registered")
            previous = self.current(account_id)
            now = utcnow()
            decision = Decision(
                account_id=account_id,
                policy_version=policy_version,
                snapshot_digest=snapshot_digest,
                computed_at=when or now,
                recorded_at=now,
                supersedes=None if previous is None else previous.id,
                **values,
            )
            self.session.add(decision)
            self.session.flush()
            self._audit.append(
                actor, "decision.append", "decision", decision.id, decision_state(decision)
            )
        return decision

    def current(self, account_id: str) -> Decision | None:
        """The account's newest decision, or None when it was never decided."""
        query = (
            select(Decision)
            .where(Decision.account_id == account_id)
            .order_by(Decision.id.desc())
            .limit(1)
        )
        return self.session.scalars(query).first()

    def history(
        self, account_id: str, *, before: int | None = None, limit: int = 100
    ) -> list[Decision]:
        """The account's decisions, newest first; ``before`` (a decision id) pages back."""
        query = select(Decision).where(Decision.account_id == account_id)
        if before is not None:
            query = query.where(Decision.id < before)
        return list(self.session.scalars(query.order_by(Decision.id.desc()).limit(limit)))

    def current_page(
        self, *, after: str | None = None, limit: int = 1000
    ) -> list[tuple[Account, Decision]]:
        """Active accounts with a decision, in id order after ``after``, each with its
        newest decision (evidence not loaded)."""
        latest = select(Decision.account_id, func.max(Decision.id).label("id"))
        if after is not None:
            latest = latest.where(Decision.account_id > after)
        newest = latest.group_by(Decision.account_id).subquery()
        query = (
            select(Account, Decision)
            .join(newest, newest.c.account_id == Account.id)
            .join(Decision, Decision.id == newest.c.id)
            .where(Account.status == AccountStatus.ACTIVE)
            .options(defer(Decision.evidence))
            .order_by(Account.id)
            .limit(limit)
        )
        return [(a, d) for a, d in self.session.execute(query)]

    def get(self, decision_id: int) -> Decision:
        decision = self.session.get(Decision, decision_id)
        if decision is None:
            raise NotFoundError(f"no decision {decision_id}")
        return decision


def _share(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError("must be a finite number", field=field)
    if value < 0:
        raise InputError("must not be negative", field=field)
    return float(value)


def _method(value: Any) -> str:
    if value not in METHODS:
        raise InputError(f"{shown(value)} is not one of {', '.join(METHODS)}", field="method")
    return str(value)


def _evidence(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError("must be a JSON object", field="evidence")
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise InputError(f"is not JSON: {exc}", field="evidence") from None
    return value
