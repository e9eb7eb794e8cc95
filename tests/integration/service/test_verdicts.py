"""The effective verdict: the newest decision and the override in force, read in one query
that must agree with the store's own ``OverrideRepository.active_for``."""

from __future__ import annotations

import datetime as dt

from ownergate.service.verdicts import current_verdict, override_in_force
from ownergate.store import Database

NOW = dt.datetime.now(dt.UTC)


def _decide(db: Database, status: str) -> int:
    with db.write() as store:
        return store.decisions.append(
            "acct-1",
            status=status,
            reason="ownership" if status == "restricted" else "none",
            share_min=0.6 if status == "restricted" else 0.0,
            share_max=0.6 if status == "restricted" else 0.0,
            method="control",
            evidence={"flags": []},
            policy_version=1,
            entity_id="SGS",
            # The same evidence throughout: these tests are about which override counts.
            seed_path=["CNP", "SGS"],
            actor="key:analyst",
        ).id


def _override(db: Database, verdict: str, days: int, review: str | None, by: str) -> int:
    with db.write() as store:
        current = store.decisions.current("acct-1")
        override = store.overrides.request(
            "acct-1",
            verdict=verdict,
            reason="because",
            expires_at=NOW + dt.timedelta(days=days),
            actor="key:a",
            decision_id=None if current is None else current.id,
        )
        if review is not None:
            store.overrides.review(override.id, outcome=review, reason="checked", actor=by)
        return override.id


def _agree(db: Database, at: dt.datetime) -> int | None:
    with db.read() as store:
        theirs = store.overrides.active_for("acct-1", at)
        ours = override_in_force(store, "acct-1", at)
    assert (None if theirs is None else theirs.id) == (None if ours is None else ours.id)
    return None if ours is None else ours.id


def test_the_override_in_force_is_the_one_the_store_names(db: Database) -> None:
    with db.write() as store:
        store.accounts.upsert("acct-1", organisation_name="Lion", declared_country="SG",
                              actor="key:analyst")  # fmt: skip
    _decide(db, "restricted")
    assert _agree(db, NOW) is None
    _override(db, "allow", 30, None, "")  # pending
    _override(db, "allow", 30, "reject", "key:b")
    assert _agree(db, NOW + dt.timedelta(seconds=1)) is None
    allow = _override(db, "allow", 1, "approve", "key:b")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    assert _agree(db, later) == allow
    restrict = _override(db, "restrict", 30, "approve", "key:a")  # its requester may approve
    assert _agree(db, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == restrict
    assert _agree(db, NOW + dt.timedelta(days=2)) == restrict
    assert _agree(db, NOW + dt.timedelta(days=31)) is None


def test_the_verdict_is_the_newest_decision_whatever_overrides_it_has(db: Database) -> None:
    with db.write() as store:
        store.accounts.upsert("acct-1", organisation_name="Lion", declared_country="SG",
                              actor="key:analyst")  # fmt: skip
    _decide(db, "restricted")
    _override(db, "allow", 30, "approve", "key:b")
    _override(db, "allow", 10, "approve", "key:b")
    newest = _decide(db, "allowed")
    for evidence in (False, True):
        with db.read() as store:
            verdict = current_verdict(store, "acct-1", evidence=evidence)
        assert verdict.decision.id == newest and verdict.decision.status.value == "allowed"
        assert verdict.override is not None and verdict.override.reviewed_by == "key:b"
        assert verdict.override.state.value == "approved"
        assert verdict.effective_status.value == "allowed"
        assert (verdict.decision.evidence is not None) is evidence
