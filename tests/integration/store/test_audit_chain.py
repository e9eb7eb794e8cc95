"""The hash-chained audit log: intact chains verify; an edited, deleted or reordered row is
named by its seq, even when the attacker first removes the append-only triggers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from ownergate.store import AuditHead, Database, verify_chain
from ownergate.store.audit import GENESIS
from tests.integration.store.sample import disable_append_only, populate


@pytest.fixture
def populated(db: Database, tmp_path: Path) -> Database:
    populate(db, tmp_path / "snapshots")
    return db


def _verify(db: Database, expected_head: AuditHead | None = None) -> tuple[int | None, str]:
    with db.read() as store:
        report = verify_chain(store.session, expected_head=expected_head)
    return report.first_bad_seq, str(report)


def _tamper(db: Database, *statements: str) -> None:
    with db.write() as store:
        disable_append_only(store.session, "audit_log")
        for statement in statements:
            store.session.execute(text(statement))


def test_an_intact_log_verifies_and_its_head_is_the_newest_row(populated: Database) -> None:
    with populated.read() as store:
        report = verify_chain(store.session)
        head = store.audit.head()
        entries = store.audit.entries(limit=1000)
    assert report.ok and report.first_bad_seq is None
    assert report.rows == len(entries) == head.seq > 5
    assert report.head == head == AuditHead(entries[-1].seq, entries[-1].hash)
    assert [e.seq for e in entries] == list(range(1, head.seq + 1))
    assert {"account.create", "decision.append", "override.approve", "api_key.create"} <= {
        e.action for e in entries
    }
    assert "intact" in str(report)


def test_the_documented_hash_can_be_recomputed_independently(populated: Database) -> None:
    with populated.read() as store:
        entries = store.audit.entries(limit=1000)
    prev = GENESIS
    for entry in entries:
        row = {
            "seq": entry.seq,
            "at": entry.at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": entry.actor,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "payload": json.loads(entry.payload),
        }
        canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert entry.prev_hash == prev
        assert entry.hash == hashlib.sha256((prev + canonical).encode()).hexdigest()
        assert entry.payload == json.dumps(
            json.loads(entry.payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        prev = entry.hash


def test_an_edited_row_is_named(populated: Database) -> None:
    _tamper(populated, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 4")
    bad, message = _verify(populated)
    assert bad == 4 and "edited" in message


def test_an_edited_payload_is_named(populated: Database) -> None:
    _tamper(
        populated,
        "UPDATE audit_log SET payload = replace(payload, 'allow', 'restrict') "
        "WHERE action = 'override.request'",
    )
    with populated.read() as store:
        seq = store.audit.entries(object_type="override")[0].seq
    assert _verify(populated)[0] == seq


def test_an_edited_and_rehashed_row_breaks_the_next_link(populated: Database) -> None:
    with populated.read() as store:
        row = store.audit.entries(after_seq=4, limit=1)[0]
    from ownergate.store.audit import entry_hash

    forged = entry_hash(row.prev_hash, row.seq, row.at, "mallory", row.action,
                        row.object_type, row.object_id, row.payload)  # fmt: skip
    _tamper(populated, f"UPDATE audit_log SET actor = 'mallory', hash = '{forged}' WHERE seq = 5")
    bad, message = _verify(populated)
    assert bad == 6 and "does not follow row 5" in message


def test_a_deleted_row_is_named(populated: Database) -> None:
    _tamper(populated, "DELETE FROM audit_log WHERE seq = 3")
    bad, message = _verify(populated)
    assert bad == 3 and "row 3 was deleted" in message


def test_reordered_rows_are_named(populated: Database) -> None:
    _tamper(
        populated,
        "UPDATE audit_log SET seq = -1 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -1",
    )
    assert _verify(populated)[0] == 2


def test_a_deleted_tail_shows_against_the_recorded_head(populated: Database) -> None:
    with populated.read() as store:
        head = store.audit.head()
    _tamper(populated, f"DELETE FROM audit_log WHERE seq >= {head.seq - 1}")
    bad, message = _verify(populated)
    assert bad == head.seq - 1 and "head the store recorded" in message

    # An attacker who also rewinds audit_head leaves a valid, shorter chain: only a head
    # recorded outside the database shows what is gone.
    with populated.read() as store:
        last = store.audit.head()
    _tamper(populated, f"UPDATE audit_head SET seq = {last.seq}, hash = '{last.hash}'")
    assert _verify(populated)[0] is None
    bad, message = _verify(populated, expected_head=head)
    assert bad == head.seq - 1 and "expected head" in message


def test_a_rewritten_history_differs_from_the_expected_head(populated: Database) -> None:
    with populated.read() as store:
        head = store.audit.head()
    with populated.write() as store:
        store.accounts.upsert("acct-9", organisation_name="Later", declared_country="FR",
                              actor="admin")  # fmt: skip
    assert _verify(populated, expected_head=head)[0] is None  # the log grew: still contains it
    _tamper(populated, f"UPDATE audit_log SET hash = '{'f' * 64}' WHERE seq = {head.seq}")
    assert _verify(populated, expected_head=head)[0] == head.seq
