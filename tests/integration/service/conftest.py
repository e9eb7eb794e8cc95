"""Service tests run on SQLite and PostgreSQL (``tests.databases``): ``db`` is a migrated,
seeded store, ``data_dir`` the snapshot directory beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.databases import database_url, db, postgres_server, postgres_url  # noqa: F401


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
