"""Alembic environment: runs on the connection ``ownergate.store.migrate`` passes in.

No engine is made here and no logging is configured: the caller's engine carries the
SQLite settings (foreign keys, ``BEGIN IMMEDIATE``), and the migrations run in its one
transaction, so an interrupted upgrade leaves the previous schema.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from ownergate.store.models import Base

# Concurrent upgrades (several server processes starting at once) take turns on this
# PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE already serialises them.
MIGRATION_LOCK = 0x6F776E657267  # "owner" in ASCII


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through ownergate.store.upgrade(url)")
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


run_migrations()
