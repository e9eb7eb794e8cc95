"""The current decisions of the stored customer base, a page at a time: each active
account's newest decision with its name, effective status (the override in force, if
any), flags and seed path. ``GET /v1/decisions`` and ``ownergate portfolio decisions``
read it; ``flag=unverified`` is the list of accounts found in no registry entity."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyarrow as pa

from ownergate.domain.model import Status
from ownergate.service.binding import effective_overrides
from ownergate.service.verdicts import DecisionRecord, decision_record
from ownergate.store import Database

PAGE = 1_000


@dataclass(frozen=True, slots=True)
class CurrentDecision:
    account_id: str
    organisation_name: str
    declared_country: str
    decision: DecisionRecord
    effective_status: Status
    override_id: int | None

    @property
    def chain(self) -> str:
        """The seed path as text, seed first ("CN1 → SG1 → acct entity")."""
        return " → ".join(self.decision.seed_path or ())


@dataclass(frozen=True, slots=True)
class DecisionPage:
    items: list[CurrentDecision]
    next_after: str | None


class DecisionListService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def page(
        self,
        *,
        after: str | None = None,
        limit: int = 100,
        status: Status | None = None,
        flag: str | None = None,
        effective: Status | None = None,
    ) -> DecisionPage:
        """Accounts in id order after ``after`` whose current decision has ``status``, carries
        ``flag`` and whose effective status is ``effective`` (each when given)."""
        items: list[CurrentDecision] = []
        cursor = after
        while len(items) < limit:
            with self._db.read() as store:
                rows = store.decisions.current_page(after=cursor, limit=max(limit, PAGE))
                if not rows:
                    cursor = None
                    break
                records = {a.id: (a, decision_record(d)) for a, d in rows}
                in_force = effective_overrides(
                    store, {k: r.basis() for k, (_a, r) in records.items()}
                )
            for account_id, (account, record) in records.items():
                cursor = account_id
                found = in_force.get(account_id)
                item = CurrentDecision(
                    account_id,
                    account.organisation_name,
                    account.declared_country,
                    record,
                    record.status if found is None else found.status,
                    None if found is None else found.override_id,
                )
                if _keep(item, status, flag, effective):
                    items.append(item)
                    if len(items) == limit:
                        break
            if len(rows) < max(limit, PAGE) and len(items) < limit:
                cursor = None
                break
        return DecisionPage(items, cursor if len(items) == limit else None)

    def all(
        self, *, status: Status | None = None, flag: str | None = None
    ) -> Iterator[CurrentDecision]:
        after: str | None = None
        while True:
            page = self.page(after=after, limit=PAGE, status=status, flag=flag)
            yield from page.items
            if page.next_after is None:
                return
            after = page.next_after


def _keep(
    item: CurrentDecision, status: Status | None, flag: str | None, effective: Status | None
) -> bool:
    return (
        (status is None or item.decision.status is status)
        and (flag is None or flag in item.decision.flags)
        and (effective is None or item.effective_status is effective)
    )


EXPORT_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("organisation_name", pa.string()),
        ("declared_country", pa.string()),
        ("status", pa.string()),
        ("effective_status", pa.string()),
        ("override_id", pa.int64()),
        ("reason", pa.string()),
        ("flags", pa.string()),
        ("share_min", pa.float64()),
        ("share_max", pa.float64()),
        ("entity_id", pa.string()),
        ("chain", pa.string()),
        ("decision_id", pa.int64()),
        ("policy_version", pa.int64()),
        ("snapshot_digest", pa.string()),
        ("computed_at", pa.string()),
    ]
)


def decisions_table(items: Iterable[CurrentDecision]) -> pa.Table:
    """Current decisions as one flat table (flags joined with ``;``)."""
    rows = [
        {
            "account_id": i.account_id,
            "organisation_name": i.organisation_name,
            "declared_country": i.declared_country,
            "status": i.decision.status.value,
            "effective_status": i.effective_status.value,
            "override_id": i.override_id,
            "reason": i.decision.reason.value,
            "flags": ";".join(i.decision.flags),
            "share_min": i.decision.share_min,
            "share_max": i.decision.share_max,
            "entity_id": i.decision.entity_id,
            "chain": i.chain,
            "decision_id": i.decision.id,
            "policy_version": i.decision.policy_version,
            "snapshot_digest": i.decision.snapshot_digest,
            "computed_at": i.decision.computed_at.isoformat(),
        }
        for i in items
    ]
    return pa.Table.from_pylist(rows, schema=EXPORT_SCHEMA)
