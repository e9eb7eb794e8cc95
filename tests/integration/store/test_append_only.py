"""The database itself refuses UPDATE and DELETE on the append-only tables and on published
policies, whoever sends them; the ORM refuses changes that would bypass the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import exc, text

from ownergate.errors import InputError
from ownergate.store import (
    Account,
    AccountStatus,
    Database,
    UnauditedWriteError,
    upgrade,
    verify_chain,
)
from tests.integration.store.sample import populate

APPEND_ONLY = [
    ("decisions", "entity_id = 'x'"),
    ("audit_log", "actor = 'mallory'"),
    ("override_reviews", "reviewer = 'mallory'"),
    ("overrides", "reason = 'changed'"),
    ("policy_activations", "activated_by = 'mallory'"),
    ("snapshot_activations", "activated_by = 'mallory'"),
    ("snapshots", "name = 'other'"),
    ("pending_changes", "to_status = 'allowed'"),
    ("change_reviews", "outcome = 'approve'"),
]


@pytest.fixture
def populated(db: Database, tmp_path: Path) -> Database:
    populate(db, tmp_path / "snapshots")
    return db


def _count(db: Database, table: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


@pytest.mark.parametrize(("table", "change"), APPEND_ONLY)
def test_raw_update_and_delete_are_refused(populated: Database, table: str, change: str) -> None:
    rows = _count(populated, table)
    assert rows > 0
    for statement in (f"UPDATE {table} SET {change}", f"DELETE FROM {table}"):
        with pytest.raises(exc.IntegrityError, match="append-only"):
            with populated.engine.begin() as connection:
                connection.execute(text(statement))
    assert _count(populated, table) == rows


def test_published_policies_are_immutable_and_drafts_are_not(populated: Database) -> None:
    with populated.write() as store:
        draft = store.policies.create_draft('name = "draft"\nregions = ["CN"]\n', actor="admin")
    with populated.engine.begin() as connection:
        connection.execute(text("UPDATE policies SET name = 'renamed' WHERE version = :v"),
                           {"v": draft.version})  # fmt: skip
    for statement in ("UPDATE policies SET toml = 'x' WHERE version = 1",
                      "DELETE FROM policies WHERE version = 1"):  # fmt: skip
        with pytest.raises(exc.IntegrityError, match="immutable"):
            with populated.engine.begin() as connection:
                connection.execute(text(statement))
    with populated.write() as store:
        store.policies.publish(draft.version, actor="admin")
    with pytest.raises(exc.IntegrityError, match="immutable"):
        with populated.engine.begin() as connection:
            connection.execute(text("UPDATE policies SET name = 'again' WHERE version = :v"),
                               {"v": draft.version})  # fmt: skip
    with populated.read() as store:
        assert store.policies.get(draft.version).name == "renamed"


def test_truncate_is_refused_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    # Row triggers do not fire on TRUNCATE (SQLite has none: its DELETE fires them).
    upgrade(postgres_url)
    db = Database(postgres_url)
    try:
        populate(db, tmp_path)
        for table in [t for t, _ in APPEND_ONLY] + ["policies"]:
            with pytest.raises(exc.IntegrityError, match="TRUNCATE refused"):
                with db.engine.begin() as connection:
                    connection.execute(text(f"TRUNCATE {table} CASCADE"))
    finally:
        db.dispose()


def test_changing_a_returned_object_is_refused(populated: Database) -> None:
    with pytest.raises(UnauditedWriteError, match="Account changed outside a repository"):
        with populated.write() as store:
            account = store.accounts.get("acct-1")
            account.organisation_name = "Renamed quietly"
            store.session.flush()
    with pytest.raises(UnauditedWriteError, match="read transaction"):
        with populated.read() as store:
            store.accounts.get("acct-1").declared_country = "CN"
            store.session.flush()
    with pytest.raises(UnauditedWriteError, match="read transaction"):
        with populated.read() as store:
            store.accounts.upsert("acct-2", organisation_name="X", declared_country="FR",
                                  actor="admin")  # fmt: skip
    with populated.read() as store:
        assert store.accounts.get("acct-1").organisation_name == "Lion City Pte"
        assert [a.id for a in store.accounts.list()] == ["acct-1"]


def test_a_failed_write_leaves_nothing_even_when_the_error_is_caught(db: Database) -> None:
    with db.write() as store:
        with pytest.raises(RuntimeError):
            with store.audit.writing("key:admin"):
                store.session.add(_account("half-written"))
                store.session.flush()
                store.audit.append("key:admin", "account.create", "account", "x", {})
                raise RuntimeError("the write fails after flushing")
        with pytest.raises(InputError) as raised:
            store.accounts.upsert("a", organisation_name="A", declared_country="FR", actor=" ")
        assert raised.value.field == "actor"
        store.accounts.upsert("kept", organisation_name="K", declared_country="FR", actor="admin")
    with db.read() as store:
        assert [a.id for a in store.accounts.list()] == ["kept"]
        assert verify_chain(store.session).ok
        assert [e.object_id for e in store.audit.entries(object_type="account")] == ["kept"]


def _account(account_id: str) -> Account:
    now = dt.datetime.now(dt.UTC)
    return Account(id=account_id, organisation_name="Half", declared_country="FR",
                   status=AccountStatus.ACTIVE, created_at=now, updated_at=now)  # fmt: skip
