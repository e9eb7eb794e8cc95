"""Where ownergate is unsure, it fails closed: an override does not outlive the evidence
it was approved on, unmatched accounts are found abroad or surface for review, a pending
link is decided on its most restrictive candidate, and Chinese names meet across scripts.
Each test is a failure seen by an analyst; run on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ownergate.domain.model import Status
from ownergate.portfolio.events import JsonLinesSink
from ownergate.service import (
    AccountFields,
    AccountService,
    Deciders,
    OverrideService,
    PortfolioService,
)
from ownergate.service.decision_list import DecisionListService
from ownergate.service.verdicts import current_verdict
from ownergate.snapshots import SnapshotStore
from ownergate.store import ConflictError, Database, Verdict
from tests.integration.service.registry import activate_policy
from tests.integration.service.uncertain_registry import (
    ACCOUNTS,
    OTHER,
    REVIEW,
    WORSE,
    register,
    save,
)

A, B = "key:analyst-a", "key:analyst-b"
LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=365)


def _services(db: Database, data_dir: Path) -> tuple[PortfolioService, AccountService]:
    deciders = Deciders(db, SnapshotStore(data_dir))
    return (
        PortfolioService(db, deciders, SnapshotStore(data_dir)),
        AccountService(db, deciders),
    )


def _allow(db: Database, account: str) -> int:
    overrides = OverrideService(db)
    requested = overrides.request(
        account, verdict=Verdict.ALLOW, reason="RU1 holds 30%", expires_at=LATER, actor=A
    )
    overrides.approve(requested.id, reason="checked the register", actor=B)
    return requested.id


def _verdict(db: Database, account: str):  # type: ignore[no-untyped-def]
    with db.read() as store:
        return current_verdict(store, account)


def test_an_override_lapses_when_the_registry_makes_the_account_worse(
    db: Database, data_dir: Path, tmp_path: Path
) -> None:
    first = register(db, save(data_dir, "reg1", REVIEW))
    portfolio, _ = _services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=A)
    portfolio.screen(actor=A)
    assert _verdict(db, "a-tgt").decision.status.value == "review"
    override_id = _allow(db, "a-tgt")
    assert _verdict(db, "a-tgt").effective_status.value == "allowed"

    later = register(db, save(data_dir, "reg2", WORSE), activate=False)
    events = tmp_path / "flips.jsonl"
    portfolio.rescreen(first, later, actor=A, sinks=[JsonLinesSink(events)])

    verdict = _verdict(db, "a-tgt")
    assert verdict.decision.status.value == "restricted"
    assert verdict.override is None and verdict.effective_status.value == "restricted"
    assert verdict.lapsed is not None and verdict.lapsed.id == override_id
    assert any("status review → restricted" in r for r in verdict.lapsed.lapse_reasons)
    (flip,) = [json.loads(line) for line in events.read_text().splitlines()]
    assert (flip["from_effective_status"], flip["to_effective_status"]) == (
        "allowed",
        "restricted",
    )
    assert flip["override_lapsed"]["id"] == override_id
    queue = OverrideService(db).reapproval_queue()
    assert [i.override.id for i in queue.items] == [override_id]
    assert queue.items[0].bound is not None and queue.items[0].bound.status.value == "review"
    # A new override on the new evidence takes the account out of the queue.
    OverrideService(db).request(
        "a-tgt", verdict=Verdict.ALLOW, reason="still fine", expires_at=LATER, actor=A
    )
    assert OverrideService(db).reapproval_queue().items == []


def test_an_override_lapses_on_other_evidence_and_never_comes_back(
    db: Database, data_dir: Path
) -> None:
    first = register(db, save(data_dir, "reg1", REVIEW))
    _, accounts = _services(db, data_dir)
    accounts.put("a-tgt", AccountFields("Rhein", "DE", registry_entity_id="TGT"), actor=A)
    override_id = _allow(db, "a-tgt")
    # The same share, held by another Russian company: a different seed path.
    register(db, save(data_dir, "reg3", OTHER))
    redecided = accounts.redecide("a-tgt", actor=A)
    assert redecided.verdict.decision.status.value == "review"
    assert redecided.verdict.effective_status.value == "review"
    assert redecided.verdict.lapsed is not None
    assert any(
        "seed path RU1 → TGT → RU2 → TGT" in r for r in redecided.verdict.lapsed.lapse_reasons
    )
    # The evidence goes back to what the override was approved on: it stays lapsed.
    with db.write() as store:
        store.snapshots.activate(first, actor="key:admin")
    back = accounts.redecide("a-tgt", actor=A)
    assert back.verdict.effective_status.value == "review"
    assert OverrideService(db).get(override_id).state.value == "lapsed"


def test_an_override_is_approved_on_the_evidence_it_was_requested_on_or_not_at_all(
    db: Database, data_dir: Path
) -> None:
    register(db, save(data_dir, "reg1", REVIEW))
    _, accounts = _services(db, data_dir)
    first = accounts.put("a-tgt", AccountFields("Rhein", "DE", registry_entity_id="TGT"), actor=A)
    overrides = OverrideService(db)
    pending = overrides.request(
        "a-tgt", verdict=Verdict.ALLOW, reason="r", expires_at=LATER, actor=A
    )
    assert pending.decision_id == first.verdict.decision.id
    register(db, save(data_dir, "reg2", WORSE))
    accounts.redecide("a-tgt", actor=A)
    with pytest.raises(ConflictError, match="decided again since this override was requested"):
        overrides.approve(pending.id, reason="ok", actor=B)
    with pytest.raises(ConflictError, match="no longer account 'a-tgt'"):
        overrides.request(
            "a-tgt",
            verdict=Verdict.ALLOW,
            reason="r",
            expires_at=LATER,
            actor=A,
            decision_id=first.verdict.decision.id,
        )
    # A restriction is the safe direction: it stays in force whatever the evidence does.
    restrict = overrides.request(
        "a-tgt", verdict=Verdict.RESTRICT, reason="r", expires_at=LATER, actor=A
    )
    overrides.approve(restrict.id, reason="ok", actor=A)
    register(db, save(data_dir, "reg3", OTHER))
    assert accounts.redecide("a-tgt", actor=A).verdict.effective_status.value == "restricted"


def test_unmatched_accounts_are_found_abroad_or_surface_for_review(
    db: Database, data_dir: Path
) -> None:
    register(db, save(data_dir, "reg1", REVIEW))
    portfolio, accounts = _services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=A)
    portfolio.screen(actor=A)
    dragon = _verdict(db, "a-dragon").decision
    # Declared KY, registered in CN: a candidate abroad, decided as it (a region seed).
    assert dragon.status.value == "restricted" and dragon.reason.value == "region"
    assert dragon.flags[:2] == ("unverified", "link_review")
    huaxin = _verdict(db, "a-huaxin").decision
    assert "link_review" in huaxin.flags
    shenzhen = _verdict(db, "a-shenzhen").decision
    assert shenzhen.entity_id == "SZ1" and shenzhen.status.value == "restricted"
    nobody = _verdict(db, "a-nobody").decision
    assert (nobody.status.value, nobody.flags) == ("allowed", ("unverified",))
    listed = [i.account_id for i in DecisionListService(db).all(flag="unverified")]
    assert listed == ["a-dragon", "a-huaxin", "a-nobody", "a-twin"]
    with db.read() as store:
        queued = {link.account_id: link.outcome.value for link in store.links.queue()}
        dragon_link = store.links.get("a-dragon")
    assert queued == {
        "a-dragon": "review",
        "a-huaxin": "review",
        "a-nobody": "unmatched",
        "a-twin": "review",
    }
    assert dragon_link is not None
    assert dragon_link.candidates[0]["country"] == "CN"
    assert dragon_link.candidates[0]["country_mismatch"] is True


def test_a_pending_link_is_decided_on_its_most_restrictive_candidate(
    db: Database, data_dir: Path
) -> None:
    register(db, save(data_dir, "reg1", REVIEW))
    portfolio, accounts = _services(db, data_dir)
    portfolio.load(ACCOUNTS, actor=A)
    portfolio.screen(actor=A)
    with db.read() as store:
        twin = store.decisions.current("a-twin")
    assert twin is not None
    assert (twin.status.value, twin.entity_id) == ("restricted", None)
    assert twin.flags[:2] == ["unverified", "link_review"]
    assert twin.evidence["pending_link"]["driven_by"] == "TWR"
    assert {c["entity_id"] for c in twin.evidence["pending_link"]["candidates"]} == {
        "TWR",
        "TWA",
    }
    # The bulk summary names every holding that counts, and the sum they make.
    assert [(c["owner"], c["share"]) for c in twin.evidence["contributions"]] == [("CNP", 0.7)]
    assert twin.evidence["arithmetic"] == "CNP 70%: 70% > 50%"
    assert twin.evidence["seed_path"] == ["CNP", "TWR"]
    # The service alone gives the same decision, and so appends nothing; a replay too.
    assert not accounts.redecide("a-twin", actor=A).new_decision
    from ownergate.service import ReplayService

    replays = ReplayService(db, Deciders(db, SnapshotStore(data_dir)))
    assert replays.replay(twin.id).same


@pytest.mark.parametrize(
    ("toml", "status", "flags"),
    [
        ("", "review", ("unverified", "offshore_declaration")),
        ('unverified_signals = ["region_name"]\n', "allowed", ("unverified",)),
        ('unverified = "review"\nunverified_signals = []\n', "review", ("unverified",)),
        ('offshore_countries = ["KY"]\n', "allowed", ("unverified",)),
    ],
)
def test_the_policy_decides_what_unverified_means(
    db: Database, data_dir: Path, toml: str, status: str, flags: tuple[str, ...]
) -> None:
    activate_policy(db, 'name = "p"\n' + toml)
    _, accounts = _services(db, data_dir)
    decided = accounts.put("acct-1", AccountFields("Lumen Harbour Pte", "SG"), actor=A)
    assert (decided.verdict.decision.status.value, decided.verdict.decision.flags) == (
        status,
        flags,
    )


@pytest.mark.parametrize(
    ("fields", "signal"),
    [
        (AccountFields("Huaxin Technology Pte Ltd", "GB"), "region_name"),
        (AccountFields("ООО Ромашка", "DE"), "region_name"),
        (AccountFields("Harbour Widgets Ltd", "GB", parent_country="CN"), "parent_in_region"),
        (AccountFields("Harbour Widgets Ltd", "KY"), "offshore_declaration"),
    ],
)
def test_each_risk_signal_sends_an_unverified_account_to_review(
    db: Database, data_dir: Path, fields: AccountFields, signal: str
) -> None:
    _, accounts = _services(db, data_dir)
    decided = accounts.put("acct-1", fields, actor=A).verdict.decision
    assert decided.status.value == "review" and signal in decided.flags
    plain = accounts.put("acct-2", AccountFields("Harbour Widgets Ltd", "GB"), actor=A)
    assert plain.verdict.decision.status.value == "allowed"


def test_a_bulk_screen_gives_unverified_accounts_the_services_decision(
    db: Database, data_dir: Path
) -> None:
    from ownergate.store import AccountRow

    register(db, save(data_dir, "reg1", REVIEW))
    portfolio, accounts = _services(db, data_dir)
    rows = [
        *ACCOUNTS,
        AccountRow("a-parent", "Harbour Widgets Ltd", "GB", parent_country="RU"),
        AccountRow("a-cyrillic", "ООО Ромашка", "DE"),
        AccountRow("a-plain", "Harbour Widgets Ltd", "GB"),
    ]
    portfolio.load(rows, actor=A)
    portfolio.screen(actor=A)
    with db.read() as store:
        assert store.accounts.get("a-parent").parent_country == "RU"
    assert _verdict(db, "a-parent").decision.flags == ("unverified", "parent_in_region")
    assert _verdict(db, "a-cyrillic").decision.flags == ("unverified", "region_name")
    assert _verdict(db, "a-plain").decision.status.value == "allowed"
    for row in rows:
        assert not accounts.redecide(row.id, actor=A).new_decision, row.id
    reviewed = DecisionListService(db).page(status=Status.REVIEW, limit=50)
    assert {"a-parent", "a-cyrillic", "a-huaxin"} <= {i.account_id for i in reviewed.items}
    assert all(i.decision.status is Status.REVIEW for i in reviewed.items)
