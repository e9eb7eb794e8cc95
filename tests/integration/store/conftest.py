"""Store tests run on SQLite and PostgreSQL (``tests.databases``); ``db`` is a migrated,
seeded store on each."""

from __future__ import annotations

from tests.databases import database_url, db, postgres_server, postgres_url  # noqa: F401
