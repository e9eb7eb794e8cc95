"""Decisions: appended with their evidence, pinned to a policy version and a snapshot; each
new one supersedes the last, and the evidence still verifies after the round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergate.domain.model import Reason, Status
from ownergate.errors import InputError
from ownergate.explain import verify
from ownergate.store import ConflictError, Database, NotFoundError
from tests.integration.store.sample import evidence, record, save_snapshot


@pytest.fixture
def snapshot_digest(db: Database, tmp_path: Path) -> str:
    snapshot = save_snapshot(tmp_path / "snapshots")
    with db.write() as store:
        store.accounts.upsert("acct", organisation_name="Lion City Pte", declared_country="SG",
                              actor="admin")  # fmt: skip
        registered = store.snapshots.register(snapshot.name, snapshot.manifest, actor="admin")
        store.snapshots.activate(registered.digest, actor="admin")
    assert registered.digest == snapshot.digest
    return snapshot.digest


def test_append_current_history_get(db: Database, snapshot_digest: str) -> None:
    with db.read() as store:
        assert store.decisions.current("acct") is None
        assert store.decisions.history("acct") == []
    with db.write() as store:
        first = record(store, "acct", "SGS", digest=snapshot_digest)
    with db.write() as store:
        second = record(store, "acct", "FRX", digest=snapshot_digest)
    assert first.supersedes is None and second.supersedes == first.id
    with db.read() as store:
        current = store.decisions.current("acct")
        assert current is not None and current.id == second.id
        assert [d.id for d in store.decisions.history("acct")] == [second.id, first.id]
        assert [d.id for d in store.decisions.history("acct", before=second.id)] == [first.id]
        stored = store.decisions.get(first.id)
        assert (stored.status, stored.reason) == (Status.RESTRICTED, Reason.OWNERSHIP)
        assert stored.policy_version == 1 and stored.snapshot_digest == snapshot_digest
        assert stored.evidence == evidence("SGS")
        assert verify(stored.evidence).ok
        (audit,) = store.audit.entries(object_type="decision", object_id=str(first.id))
        assert audit.action == "decision.append" and audit.actor == "key:service"
        with pytest.raises(NotFoundError):
            store.decisions.get(first.id + 100)


def test_a_decision_must_rest_on_known_things(db: Database, snapshot_digest: str) -> None:
    with db.write() as store:
        draft = store.policies.create_draft('name = "draft"', actor="admin").version
    doc = evidence("SGS")
    base = {
        "status": "restricted",
        "reason": "ownership",
        "share_min": 0.6,
        "share_max": 0.6,
        "method": "control",
        "evidence": doc,
        "policy_version": 1,
        "snapshot_digest": snapshot_digest,
        "actor": "svc",
    }
    refused = [
        ("nobody", {}, NotFoundError),
        ("acct", {"policy_version": 42}, NotFoundError),
        ("acct", {"policy_version": draft}, ConflictError),
        ("acct", {"snapshot_digest": "0" * 64}, NotFoundError),
        ("acct", {"status": "fine"}, InputError),
        ("acct", {"method": "vibes"}, InputError),
        ("acct", {"share_min": 0.7}, InputError),
        ("acct", {"share_max": float("nan")}, InputError),
        ("acct", {"evidence": {"x": float("inf")}}, InputError),
    ]
    for account, change, error in refused:
        with pytest.raises(error), db.write() as store:
            store.decisions.append(account, **{**base, **change})  # type: ignore[arg-type]
    with db.read() as store:
        assert store.decisions.history("acct") == []
