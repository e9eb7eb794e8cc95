"""Migrations: from an empty database to the newest schema, seeded, idempotent, concurrent."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from ownergate.policy.model import default_policy
from ownergate.store import Database, current_revision, head_revision, upgrade, verify_chain
from ownergate.store.database import make_engine
from ownergate.store.models import Base

TABLES = {
    "accounts",
    "policies",
    "policy_activations",
    "snapshots",
    "snapshot_activations",
    "decisions",
    "overrides",
    "override_reviews",
    "override_lapses",
    "api_keys",
    "audit_log",
    "audit_head",
    "entity_links",
    "link_reviews",
    "screen_runs",
    "pending_changes",
    "change_reviews",
    "alembic_version",
}


def test_upgrade_from_empty_makes_every_table_and_the_seed_policy(database_url: str) -> None:
    assert current_revision(database_url) is None
    assert upgrade(database_url) == head_revision() == current_revision(database_url)
    engine = make_engine(database_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()
    db = Database(database_url)
    try:
        with db.read() as store:
            seed = store.policies.active()
            assert seed.version == 1 and seed.published
            assert seed.policy() == default_policy()
            assert [a.version for a in store.policies.activations()] == [1]
            assert [e.action for e in store.audit.entries()] == [
                "policy.create_draft",
                "policy.publish",
                "policy.activate",
            ]
            assert verify_chain(store.session).ok
    finally:
        db.dispose()


def test_upgrade_again_changes_nothing(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    db = Database(database_url)
    try:
        with db.read() as store:
            assert len(store.policies.list()) == 1
            assert store.audit.head().seq == 3
    finally:
        db.dispose()


def test_the_models_match_the_migrated_schema(database_url: str) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_processes_starting_together_migrate_and_seed_once(database_url: str) -> None:
    # Real processes: Alembic's module-level context is not meant for threads.
    code = "import sys; from ownergate.store import upgrade; upgrade(sys.argv[1])"
    runs = [
        subprocess.Popen([sys.executable, "-c", code, database_url], stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for run in runs:
        _, err = run.communicate(timeout=120)
        assert run.returncode == 0, err.decode()
    db = Database(database_url)
    try:
        with db.read() as store:
            assert [p.version for p in store.policies.list()] == [1]
            assert store.audit.head().seq == 3
            assert verify_chain(store.session).ok
    finally:
        db.dispose()
