"""Engines and transactions for one database URL, SQLite or PostgreSQL.

``Database(url).write()`` is the one way to change the store: a transaction that commits
when its block ends (rolls back on an exception) and yields the repositories. On SQLite it
starts with ``BEGIN IMMEDIATE``, so writers queue for the file's write lock up front instead
of failing half-way; on PostgreSQL the first repository write locks the audit head row,
which queues writers the same way (see ``ownergate.store.audit``). ``read()`` is a read-only
transaction (PostgreSQL ``BEGIN READ ONLY``; any flush is refused on both).

SQLite files get foreign keys, WAL (readers never wait for the writer) and a busy timeout.
``postgresql://`` URLs use psycopg 3.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, UOWTransaction, sessionmaker

from ownergate.errors import ConfigError, shown
from ownergate.store.audit import READ_ONLY, WRITING
from ownergate.store.errors import UnauditedWriteError
from ownergate.store.models import AuditEntry, AuditHeadRow
from ownergate.store.repositories import Repositories

BUSY_TIMEOUT_S = 30.0


def database_url(url: str) -> URL:
    """``url`` parsed, with ``postgresql://`` meaning psycopg 3; other backends refused."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigError(f"OWNERGATE_DATABASE_URL is not a database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise ConfigError(
            f"database {shown(parsed.drivername)} is not supported: use sqlite:///PATH or "
            "postgresql://USER@HOST/DB"
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ConfigError("SQLite needs a file (sqlite:///PATH); in-memory databases are not kept")
    return parsed


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` with the store's connection settings (see the module doc);
    ``options`` go to ``sqlalchemy.create_engine`` (``pool_size``, ``pool_pre_ping``...)."""
    parsed = database_url(url)
    if parsed.get_backend_name() == "postgresql":
        # A server restart should cost a reconnect, not one failed request per connection.
        options.setdefault("pool_pre_ping", True)
        return create_engine(parsed, **options)
    assert parsed.database is not None
    Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        **options,
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(connection: sqlite3.Connection, _record: Any) -> None:
    # Transactions are begun by _sqlite_begin, not by the driver: its implicit BEGIN is
    # DEFERRED, and it commits before DDL, which would split a migration.
    connection.isolation_level = None
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA journal_mode = WAL")
    # Every commit synced to disk: the audit log's promise (README) rests on it, whatever
    # default the SQLite build has.
    connection.execute("PRAGMA synchronous = FULL")


def _sqlite_begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _refuse_unaudited(session: Session, _context: UOWTransaction, _instances: object) -> None:
    changed = [
        obj
        for obj in (*session.new, *session.dirty, *session.deleted)
        if not isinstance(obj, AuditEntry | AuditHeadRow)
    ]
    if not changed:
        return
    kinds = sorted({type(obj).__name__ for obj in changed})
    if session.info.get(READ_ONLY):
        raise UnauditedWriteError(f"a read transaction cannot change {', '.join(kinds)}")
    if not session.info.get(WRITING):
        raise UnauditedWriteError(
            f"{', '.join(kinds)} changed outside a repository write: it would not be audited"
        )


class Database:
    """Engine and transactions for one database URL (migrate it first with ``upgrade``)."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.engine = make_engine(url, **engine_options)
        read_options: dict[str, Any] = {READ_ONLY: True}
        if self.engine.dialect.name == "postgresql":
            read_options["postgresql_readonly"] = True
        self._read_engine = self.engine.execution_options(**read_options)
        self._writes = sessionmaker(self.engine, expire_on_commit=False)
        self._reads = sessionmaker(self._read_engine, expire_on_commit=False)
        for factory in (self._writes, self._reads):
            event.listen(factory, "before_flush", _refuse_unaudited)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Repositories]:
        """A write transaction: committed when the block ends, rolled back on an error."""
        with self._writes() as session, session.begin():
            yield Repositories(session)

    @contextmanager
    def read(self) -> Iterator[Repositories]:
        """A read-only transaction: one consistent view of the store."""
        with self._reads() as session, session.begin():
            session.info[READ_ONLY] = True
            yield Repositories(session)

    def dispose(self) -> None:
        """Close pooled connections (call on shutdown, and before dropping a database)."""
        self.engine.dispose()
