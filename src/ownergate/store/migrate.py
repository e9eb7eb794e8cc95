"""Schema migrations, run from code: ``upgrade(url)`` on every start is safe and cheap.

The Alembic scripts ship inside the package (``store/migrations``); no ``alembic.ini`` is
needed. ``upgrade`` also adds the seed policy to a store that has none, so a new database
is ready to decide with.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ownergate.store.database import Database, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest schema revision this version of ownergate knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    """The schema revision of the database at ``url``; None when it was never migrated."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, *, actor: str = "system") -> str:
    """Migrate the database at ``url`` to the newest schema and seed it; returns the
    revision. Idempotent, and concurrent callers take turns."""
    config = _config()
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()
    database = Database(url)
    try:
        with database.write() as store:
            store.policies.ensure_seed(actor=actor)
    finally:
        database.dispose()
    return head_revision()
