"""Whole-base screening and re-screening of stored accounts: the same outcomes as the
decision service gives each account alone, resumable, and re-deciding only what a registry
change can reach."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from ownergate.portfolio.events import JsonLinesSink
from ownergate.service import AccountService, Deciders, PortfolioService
from ownergate.snapshots import SnapshotStore
from ownergate.store import AccountRow, Database
from tests.integration.service.registry import (
    HK_LEI,
    LATER_HOLDINGS,
    activate_snapshot,
    save_snapshot,
)

ACTOR = "key:analyst"
ACCOUNTS = [
    AccountRow("a-sgs", "Lion City Pte", "SG", entity_id="SGS"),
    AccountRow("a-hk", "Harbour Trading Ltd", "HK", lei=HK_LEI),
    AccountRow("a-hold", "Neutral Holding AG", "CH"),  # found by name
    AccountRow("a-cn", "Unknown Dragon Ltd", "CN"),  # no match: its declared country
    AccountRow("a-fr", "Nobody Sarl", "FR"),
    AccountRow("a-par", "Paris Widgets", "FR"),  # found by name
]


def services(
    db: Database, data_dir: Path, batch: int = 100
) -> tuple[PortfolioService, AccountService]:
    deciders = Deciders(db, SnapshotStore(data_dir))
    return (
        PortfolioService(db, deciders, SnapshotStore(data_dir), batch=batch),
        AccountService(db, deciders),
    )


def statuses(db: Database) -> dict[str, tuple[str, str, str | None]]:
    from ownergate.service.verdicts import current_verdict

    out = {}
    with db.read() as store:
        for row in ACCOUNTS:
            d = current_verdict(store, row.id).decision
            assert d is not None
            out[row.id] = (d.status.value, d.reason.value, d.entity_id)
    return out


def test_a_whole_base_screen_gives_each_account_the_services_decision(
    db: Database, data_dir: Path
) -> None:
    activate_snapshot(db, data_dir, "reg1")
    portfolio, accounts = services(db, data_dir)
    assert portfolio.load(ACCOUNTS, actor=ACTOR) == (len(ACCOUNTS), 0)
    report = portfolio.screen(actor=ACTOR)
    assert report.counts["accounts"] == len(ACCOUNTS) == report.counts["appended"]
    assert statuses(db) == {
        "a-sgs": ("restricted", "ownership", "SGS"),
        "a-hk": ("restricted", "ownership", HK_LEI),
        "a-hold": ("allowed", "none", "HOLD"),
        "a-cn": ("restricted", "region", None),
        "a-fr": ("allowed", "none", None),
        "a-par": ("allowed", "none", "FRX"),
    }
    # Deciding each account alone through the service finds nothing to change.
    for row in ACCOUNTS:
        assert not accounts.redecide(row.id, actor=ACTOR).new_decision, row.id
    # Screening again appends nothing either.
    again = portfolio.screen(actor=ACTOR)
    assert again.counts["appended"] == 0 and again.run_id != report.run_id


def test_unverified_accounts_are_flagged_and_name_links_recorded(
    db: Database, data_dir: Path
) -> None:
    activate_snapshot(db, data_dir, "reg1")
    portfolio, _ = services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=ACTOR)
    portfolio.screen(actor=ACTOR)
    with db.read() as store:
        cn = store.decisions.current("a-cn")
        hold = store.decisions.current("a-hold")
        link = store.links.get("a-hold")
        assert cn is not None and hold is not None and link is not None
        assert cn.evidence["flags"] == ["unverified"]
        assert hold.evidence["resolution"]["by"] == "name"
        assert (link.outcome.value, link.entity_id) == ("linked", "HOLD")
        assert store.accounts.get("a-hold").entity_id is None  # a link, not an identifier


class Interrupt(Exception):
    pass


class FailAfter:
    """A sink that breaks the run after ``n`` batches, as a crash would."""

    def __init__(self, n: int) -> None:
        self.left = n

    def emit(self, _events: Sequence[Mapping[str, Any]]) -> None:
        self.left -= 1
        if self.left < 0:
            raise Interrupt

    def close(self) -> None:
        pass


def test_an_interrupted_screen_resumes_after_its_last_batch(db: Database, data_dir: Path) -> None:
    activate_snapshot(db, data_dir, "reg1")
    portfolio, _ = services(db, data_dir, batch=2)
    portfolio.load(ACCOUNTS, actor=ACTOR)
    with pytest.raises(Interrupt):
        portfolio.screen(actor=ACTOR, sinks=[FailAfter(1)])
    with db.read() as store:
        (run,) = store.runs.latest()
        assert run.finished_at is None and run.counts["accounts"] == 4
        # The counters landed with their batches: every stored link is counted.
        assert _links_counted(run.counts) == _links_stored(store) == 3
        cursor = run.cursor
    report = portfolio.screen(actor=ACTOR)
    assert report.run_id == run.id and report.resumed_after == cursor
    assert report.counts["accounts"] == len(ACCOUNTS) == report.counts["appended"]
    with db.read() as store:
        assert store.runs.get(run.id).finished_at is not None
        assert _links_counted(store.runs.get(run.id).counts) == _links_stored(store) == 4
        for row in ACCOUNTS:
            assert len(store.decisions.history(row.id)) == 1
    assert report.counts == {**report.counts, "links.linked": 2, "links.unmatched": 2}


def _links_counted(counts: Mapping[str, int]) -> int:
    return sum(v for k, v in counts.items() if k.startswith("links."))


def _links_stored(store: Any) -> int:
    return len(store.links.states())


def test_a_rescreen_re_decides_only_what_the_change_reaches_and_emits_flips(
    db: Database, data_dir: Path, tmp_path: Path
) -> None:
    first = activate_snapshot(db, data_dir, "reg1")
    portfolio, _ = services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=ACTOR)
    portfolio.screen(actor=ACTOR)
    later = save_snapshot(data_dir, "reg2", LATER_HOLDINGS)
    with db.write() as store:
        store.snapshots.register("reg2", later.manifest, actor="key:admin")
    events = tmp_path / "flips.jsonl"
    report = portfolio.rescreen(first, later.digest, actor=ACTOR, sinks=[JsonLinesSink(events)])
    # Only the SGS holding changed: SGS is the one entity downstream of it.
    assert report.scope_entities == 1 and report.accounts == 1
    assert report.counts["appended"] == 1 == report.counts["flips"]
    (flip,) = [json.loads(line) for line in events.read_text().splitlines()]
    assert (flip["account_id"], flip["from_status"], flip["to_status"]) == (
        "a-sgs",
        "restricted",
        "allowed",
    )
    assert statuses(db)["a-sgs"] == ("allowed", "none", "SGS")
    with db.read() as store:
        assert store.decisions.current("a-hk").snapshot_digest == first  # untouched
        assert store.decisions.current("a-sgs").snapshot_digest == later.digest


def test_a_bulk_decision_replays_to_the_same_outcome_with_its_full_evidence(
    db: Database, data_dir: Path
) -> None:
    from ownergate.explain import verify
    from ownergate.service import ReplayService

    activate_snapshot(db, data_dir, "reg1")
    portfolio, _ = services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=ACTOR)
    portfolio.screen(actor=ACTOR)
    replays = ReplayService(db, Deciders(db, SnapshotStore(data_dir)))
    with db.read() as store:
        ids = {row.id: store.decisions.current(row.id).id for row in ACCOUNTS}  # type: ignore[union-attr]
        summary = store.decisions.current("a-sgs").evidence  # type: ignore[union-attr]
    assert summary["detail"] == "summary"
    assert [step["owner"] for step in summary["path"]] == ["CNP"]
    for account, decision_id in ids.items():
        report = replays.replay(decision_id)
        assert report.same, account
        assert verify(report.replayed.evidence).ok, account


def test_a_rescreen_refuses_a_base_not_screened_on_the_snapshot_it_starts_from(
    db: Database, data_dir: Path
) -> None:
    from ownergate.store import ConflictError

    first = activate_snapshot(db, data_dir, "reg1")
    later = save_snapshot(data_dir, "reg2", LATER_HOLDINGS)
    with db.write() as store:
        store.snapshots.register("reg2", later.manifest, actor="key:admin")
    portfolio, _ = services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=ACTOR)
    with pytest.raises(ConflictError, match="never screened"):
        portfolio.rescreen(first, later.digest, actor=ACTOR)
    portfolio.screen(actor=ACTOR)
    # From reg2 the other accounts would not rest where the re-screen assumes they do.
    with pytest.raises(ConflictError, match="last screened under policy version 1"):
        portfolio.rescreen(later.digest, first, actor=ACTOR)


def test_a_rescreen_finds_accounts_by_lei_and_by_name_link(
    db: Database, data_dir: Path, tmp_path: Path
) -> None:
    from ownergate.domain.model import Holding
    from ownergate.domain.shares import Share

    first = activate_snapshot(db, data_dir, "reg1")
    portfolio, _ = services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=ACTOR)
    portfolio.screen(actor=ACTOR)
    # The Chinese parent takes control of the holding (a-hold: linked by name) and lets go
    # of the Hong Kong company (a-hk: found by its LEI).
    changed = [
        Holding("CNP", "SGS", Share.exact("0.6")),
        Holding("CNP", "HOLD", Share.exact("0.6")),
        Holding("CNP", HK_LEI, Share.exact("0.4")),
    ]
    later = save_snapshot(data_dir, "reg3", changed)
    with db.write() as store:
        store.snapshots.register("reg3", later.manifest, actor="key:admin")
    events = tmp_path / "flips.jsonl"
    report = portfolio.rescreen(first, later.digest, actor=ACTOR, sinks=[JsonLinesSink(events)])
    flips = {
        e["account_id"]: e["to_status"]
        for e in (json.loads(line) for line in events.read_text().splitlines())
    }
    assert flips == {"a-hold": "restricted", "a-hk": "allowed"}
    assert report.accounts == 2
