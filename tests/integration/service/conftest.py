"""Service tests run on SQLite and PostgreSQL (``tests.databases``): ``db`` is a migrated,
seeded store, ``data_dir`` the snapshot directory beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
