"""Concurrent writers take turns: the audit chain never forks and neither does an
account's decision history."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from ownergate.store import Database, Repositories, verify_chain
from tests.integration.store.sample import record

THREADS = 6
WRITES = 10


def _in_threads(db: Database, work: Callable[[Repositories, int, int], object]) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def run(thread: int) -> None:
        try:
            start.wait()
            for i in range(WRITES):
                with db.write() as store:
                    work(store, thread, i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


@pytest.mark.slow
def test_concurrent_writers_extend_one_chain(database_url: str) -> None:
    from ownergate.store import upgrade

    upgrade(database_url)
    db = Database(database_url, pool_size=THREADS)
    try:
        with db.read() as store:
            before = store.audit.head().seq

        def work(store: Repositories, thread: int, i: int) -> None:
            store.accounts.upsert(f"t{thread}-{i}", organisation_name=f"Org {thread}/{i}",
                                  declared_country="DE", actor=f"key:writer-{thread}")  # fmt: skip

        _in_threads(db, work)
        with db.read() as store:
            report = verify_chain(store.session)
            entries = store.audit.entries(after_seq=before, limit=1000)
        assert report.ok, report
        assert report.rows == before + THREADS * WRITES
        assert [e.seq for e in entries] == list(range(before + 1, report.rows + 1))
        assert {e.actor for e in entries} == {f"key:writer-{t}" for t in range(THREADS)}
    finally:
        db.dispose()


@pytest.mark.slow
def test_concurrent_decisions_on_one_account_form_one_history(database_url: str) -> None:
    from ownergate.store import upgrade

    upgrade(database_url)
    db = Database(database_url, pool_size=THREADS)
    try:
        with db.write() as store:
            store.accounts.upsert("shared", organisation_name="Lion City Pte",
                                  declared_country="SG", actor="admin")  # fmt: skip
        _in_threads(db, lambda store, _thread, _i: record(store, "shared", "SGS"))
        with db.read() as store:
            history = store.decisions.history("shared", limit=1000)
            assert verify_chain(store.session).ok
        assert len(history) == THREADS * WRITES
        # Newest first: each decision supersedes exactly the one recorded before it.
        assert [d.supersedes for d in history] == [d.id for d in history[1:]] + [None]
    finally:
        db.dispose()
