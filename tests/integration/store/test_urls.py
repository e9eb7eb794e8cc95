"""Database URLs: SQLite files and PostgreSQL through psycopg 3, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergate.errors import ConfigError
from ownergate.settings import Settings
from ownergate.store.database import database_url


def test_postgresql_urls_mean_psycopg_3() -> None:
    parsed = database_url("postgresql://ana:s3cret@db.internal:5433/ownergate")
    assert parsed.drivername == "postgresql+psycopg"
    assert (parsed.host, parsed.port, parsed.database) == ("db.internal", 5433, "ownergate")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/db", "not supported"),
        ("sqlite://", "needs a file"),
        ("sqlite:///:memory:", "needs a file"),
        ("not a url", "not a database URL"),
    ],
)
def test_other_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        database_url(url)


def test_the_default_store_is_a_file_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OWNERGATE_DATABASE_URL", raising=False)
    monkeypatch.setenv("OWNERGATE_DATA_DIR", str(tmp_path))
    assert Settings().database_url == f"sqlite:///{tmp_path / 'ownergate.db'}"
    monkeypatch.setenv("OWNERGATE_DATABASE_URL", "postgresql://u@h/d")
    assert Settings().database_url == "postgresql://u@h/d"
