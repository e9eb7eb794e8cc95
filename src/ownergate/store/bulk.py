"""Bulk writes for whole-base screening: many accounts and decisions per transaction.

The same rules as the one-at-a-time repositories (a decision supersedes the account's
current one, every row gets its audit entry with its state), but with one audit lock,
a few statements per batch and no ORM objects: a screen writes hundreds of thousands.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.orm import Session

from ownergate.errors import InputError, shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import Account, AccountStatus, Decision, PolicyVersion
from ownergate.store.states import evidence_digest
from ownergate.store.types import utcnow

BATCH = 2_000
_ACCOUNTS = cast(Table, Account.__table__)
_DECISIONS = cast(Table, Decision.__table__)

# What makes two decisions on an account the same decision (as ``service.accounts``):
# status, reason, shares, entity, policy version, snapshot, flags and seed path.
OutcomeKey = tuple[
    str, str, float, float, str | None, int, str | None, tuple[str, ...] | None,
    tuple[str, ...] | None,
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class NewDecision:
    account_id: str
    entity_id: str | None
    status: str
    reason: str
    share_min: float
    share_max: float
    method: str
    evidence: dict[str, Any]
    computed_at: dt.datetime
    flags: tuple[str, ...] = ()
    seed_path: tuple[str, ...] = ()

    def key(self, policy_version: int, snapshot_digest: str | None) -> OutcomeKey:
        return (
            self.status,
            self.reason,
            self.share_min,
            self.share_max,
            self.entity_id,
            policy_version,
            snapshot_digest,
            self.flags,
            self.seed_path,
        )


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: str
    organisation_name: str
    declared_country: str
    entity_id: str | None = None
    lei: str | None = None
    annual_revenue: Decimal | None = None
    revenue_currency: str | None = None
    parent_country: str | None = None


class BulkWriter:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def current(self, account_ids: Sequence[str]) -> dict[str, tuple[int, OutcomeKey]]:
        """Each account's current decision id and outcome (accounts never decided absent)."""
        found: dict[str, tuple[int, OutcomeKey]] = {}
        for start in range(0, len(account_ids), BATCH):
            part = list(account_ids[start : start + BATCH])
            newest = (
                select(func.max(Decision.id))
                .where(Decision.account_id.in_(part))
                .group_by(Decision.account_id)
            )
            query = select(
                Decision.account_id,
                Decision.id,
                Decision.status,
                Decision.reason,
                Decision.share_min,
                Decision.share_max,
                Decision.entity_id,
                Decision.policy_version,
                Decision.snapshot_digest,
                Decision.flags,
                Decision.seed_path,
            ).where(Decision.id.in_(newest))
            for row in self.session.execute(query):
                (account_id, decision_id, status, reason, low, high, entity, version, digest,
                 flags, path) = row  # fmt: skip
                key: OutcomeKey = (
                    str(status),
                    str(reason),
                    float(low),
                    float(high),
                    entity,
                    int(version),
                    digest,
                    None if flags is None else tuple(flags),
                    None if path is None else tuple(path),
                )
                found[account_id] = (decision_id, key)
        return found

    def append_decisions(
        self,
        rows: Sequence[NewDecision],
        *,
        policy_version: int,
        snapshot_digest: str | None,
        actor: str,
    ) -> list[int]:
        """Append a decision per row (each superseding its account's current one), with
        their audit rows; returns the new decision ids in order."""
        if not rows:
            return []
        with self._audit.writing(actor):
            policy = self.session.get(PolicyVersion, policy_version)
            if policy is None or not policy.published:
                raise ConflictError(f"policy version {policy_version} is not published")
            ids = [r.account_id for r in rows]
            if len(set(ids)) != len(ids):
                raise ConflictError("an account appears twice in one batch of decisions")
            current = self.current(ids)
            missing = self._missing_accounts(ids)
            if missing:
                raise NotFoundError(f"no account {shown(missing[0])} (and {len(missing) - 1} more)")
            now = utcnow()
            values = [
                {
                    "account_id": r.account_id,
                    "entity_id": r.entity_id,
                    "status": r.status,
                    "reason": r.reason,
                    "share_min": r.share_min,
                    "share_max": r.share_max,
                    "method": r.method,
                    "evidence": r.evidence,
                    "policy_version": policy_version,
                    "snapshot_digest": snapshot_digest,
                    "computed_at": r.computed_at,
                    "recorded_at": now,
                    "supersedes": current[r.account_id][0] if r.account_id in current else None,
                    "flags": list(r.flags),
                    "seed_path": list(r.seed_path),
                }
                for r in rows
            ]
            # No RETURNING (SQLite would insert row by row to keep the order): the writers'
            # turn is held, so the rows above the highest id before are exactly these.
            before = self.session.scalar(select(func.max(Decision.id))) or 0
            self.session.execute(insert(_DECISIONS), values)
            query = select(Decision.account_id, Decision.id).where(Decision.id > before)
            assigned: dict[str, int] = {}
            for account, number in self.session.execute(query):
                assigned[account] = number
            if len(assigned) != len(values):
                raise ConflictError("decisions were written meanwhile outside the writers' turn")
            new_ids = [assigned[r.account_id] for r in rows]
            audit = []
            for decision_id, value, row in zip(new_ids, values, rows, strict=True):
                state = {k: v for k, v in value.items() if k != "evidence"}
                state["id"] = decision_id
                state["evidence_sha256"] = evidence_digest(row.evidence)
                audit.append((actor, "decision.append", "decision", decision_id, state))
            self._audit.append_many(audit)
        return new_ids

    def write_accounts(self, rows: Sequence[AccountRow], *, actor: str) -> tuple[int, int]:
        """Create the accounts that are new and replace those whose fields changed (active
        status); returns (created, updated). Unchanged accounts are left alone."""
        created = updated = 0
        with self._audit.writing(actor):
            for start in range(0, len(rows), BATCH):
                part = rows[start : start + BATCH]
                c, u = self._write_accounts(part, actor)
                created, updated = created + c, updated + u
        return created, updated

    def _write_accounts(self, rows: Sequence[AccountRow], actor: str) -> tuple[int, int]:
        wanted = {r.id: _checked(r) for r in rows}
        if len(wanted) != len(rows):
            raise ConflictError("an account id appears twice in one batch")
        stored = {
            a.id: a
            for a in self.session.scalars(
                select(Account).where(Account.id.in_(list(wanted))),
                execution_options={"populate_existing": True},
            )
        }
        now = utcnow()
        new_rows, changed, audit = [], [], []
        for account_id, values in wanted.items():
            old = stored.get(account_id)
            if old is None:
                row = {"id": account_id, "created_at": now, "updated_at": now, **values}
                new_rows.append(row)
                audit.append((actor, "account.create", "account", account_id, row))
            elif any(_differs(getattr(old, k), v) for k, v in values.items()):
                row = {"id": account_id, "created_at": old.created_at, "updated_at": now, **values}
                changed.append(row)
                audit.append((actor, "account.update", "account", account_id, row))
        if new_rows:
            self.session.execute(insert(_ACCOUNTS), new_rows)
        for row in changed:
            fields = {k: v for k, v in row.items() if k not in ("id", "created_at")}
            self.session.execute(update(Account).where(Account.id == row["id"]).values(**fields))
        self._audit.append_many(audit)
        return len(new_rows), len(changed)

    def _missing_accounts(self, ids: list[str]) -> list[str]:
        present: set[str] = set()
        for start in range(0, len(ids), BATCH):
            part = ids[start : start + BATCH]
            present.update(self.session.scalars(select(Account.id).where(Account.id.in_(part))))
        return [i for i in ids if i not in present]


def _checked(row: AccountRow) -> dict[str, Any]:
    try:
        return _account_values(row)
    except InputError as exc:
        raise InputError(exc.message, record=f"account {shown(row.id)}", field=exc.field) from None


def _account_values(row: AccountRow) -> dict[str, Any]:
    checks.text(row.id, "account_id", 200)
    if (row.annual_revenue is None) != (row.revenue_currency is None):
        raise ConflictError(
            f"account {shown(row.id)}: give both or neither of annual_revenue and revenue_currency"
        )
    return {
        "organisation_name": checks.text(row.organisation_name, "organisation_name", 500),
        "declared_country": checks.country(row.declared_country, "declared_country"),
        "entity_id": None
        if row.entity_id is None
        else checks.text(row.entity_id, "entity_id", 200),
        "lei": None if row.lei is None else checks.lei(row.lei),
        "annual_revenue": None
        if row.annual_revenue is None
        else checks.revenue(row.annual_revenue),
        "revenue_currency": (
            None if row.revenue_currency is None else checks.currency(row.revenue_currency)
        ),
        "status": AccountStatus.ACTIVE,
        "parent_country": None
        if row.parent_country is None
        else checks.country(row.parent_country, "parent_country"),
    }


def _differs(stored: Any, new: Any) -> bool:
    if isinstance(stored, Decimal) and isinstance(new, Decimal):
        return stored.as_tuple() != new.as_tuple()
    return bool(stored != new)
