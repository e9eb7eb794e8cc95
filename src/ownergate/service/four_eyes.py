"""The two-person rule on the data a decision rests on.

Lifting a restriction by override needs a second principal (``store.overrides``); so does
lifting it by rewriting the account or answering its entity link. A write whose decision
would move the account's current decision from ``restricted`` to ``allowed`` or
``review`` is held as a pending change (``store.pending``) instead of applied. Like an
override, the change is bound to the evidence it was asked on: ``base`` fingerprints the
account row, its current decision, its link and the active policy and snapshot, and an
approval must find the same fingerprint and decide the same status the requester was
shown; otherwise it is refused (409) and the change must be asked again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ownergate.domain.model import Status
from ownergate.service.deciding import Decided
from ownergate.service.pairs import Pair
from ownergate.store import ConflictError, Repositories, ReviewOutcome
from ownergate.store.audit import canonical
from ownergate.store.states import account_state

RESTRICTED = Status.RESTRICTED.value


@dataclass(frozen=True, slots=True)
class Approval:
    """A pending change being applied: its id, who approves it and why."""

    change_id: int
    reviewer: str
    reason: str


def held_from(store: Repositories, account_id: str, decided: Decided) -> str | None:
    """The account's current status when ``decided`` would lift its restriction (and the
    write must wait for a second principal); None when the write may apply at once."""
    current = store.bulk.current([account_id]).get(account_id)
    if current is None or current[1][0] != RESTRICTED:
        return None
    return None if decided.status == RESTRICTED else RESTRICTED


def approve(store: Repositories, approval: Approval, decided: Decided) -> None:
    """Record ``approval`` of its change, whose write decided ``decided`` now, in the
    caller's transaction: refused for the requester, when the account, its decision, its
    link or the active pair changed, and when the write no longer decides the status the
    change was requested for."""
    pending = store.pending.get(approval.change_id)
    store.pending.review(
        approval.change_id,
        outcome=ReviewOutcome.APPROVE,
        reason=approval.reason,
        actor=approval.reviewer,
        base=change_base(store, pending.account_id, decided.pair),
    )
    if decided.status.value != pending.to_status:
        raise ConflictError(
            f"change {approval.change_id} was requested to move the account to "
            f"{pending.to_status}; applied now it decides {decided.status.value}: reject "
            "it, and request the change again if it still holds"
        )


def change_base(store: Repositories, account_id: str, pair: Pair) -> dict[str, Any]:
    """The fingerprint of the account, its current decision, its link and the pair a
    write is decided under."""
    account = store.accounts.get(account_id)
    current = store.bulk.current([account_id]).get(account_id)
    link = store.links.get(account_id)
    link_state = None
    if link is not None:
        link_state = {c.key: getattr(link, c.key) for c in link.__table__.columns}
    return {
        "account": _digest(account_state(account)),
        "decision": None if current is None else current[0],
        "link": None if link_state is None else _digest(link_state),
        "pair": [pair.policy_version, pair.snapshot_digest],
    }


def _digest(state: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(state).encode("utf-8")).hexdigest()
