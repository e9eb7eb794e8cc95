"""The gate middleware's tests run on SQLite and PostgreSQL (``tests.databases``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ownergate.store import Database, upgrade
from tests.databases import database_url, postgres_server, postgres_url  # noqa: F401


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:  # noqa: F811
    upgrade(database_url)
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()
