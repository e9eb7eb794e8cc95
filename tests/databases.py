"""Database fixtures: a test taking ``database_url`` runs once on SQLite, once on PostgreSQL.

SQLite: a new file under the test's ``tmp_path``. PostgreSQL: a new database (``CREATE
DATABASE``) on one server per test session, which is

- the server named by ``OWNERGATE_TEST_POSTGRES_URL`` (its user needs CREATEDB), else
- a private server this module starts on 127.0.0.1 with ``initdb``/``pg_ctl`` (found on
  PATH or under /usr/lib/postgresql/*/bin) in a temporary directory on a free port, and
  stops at the end. PostgreSQL refuses to run as root, so as root it runs as the
  ``postgres`` user (made by Debian's package) or else ``nobody``.

Without PostgreSQL the PostgreSQL runs fail when ``CI`` is set (CI must test both) and are
skipped with the reason otherwise; they never pass silently.

``postgres_url`` is a new PostgreSQL database alone, for PostgreSQL-only tests. Use:
``from tests.databases import database_url, postgres_server, postgres_url  # noqa: F401``
in a ``conftest.py``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ownergate.store import Database, upgrade

ENV_URL = "OWNERGATE_TEST_POSTGRES_URL"
SUPERUSER = "ownergate"
PREFIX = "ownergate-pg-"


@dataclass(frozen=True)
class PostgresServer:
    """A server to make test databases on: ``url(db)`` is a SQLAlchemy URL for one."""

    base: str  # postgresql+psycopg://user@host:port (no database)

    def url(self, database: str) -> str:
        return f"{self.base}/{database}"

    def admin(self, statement: str) -> None:
        import psycopg

        conninfo = self.url("postgres").replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]  # not a literal


def _binaries() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for bindir in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True, key=_version):
        if (Path(bindir) / "initdb").exists() and (Path(bindir) / "pg_ctl").exists():
            return Path(bindir)
    return None


def _version(bindir: str) -> int:
    name = Path(bindir).parent.name
    return int(name) if name.isdigit() else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run_as() -> list[str]:
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        return [runuser, "-u", user, "--"]
    raise RuntimeError("running as root, and neither a 'postgres' nor a 'nobody' user exists")


def _stop(bindir: Path, root: Path, prefix: list[str]) -> None:
    subprocess.run(
        [*prefix, str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "-w",
         "stop"],
        capture_output=True, cwd=tempfile.gettempdir(),
    )  # fmt: skip
    shutil.rmtree(root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap(bindir: Path) -> None:
    """Stop servers left by test runs that were killed before they could stop them."""
    for root in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        try:
            owner = int((root / "pytest.pid").read_text())
        except (OSError, ValueError):
            continue
        if not _alive(owner):
            _stop(bindir, root, _run_as())


def _start(bindir: Path) -> tuple[PostgresServer, Path, list[str]]:
    _reap(bindir)
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    (root / "pytest.pid").write_text(str(os.getpid()))
    prefix = _run_as()
    if prefix:
        shutil.chown(root, user=prefix[2])
    data, log = root / "data", root / "server.log"
    try:
        subprocess.run(
            [*prefix, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
             "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"],
            check=True, capture_output=True, text=True, cwd=root,
        )  # fmt: skip
        for _attempt in range(5):
            port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            )
            started = subprocess.run(
                [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w",
                 "-t", "60", "-o", options, "start"],
                capture_output=True, text=True, cwd=root,
            )  # fmt: skip
            if started.returncode == 0:
                base = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}"
                return PostgresServer(base), root, prefix
            time.sleep(0.2)  # most likely the port was taken meanwhile
        server_log = log.read_text() if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{server_log}")
    except BaseException:
        _stop(bindir, root, prefix)
        raise


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of this test session (see the module doc)."""
    given = os.environ.get(ENV_URL)
    if given:
        base = given.rsplit("/", 1)[0] if given.count("/") > 2 else given
        yield PostgresServer(base.replace("postgresql://", "postgresql+psycopg://", 1))
        return
    bindir = _binaries()
    if bindir is None:
        message = (
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or under "
            f"/usr/lib/postgresql/*/bin) and {ENV_URL} is not set"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the store tests on PostgreSQL", pytrace=False)
        pytest.skip(message)
    server, root, prefix = _start(bindir)
    try:
        yield server
    finally:
        _stop(bindir, root, prefix)


@contextmanager
def _new_database(server: PostgresServer) -> Iterator[str]:
    name = f"test_{uuid.uuid4().hex[:16]}"
    server.admin(f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A URL of a new, empty PostgreSQL database (for PostgreSQL-only tests)."""
    with _new_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of a new, empty database: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ownergate.db'}"
        return
    with _new_database(request.getfixturevalue("postgres_server")) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated, seeded store on each database (``database_url``)."""
    upgrade(database_url)
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()
