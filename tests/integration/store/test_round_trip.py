"""Values come back exactly as stored, on both databases: exact decimals with their scale,
UTC timestamps, floats bit for bit, JSON documents, snapshot manifests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from ownergate.errors import InputError
from ownergate.store import ConflictError, Database, NotFoundError, upgrade
from tests.integration.store.sample import save_snapshot


def test_exact_decimals_keep_digits_and_scale(db: Database) -> None:
    revenues = [Decimal("123456789012345678901234.567890"), Decimal("0.10"), Decimal("7E+3")]
    with db.write() as store:
        for i, revenue in enumerate(revenues):
            store.accounts.upsert(f"a{i}", organisation_name="Org", declared_country="DE",
                                  annual_revenue=revenue, revenue_currency="EUR",
                                  actor="admin")  # fmt: skip
    db.dispose()  # nothing cached: read back from the database
    with db.read() as store:
        got = [store.accounts.get(f"a{i}").annual_revenue for i in range(len(revenues))]
    assert [str(g) for g in got] == ["123456789012345678901234.567890", "0.10", "7000"]


def test_timestamps_are_utc_and_aware(db: Database) -> None:
    singapore = dt.timezone(dt.timedelta(hours=8))
    expiry = dt.datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=singapore)
    with db.write() as store:
        store.accounts.upsert("a", organisation_name="Org", declared_country="SG", actor="x")
        override = store.overrides.request("a", verdict="restrict", reason="r", expires_at=expiry,
                                           actor="x")  # fmt: skip
    db.dispose()
    with db.read() as store:
        stored = store.overrides.get(override.id)
        account = store.accounts.get("a")
    assert stored.expires_at == expiry and stored.expires_at.tzinfo == dt.UTC
    assert stored.expires_at.hour == 23 and stored.expires_at.microsecond == 123456
    assert account.created_at.tzinfo == dt.UTC
    assert abs(account.created_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)


def test_floats_and_json_documents_round_trip(db: Database) -> None:
    third = 1 / 3
    doc = {"b": [1, 2.5, None, True], "a": {"ünïcode": "北京", "tiny": 5e-324}, "z": third}
    with db.write() as store:
        store.accounts.upsert("a", organisation_name="Org", declared_country="SG", actor="x")
        decision = store.decisions.append(
            "a", status="review", reason="undetermined", share_min=third, share_max=0.75,
            method="effective", evidence=doc, policy_version=1, actor="svc",
        )  # fmt: skip
    db.dispose()
    with db.read() as store:
        stored = store.decisions.get(decision.id)
    assert stored.share_min == third and stored.evidence == doc
    assert list(stored.evidence) == ["b", "a", "z"]


def test_snapshots_are_registered_from_real_manifests(db: Database, tmp_path: Path) -> None:
    snapshot = save_snapshot(tmp_path)
    with db.write() as store:
        registered = store.snapshots.register(snapshot.name, snapshot.manifest, actor="admin")
        again = store.snapshots.register(snapshot.name, snapshot.manifest, actor="admin")
    assert again.digest == registered.digest == snapshot.digest
    with pytest.raises(ConflictError, match="registered already"), db.write() as store:
        store.snapshots.register("other-name", snapshot.manifest, actor="admin")
    with pytest.raises(InputError) as raised, db.write() as store:
        store.snapshots.register("x", {"digest": "nope"}, actor="admin")
    assert raised.value.field == "manifest.digest"
    with db.read() as store:
        with pytest.raises(NotFoundError, match="no snapshot is active"):
            store.snapshots.active()
        stored = store.snapshots.get(snapshot.digest)
        assert stored.manifest == snapshot.manifest and stored.name == "registry-1"
        assert [s.digest for s in store.snapshots.find("registry-1")] == [snapshot.digest]
        assert len(store.audit.entries(object_type="snapshot")) == 1
    with db.write() as store:
        store.snapshots.activate(snapshot.digest, actor="admin")
    with db.read() as store:
        assert store.snapshots.active().digest == snapshot.digest
        assert [a.digest for a in store.snapshots.activations()] == [snapshot.digest]


def test_sqlite_files_use_wal_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'dir' / 'ownergate.db'}"  # directories made
    upgrade(url)
    db = Database(url)
    try:
        with db.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        db.dispose()
