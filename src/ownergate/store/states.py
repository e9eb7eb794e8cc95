"""What the audit log records of each object: its whole state after the write.

Every write's audit payload is ``state(object)`` taken right after it, so the newest audit
row of an object says what its database row must hold now; ``verify_records`` compares
the two. A decision's evidence is recorded by its SHA-256, an API key by the hash of its
secret (never the secret).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from ownergate.store.audit import canonical
from ownergate.store.models import (
    Account,
    ApiKey,
    Base,
    ChangeReview,
    Decision,
    LinkReview,
    Override,
    OverrideLapse,
    OverrideReview,
    PendingChange,
    PolicyActivation,
    PolicyVersion,
    RegisteredSnapshot,
    SnapshotActivation,
)


def evidence_digest(evidence: dict[str, Any]) -> str:
    """SHA-256 of an evidence document's canonical JSON."""
    return hashlib.sha256(canonical(evidence).encode("utf-8")).hexdigest()


# Columns added after rows were first audited: left out of a state while NULL, so that the
# rows written before them still match their audit entries.
_LATER = frozenset({"parent_country", "flags", "seed_path", "decision_id"})


def _columns(row: Base, *skip: str) -> dict[str, Any]:
    return {
        c.key: value
        for c in row.__table__.columns
        if c.key not in skip and not ((value := getattr(row, c.key)) is None and c.key in _LATER)
    }


def account_state(account: Account) -> dict[str, Any]:
    return _columns(account)


def policy_state(policy: PolicyVersion) -> dict[str, Any]:
    return _columns(policy)


def activation_state(activation: PolicyActivation | SnapshotActivation) -> dict[str, Any]:
    return _columns(activation)


def snapshot_state(snapshot: RegisteredSnapshot) -> dict[str, Any]:
    return _columns(snapshot)


def decision_state(decision: Decision) -> dict[str, Any]:
    state = _columns(decision, "evidence")
    state["evidence_sha256"] = evidence_digest(decision.evidence)
    return state


def override_state(override: Override, review: OverrideReview | None) -> dict[str, Any]:
    state = _columns(override)
    state["review"] = None if review is None else _columns(review, "override_id")
    return state


def pending_change_state(change: PendingChange, review: ChangeReview | None) -> dict[str, Any]:
    state = _columns(change)
    state["review"] = None if review is None else _columns(review, "change_id")
    return state


def api_key_state(key: ApiKey) -> dict[str, Any]:
    return _columns(key)


# object_type of the audit rows -> (model, function giving the state of one row)
STATES: dict[str, tuple[type[Base], Callable[[Any], dict[str, Any]]]] = {
    "account": (Account, account_state),
    "policy": (PolicyVersion, policy_state),
    "policy_activation": (PolicyActivation, activation_state),
    "snapshot": (RegisteredSnapshot, snapshot_state),
    "snapshot_activation": (SnapshotActivation, activation_state),
    "decision": (Decision, decision_state),
    "api_key": (ApiKey, api_key_state),
}


def link_review_state(review: LinkReview) -> dict[str, Any]:
    return _columns(review)


STATES["link_review"] = (LinkReview, link_review_state)


def override_lapse_state(lapse: OverrideLapse) -> dict[str, Any]:
    return _columns(lapse)


STATES["override_lapse"] = (OverrideLapse, override_lapse_state)
