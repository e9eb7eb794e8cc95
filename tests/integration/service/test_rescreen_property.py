"""A re-screen from one snapshot to another leaves every account with the decision a full
screen under the new snapshot gives it, on random registries and random changes between
them (cycles, diamonds, ranges, unknown shares, nominees, entities appearing and going),
although it re-decides only the accounts the change can reach."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ownergate.domain.model import Holding
from ownergate.domain.shares import Share
from ownergate.service import Deciders, PortfolioService
from ownergate.service.decider import Decider
from ownergate.service.deciding import Subject, decide
from ownergate.service.pairs import Pair
from ownergate.service.verdicts import current_verdict
from ownergate.snapshots import Registry, SnapshotStore
from ownergate.store import AccountRow, Database, upgrade
from tests.integration.snapshots.test_downstream import (
    NAMES,
    countries,
    holdings,
    ids,
    registry,
)
from tests.property import examples

ACTOR = "key:analyst"
DAY = dt.date(2026, 1, 1)
# One account per registry entity (by its registry id), and two the registry never knows.
ACCOUNTS = [AccountRow(f"acct-{n}", f"Company {n}", "SG", entity_id=n) for n in NAMES] + [
    AccountRow("acct-cn", "Dragon Unknown", "CN"),
    AccountRow("acct-de", "Unbekannt GmbH", "DE"),
]


def save(store: SnapshotStore, db: Database, name: str, reg: tuple) -> str:  # type: ignore[type-arg]
    snapshot = store.save(name, Registry.plain(*reg, {"format": "test"}), "tests")
    with db.write() as repos:
        if not any(s.digest == snapshot.digest for s in repos.snapshots.list()):
            repos.snapshots.register(name, snapshot.manifest, actor="key:admin")
    return snapshot.digest


CHAIN = [Holding("A", "B", Share.exact("0.51")), Holding("B", "C", Share.exact("1"))]
ALL = [True] * 9
STAY = [False] * 6


@settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Only the walk downstream finds C: its parent's parent left the regions.
@example(
    ["CN", "SG", "DE", "DE", "DE", "DE"],
    CHAIN,
    ["SG"] * 6,
    [],
    set(),
    set(),
    ALL,
    [True] + STAY[1:],
    True,
).via("a grandparent leaving the regions")
# B goes: its account, decided through B before, now rests on its declared country alone.
@example(
    ["CN", "SG", "DE", "DE", "DE", "DE"], CHAIN, ["SG"] * 6, [], set(), {"B"}, ALL, STAY, False
).via("an entity going")
# B appears: its account, unverified before, is now found in the registry.
@example(
    ["CN", "SG", "DE", "DE", "DE", "DE"], CHAIN, ["SG"] * 6, [], {"B"}, set(), ALL, STAY, True
).via("an entity appearing")
@given(
    countries,
    holdings,
    countries,
    holdings,
    st.sets(ids, max_size=2),
    st.sets(ids, max_size=2),
    st.lists(st.booleans(), min_size=9, max_size=9),
    st.lists(st.booleans(), min_size=6, max_size=6),
    st.booleans(),
)
def test_a_rescreen_equals_a_full_screen_under_the_new_snapshot(
    country_a: list[str],
    held_a: list[Holding],
    country_b: list[str],
    extra: list[Holding],
    absent_before: set[str],
    absent_after: set[str],
    keep: list[bool],
    moves: list[bool],
    narrow: bool,
) -> None:
    a = registry(country_a, held_a, absent_before)
    kept = [h for h, k in zip(held_a, keep, strict=False) if k]
    country = [y if m else x for x, y, m in zip(country_a, country_b, moves, strict=True)]
    b = registry(country, kept + extra, absent_after)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'ownergate.db'}"
        upgrade(url)
        db = Database(url)
        try:
            files = SnapshotStore(Path(tmp) / "data")
            first = save(files, db, "a", a)
            later = save(files, db, "b", b)
            with db.write() as repos:
                repos.snapshots.activate(first, actor="key:admin")
                version = repos.policies.active().version
                policy = repos.policies.active().policy()
            # Both ways of finding the accounts in scope: by index, or reading the base.
            portfolio = PortfolioService(
                db, Deciders(db, files), files, batch=3, narrow=1_000 if narrow else 0
            )
            portfolio.load(ACCOUNTS, actor=ACTOR)
            portfolio.screen(actor=ACTOR, day=DAY)
            report = portfolio.rescreen(first, later, actor=ACTOR, day=DAY)
            assert report.accounts <= len(ACCOUNTS)
            reference = Decider(policy, *b, as_of=DAY)
            pair = Pair(version, later)
            with db.read() as repos:
                for row in ACCOUNTS:
                    got = current_verdict(repos, row.id).decision
                    assert got is not None
                    want = decide(
                        reference,
                        pair,
                        Subject(row.organisation_name, row.declared_country, row.entity_id),
                        DAY,
                    )
                    assert (
                        got.status,
                        got.reason,
                        got.share_min,
                        got.share_max,
                        got.entity_id,
                    ) == (
                        want.status,
                        want.reason,
                        want.share_min,
                        want.share_max,
                        want.entity_id,
                    ), row.id
        finally:
            db.dispose()
