"""Real data for the store tests: a snapshot saved by ``SnapshotStore``, decisions with the
evidence ``explain`` makes, and what an attacker with database access would do."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ownergate.domain.model import Entity, Holding
from ownergate.domain.shares import Share
from ownergate.engine.screen import screen
from ownergate.explain import explain
from ownergate.graph.prepare import prepare
from ownergate.graph.tables import columns_from_records
from ownergate.policy.model import default_policy
from ownergate.snapshots import Registry, Snapshot, SnapshotStore
from ownergate.store import Database, Decision, Repositories

AS_OF = dt.date(2025, 10, 1)
ENTITIES = [
    Entity("CNP", name="Sino Parent", country="CN"),
    Entity("SGS", name="Lion City", country="SG", legal_country="SG"),
    Entity("DEG", name="Rhein", country="DE"),
    Entity("JV", name="Joint Venture", country="NL"),
    Entity("FRX", name="Paris Widgets", country="FR"),
]
HOLDINGS = [
    Holding("CNP", "SGS", Share.exact("0.6")),
    Holding("SGS", "DEG", Share.exact("1")),
    Holding("SGS", "JV", Share.between("0.25", "0.75", low_exclusive=True)),
    Holding("DEG", "JV", Share.unknown()),
]


def save_snapshot(root: Path, name: str = "registry-1") -> Snapshot:
    entities, holdings = columns_from_records(ENTITIES, HOLDINGS)
    return SnapshotStore(root).save(
        name, Registry.plain(entities, holdings, {"format": "test"}), "tests"
    )


def evidence(entity_id: str) -> dict[str, Any]:
    """The evidence document ``explain`` gives for ``entity_id`` under the seed policy."""
    entities, holdings = columns_from_records(ENTITIES, HOLDINGS)
    policy = default_policy()
    result = screen(prepare(entities, holdings, policy, AS_OF), policy)
    return explain(result, ENTITIES.index(next(e for e in ENTITIES if e.id == entity_id)))


def record(
    store: Repositories,
    account_id: str,
    entity_id: str,
    *,
    digest: str | None = None,
    actor: str = "key:service",
) -> Decision:
    """Store the decision on ``entity_id`` for ``account_id`` as the service would."""
    doc = evidence(entity_id)
    decided = doc["decision"]
    return store.decisions.append(
        account_id,
        entity_id=entity_id,
        status=decided["status"],
        reason=decided["reason"],
        share_min=decided["share_min"],
        share_max=decided["share_max"],
        method=decided["method"],
        evidence=doc,
        policy_version=store.policies.active().version,
        snapshot_digest=digest,
        actor=actor,
    )


def populate(db: Database, snapshot_root: Path) -> None:
    """At least one row in every table."""
    snapshot = save_snapshot(snapshot_root)
    with db.write() as store:
        store.accounts.upsert("acct-1", organisation_name="Lion City Pte", declared_country="SG",
                              actor="key:admin")  # fmt: skip
        store.snapshots.register(snapshot.name, snapshot.manifest, actor="key:admin")
        store.snapshots.activate(snapshot.digest, actor="key:admin")
        record(store, "acct-1", "SGS", digest=snapshot.digest)
        override = store.overrides.request(
            "acct-1",
            verdict="allow",
            reason="licence granted",
            expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=30),
            actor="key:analyst-a",
        )
        store.overrides.review(override.id, outcome="approve", reason="checked licence",
                               actor="key:analyst-b")  # fmt: skip
        change = store.pending.request(
            "acct-1",
            kind="account",
            change={"declared_country": "FR"},
            base={"decision": 1},
            from_status="restricted",
            to_status="allowed",
            actor="key:analyst-a",
        )
        store.pending.review(change.id, outcome="reject", reason="no evidence of the move",
                             actor="key:analyst-b")  # fmt: skip
        store.api_keys.create(role="viewer", label="dashboard", actor="key:admin")


def disable_append_only(session: Session, table: str) -> None:
    """Remove a table's append-only triggers, as an attacker with database access could."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
    else:
        query = text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t")
        for name in session.execute(query, {"t": table}).scalars().all():
            session.execute(text(f'DROP TRIGGER "{name}"'))
