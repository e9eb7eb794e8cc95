"""Overrides: requested, reviewed once; allowing needs a second, different principal."""

from __future__ import annotations

import datetime as dt

import pytest

from ownergate.errors import InputError
from ownergate.store import (
    ConflictError,
    Database,
    OverrideState,
    PermissionDeniedError,
    Verdict,
)

NOW = dt.datetime.now(dt.UTC)
LATER = NOW + dt.timedelta(days=90)


@pytest.fixture
def account(db: Database) -> str:
    with db.write() as store:
        store.accounts.upsert("acct", organisation_name="Lion City Pte", declared_country="SG",
                              actor="admin")  # fmt: skip
    return "acct"


def test_a_requester_cannot_approve_their_own_allow(db: Database, account: str) -> None:
    with db.write() as store:
        override = store.overrides.request(account, verdict="allow", reason="licence",
                                           expires_at=LATER, actor="key:ana")  # fmt: skip
    with pytest.raises(PermissionDeniedError, match="another principal"), db.write() as store:
        store.overrides.review(override.id, outcome="approve", reason="mine", actor="key:ana")
    with db.read() as store:
        assert store.overrides.active_for(account) is None
        assert store.overrides.state(override.id) is OverrideState.PENDING
        assert store.overrides.review_of(override.id) is None

    with db.write() as store:
        review = store.overrides.review(override.id, outcome="approve", reason="seen licence",
                                        actor="key:bob")  # fmt: skip
    assert review.reviewer == "key:bob"
    with db.read() as store:
        active = store.overrides.active_for(account)
        assert active is not None and active.id == override.id
        assert active.verdict is Verdict.ALLOW and active.requested_by == "key:ana"
        assert store.overrides.state(override.id) is OverrideState.APPROVED
        assert store.overrides.active_for(account, at=LATER) is None
        assert store.overrides.state(override.id, at=LATER) is OverrideState.EXPIRED
        actions = [e.action for e in store.audit.entries(object_type="override")]
        assert actions == ["override.request", "override.approve"]
    with pytest.raises(ConflictError, match="reviewed already"), db.write() as store:
        store.overrides.review(override.id, outcome="reject", reason="late", actor="key:carl")


def test_a_restriction_may_be_approved_by_its_requester(db: Database, account: str) -> None:
    with db.write() as store:
        override = store.overrides.request(account, verdict="restrict", reason="news report",
                                           expires_at=LATER, actor="key:ana")  # fmt: skip
        store.overrides.review(override.id, outcome="approve", reason="urgent", actor="key:ana")
    with db.read() as store:
        active = store.overrides.active_for(account)
        assert active is not None and active.verdict is Verdict.RESTRICT


def test_rejected_overrides_are_never_in_force(db: Database, account: str) -> None:
    with db.write() as store:
        override = store.overrides.request(account, verdict="allow", reason="licence",
                                           expires_at=LATER, actor="key:ana")  # fmt: skip
        # Withdrawing one's own request is a rejection, which the requester may make.
        store.overrides.review(override.id, outcome="reject", reason="withdrawn", actor="key:ana")
    with db.read() as store:
        assert store.overrides.active_for(account) is None
        assert store.overrides.state(override.id) is OverrideState.REJECTED


def test_the_latest_approved_override_counts(db: Database, account: str) -> None:
    with db.write() as store:
        first = store.overrides.request(account, verdict="allow", reason="licence",
                                        expires_at=LATER, actor="key:ana")  # fmt: skip
        second = store.overrides.request(account, verdict="restrict", reason="new owner",
                                         expires_at=LATER, actor="key:bob")  # fmt: skip
        store.overrides.review(first.id, outcome="approve", reason="ok", actor="key:bob")
    with db.write() as store:
        store.overrides.review(second.id, outcome="approve", reason="ok", actor="key:ana")
    with db.read() as store:
        active = store.overrides.active_for(account)
        assert active is not None and active.id == second.id
        assert [o.id for o in store.overrides.list_for(account)] == [second.id, first.id]


def test_bad_requests_name_their_field(db: Database, account: str) -> None:
    cases = [
        ({"verdict": "maybe"}, "verdict"),
        ({"reason": " "}, "reason"),
        ({"expires_at": NOW - dt.timedelta(seconds=1)}, "expires_at"),
        ({"expires_at": LATER.replace(tzinfo=None)}, "expires_at"),
    ]
    for change, field in cases:
        arguments = {"verdict": "allow", "reason": "r", "expires_at": LATER, **change}
        with pytest.raises(InputError) as raised, db.write() as store:
            store.overrides.request(account, actor="key:ana", **arguments)  # type: ignore[arg-type]
        assert raised.value.field == field
