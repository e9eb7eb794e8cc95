"""The verdict cache over a real store, on SQLite and PostgreSQL: a decision or override
review committed through another connection pool (as another server process would) is
never served stale once the change feed has seen it, and it sees it at once on SQLite and
within moments on PostgreSQL (notifications are delivered after commit)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ownergate.service import AccountService, Deciders, OverrideService, VerdictCache
from ownergate.service.verdicts import EffectiveVerdict, current_verdict
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database, Verdict
from ownergate.store import changes as changes_module
from ownergate.store.changes import verdict_changes
from tests.property import examples

ACCOUNTS = ("acct-a", "acct-b", "acct-c")


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """The same store through its own engine: another process, as far as the feed knows."""
    database = Database(db.engine.url.render_as_string(hide_password=False))
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def cached(db: Database, data_dir: Path) -> Iterator[tuple[AccountService, VerdictCache]]:
    cache = VerdictCache(verdict_changes(db))
    try:
        yield AccountService(db, Deciders(db, SnapshotStore(data_dir)), cache), cache
    finally:
        cache.close()


def _accounts(db: Database) -> None:
    with db.write() as store:
        for account in ACCOUNTS:
            store.accounts.upsert(
                account, organisation_name=account, declared_country="SG", actor="key:a"
            )


def _decide(db: Database, account: str, status: str) -> int:
    with db.write() as store:
        return store.decisions.append(
            account,
            status=status,
            reason="ownership" if status == "restricted" else "none",
            share_min=0.6 if status == "restricted" else 0.0,
            share_max=0.6 if status == "restricted" else 0.0,
            method="control",
            evidence={"flags": []},
            policy_version=1,
            actor="key:a",
        ).id


def _direct(db: Database, account: str) -> EffectiveVerdict:
    with db.read() as store:
        return current_verdict(store, account)


def _eventually(read: Callable[[], EffectiveVerdict], want: EffectiveVerdict) -> None:
    """SQLite sees a commit at once; PostgreSQL once the notification has arrived."""
    deadline = time.monotonic() + 5.0
    while (got := read()) != want and time.monotonic() < deadline:
        time.sleep(0.005)
    assert got == want


def test_the_feed_names_accounts_decided_or_reviewed_elsewhere(
    db: Database, other: Database
) -> None:
    _accounts(db)
    feed = verdict_changes(db)
    try:
        assert not feed.poll()
        _decide(other, "acct-a", "allowed")
        _decide(other, "acct-b", "restricted")
        with other.write() as store:
            override = store.overrides.request(
                "acct-c",
                verdict=Verdict.ALLOW,
                reason="reviewed by hand",
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=5),
                actor="key:a",
            )
        seen: set[str] = set()
        deadline = time.monotonic() + 5.0
        while seen != {"acct-a", "acct-b"} and time.monotonic() < deadline:
            changes = feed.poll()
            assert not changes.everything and changes.live
            seen |= changes.accounts
            time.sleep(0.005)
        assert seen == {"acct-a", "acct-b"}  # a pending override changes no verdict
        with other.write() as store:
            store.overrides.review(override.id, outcome="approve", reason="ok", actor="key:b")
        seen = set()
        deadline = time.monotonic() + 5.0
        while not seen and time.monotonic() < deadline:
            seen |= feed.poll().accounts
            time.sleep(0.005)
        assert seen == {"acct-c"}
        assert not feed.poll()
    finally:
        feed.close()


def test_a_large_change_names_every_account_or_everything(
    db: Database, other: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changes_module, "BULK", 10)
    feed = verdict_changes(db)
    try:
        with other.write() as store:
            for i in range(30):
                store.accounts.upsert(
                    f"bulk-{i}", organisation_name="x", declared_country="SG", actor="key:a"
                )
        for i in range(30):
            _decide(other, f"bulk-{i}", "allowed")
        seen: set[str] = set()
        everything = False
        deadline = time.monotonic() + 5.0
        while not everything and len(seen) < 30 and time.monotonic() < deadline:
            changes = feed.poll()
            everything |= changes.everything
            seen |= changes.accounts
            time.sleep(0.005)
        # Named one by one, or (beyond BULK) as one "forget everything": none is missed.
        assert everything or seen == {f"bulk-{i}" for i in range(30)}
    finally:
        feed.close()


def test_a_cached_verdict_follows_decisions_written_elsewhere(
    db: Database, other: Database, cached: tuple[AccountService, VerdictCache]
) -> None:
    service, cache = cached
    _accounts(db)
    _decide(db, "acct-a", "allowed")
    # On PostgreSQL the notification of that write may still arrive and forget the entry.
    deadline = time.monotonic() + 5.0
    while service.cached_verdict("acct-a") is None and time.monotonic() < deadline:
        service.verdict("acct-a")
        time.sleep(0.005)
    assert service.cached_verdict("acct-a") == _direct(db, "acct-a")
    _decide(other, "acct-a", "restricted")
    _eventually(lambda: service.verdict("acct-a"), _direct(db, "acct-a"))
    assert service.verdict("acct-a").decision.status == "restricted"
    assert cache.stats().hits >= 1


def test_an_override_approved_elsewhere_reaches_the_cached_verdict(
    db: Database, other: Database, cached: tuple[AccountService, VerdictCache]
) -> None:
    service, _ = cached
    _accounts(db)
    _decide(db, "acct-b", "restricted")
    assert service.verdict("acct-b").effective_status == "restricted"
    overrides = OverrideService(other)
    request = overrides.request(
        "acct-b",
        verdict=Verdict.ALLOW,
        reason="licence granted",
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=5),
        actor="key:a",
    )
    overrides.approve(request.id, reason="checked", actor="key:b")
    _eventually(lambda: service.verdict("acct-b"), _direct(db, "acct-b"))
    assert service.verdict("acct-b").effective_status == "allowed"


def test_writes_through_the_same_services_are_seen_at_once(
    db: Database, cached: tuple[AccountService, VerdictCache]
) -> None:
    service, cache = cached
    _accounts(db)
    _decide(db, "acct-c", "restricted")
    assert service.verdict("acct-c").effective_status == "restricted"
    overrides = OverrideService(db, cache)
    request = overrides.request(
        "acct-c",
        verdict=Verdict.ALLOW,
        reason="licence granted",
        expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=5),
        actor="key:a",
    )
    overrides.approve(request.id, reason="checked", actor="key:b")
    # No waiting: approve() forgot the account before returning, whatever the feed says.
    assert service.verdict("acct-c").effective_status == "allowed"


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["restricted", "allowed", "review", "read", "SG", "DE"]),
            st.sampled_from(ACCOUNTS),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_cached_reads_equal_store_reads_after_any_writes(
    db: Database,
    other: Database,
    cached: tuple[AccountService, VerdictCache],
    steps: list[tuple[str, str]],
) -> None:
    service, _ = cached
    _accounts(db)  # upserts: the store carries over from example to example
    for account in ACCOUNTS:
        _decide(other, account, "allowed")
    for action, account in steps:
        if action == "review":
            overrides = OverrideService(other)
            request = overrides.request(
                account,
                verdict=Verdict.RESTRICT,
                reason="by hand",
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
                actor="key:a",
            )
            overrides.approve(request.id, reason="ok", actor="key:b")
        elif action in ("SG", "DE"):  # the account rewritten with this declared country
            with other.write() as store:
                store.accounts.upsert(
                    account, organisation_name=account, declared_country=action, actor="key:a"
                )
        elif action != "read":
            _decide(other, account, action)
        if db.dialect == "sqlite":  # the feed sees each commit synchronously
            assert service.verdict(account) == _direct(db, account)
        else:
            _eventually(lambda a=account: service.verdict(a), _direct(db, account))  # type: ignore[misc]


def test_an_account_rewritten_elsewhere_reaches_the_cached_verdict(
    db: Database, other: Database, cached: tuple[AccountService, VerdictCache]
) -> None:
    service, _ = cached
    _accounts(db)
    _decide(db, "acct-a", "allowed")
    assert service.verdict("acct-a").declared_country == "SG"
    with other.write() as store:  # a PUT elsewhere that appends no decision
        store.accounts.upsert(
            "acct-a", organisation_name="acct-a", declared_country="DE", actor="key:a"
        )
    _eventually(lambda: service.verdict("acct-a"), _direct(db, "acct-a"))
    assert service.verdict("acct-a").declared_country == "DE"
