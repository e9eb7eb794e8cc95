"""Replay: a stored decision recomputed on the policy version and snapshot it pins, as of
the day it was computed, gives the same result whatever is active now."""

from __future__ import annotations

from pathlib import Path

import pytest

from ownergate.service import AccountFields, AccountService, Deciders, ReplayService
from ownergate.snapshots import SnapshotStore
from ownergate.store import Database, NotFoundError
from tests.integration.service.registry import (
    LATER_HOLDINGS,
    activate_policy,
    activate_snapshot,
)

ACTOR = "key:analyst"


def test_a_decision_replays_on_its_own_pair_after_others_are_activated(
    db: Database, data_dir: Path
) -> None:
    first_digest = activate_snapshot(db, data_dir, "reg1")
    deciders = Deciders(db, SnapshotStore(data_dir))
    service = AccountService(db, deciders)
    fields = AccountFields("Lion City Pte", "SG", registry_entity_id="SGS")
    first = service.put("acct-1", fields, actor=ACTOR).verdict.decision
    unverified = service.put("acct-2", AccountFields("Amur", "RU"), actor=ACTOR).verdict.decision

    activate_policy(db)
    later_digest = activate_snapshot(db, data_dir, "reg2", LATER_HOLDINGS)
    now = service.redecide("acct-1", actor=ACTOR).verdict.decision
    assert now.status.value == "allowed" and now.snapshot_digest == later_digest
    # The account changes too: replay asks about the organisation as it was.
    service.put("acct-1", AccountFields("Lion City Pte", "KP"), actor=ACTOR)

    replays = ReplayService(db, deciders)
    report = replays.replay(first.id)
    assert report.same
    assert (report.replayed.status.value, report.replayed.reason.value) == (
        "restricted",
        "ownership",
    )
    assert report.replayed.pair.snapshot_digest == first_digest
    assert report.replayed.entity_id == "SGS"
    assert report.as_of == first.computed_at.date()
    assert replays.replay(now.id).same
    assert replays.replay(unverified.id).replayed.flags == ("unverified",)


def test_replaying_an_unknown_decision_is_not_found(db: Database, data_dir: Path) -> None:
    with pytest.raises(NotFoundError):
        ReplayService(db, Deciders(db, SnapshotStore(data_dir))).replay(999)
