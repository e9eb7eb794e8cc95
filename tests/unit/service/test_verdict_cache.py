"""The verdict cache's own rules, driven by a scripted change feed: what a poll names is
forgotten, a read that raced a change is not kept, overrides and the ttl expire entries."""

from __future__ import annotations

import datetime as dt

from ownergate.domain.model import Reason, Status
from ownergate.service.verdict_cache import VerdictCache
from ownergate.service.verdicts import DecisionRecord, EffectiveVerdict, OverrideRecord
from ownergate.store import ReviewOutcome, Verdict
from ownergate.store.changes import NOTHING, Changes
from ownergate.store.overrides import OverrideState

NOW = dt.datetime.now(dt.UTC)


class ScriptedFeed:
    """Answers each poll with the next scripted ``Changes``, then with nothing."""

    def __init__(self) -> None:
        self.queued: list[Changes] = []
        self.closed = False

    def poll(self) -> Changes:
        return self.queued.pop(0) if self.queued else NOTHING

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def verdict(
    account: str, decision_id: int = 1, override_days: float | None = None
) -> EffectiveVerdict:
    record = DecisionRecord(
        id=decision_id,
        account_id=account,
        entity_id=None,
        status=Status.ALLOWED,
        reason=Reason.NONE,
        share_min=0.0,
        share_max=0.0,
        method="control",
        policy_version=1,
        snapshot_digest=None,
        computed_at=NOW,
        recorded_at=NOW,
        supersedes=None,
    )
    override = None
    if override_days is not None:
        override = OverrideRecord(
            id=7,
            account_id=account,
            verdict=Verdict.RESTRICT,
            reason="r",
            expires_at=NOW + dt.timedelta(days=override_days),
            requested_by="a",
            requested_at=NOW,
            state=OverrideState.APPROVED,
            reviewed_by="b",
            review_outcome=ReviewOutcome.APPROVE,
            review_reason="ok",
            reviewed_at=NOW,
        )
    return EffectiveVerdict(account, record, override)


def make(**options: float) -> tuple[VerdictCache, ScriptedFeed, Clock]:
    feed, clock = ScriptedFeed(), Clock()
    return VerdictCache(feed, clock=clock, **options), feed, clock  # type: ignore[arg-type]


def test_a_verdict_put_is_served_until_the_feed_names_its_account() -> None:
    cache, feed, _ = make()
    assert cache.get("a") is None
    cache.put(verdict("a"), cache.token())
    cache.put(verdict("b"), cache.token())
    assert cache.get("a") == verdict("a")
    feed.queued.append(Changes(accounts=frozenset({"a"})))
    assert cache.get("a") is None
    assert cache.get("b") == verdict("b")
    assert cache.stats().hits == 2


def test_everything_forgets_every_account() -> None:
    cache, feed, _ = make()
    for name in "abc":
        cache.put(verdict(name), cache.token())
    feed.queued.append(Changes(everything=True))
    assert [cache.get(name) for name in "abc"] == [None, None, None]


def test_a_read_taken_before_a_change_is_not_kept() -> None:
    cache, feed, _ = make()
    token = cache.token()  # a reader starts reading the store
    feed.queued.append(Changes(accounts=frozenset({"a"})))
    assert cache.get("a") is None  # another lookup sees the change first
    cache.put(verdict("a", decision_id=1), token)  # the old read arrives late
    assert cache.get("a") is None
    cache.put(verdict("a", decision_id=2), cache.token())
    found = cache.get("a")
    assert found is not None and found.decision.id == 2


def test_forget_drops_an_account_and_stale_reads_with_it() -> None:
    cache, _, _ = make()
    token = cache.token()
    cache.put(verdict("a"), token)
    cache.forget("a")
    assert cache.get("a") is None
    cache.put(verdict("a"), token)
    assert cache.get("a") is None


def test_nothing_is_kept_while_the_feed_is_not_live() -> None:
    cache, feed, _ = make()
    cache.put(verdict("a"), cache.token())
    feed.queued.append(Changes(everything=True, live=False))
    assert cache.get("a") is None
    token = cache.token()
    cache.put(verdict("a"), token)
    assert cache.get("a") is None
    feed.queued.append(Changes(everything=True))  # live again
    cache.put(verdict("a"), cache.token())
    assert cache.get("a") == verdict("a")


def test_entries_expire_after_the_ttl() -> None:
    cache, _, clock = make(ttl=10.0)
    cache.put(verdict("a"), cache.token())
    clock.now = 9.9
    assert cache.get("a") is not None
    clock.now = 10.0
    assert cache.get("a") is None


def test_an_expired_override_is_not_served() -> None:
    cache, _, _ = make()
    cache.put(verdict("a", override_days=-0.001), cache.token())
    cache.put(verdict("b", override_days=1), cache.token())
    assert cache.get("a") is None
    assert cache.get("b") is not None


def test_the_least_recently_used_entry_goes_first() -> None:
    cache, _, _ = make(max_entries=2)
    cache.put(verdict("a"), cache.token())
    cache.put(verdict("b"), cache.token())
    assert cache.get("a") is not None
    cache.put(verdict("c"), cache.token())
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_close_closes_the_feed() -> None:
    cache, feed, _ = make()
    cache.close()
    assert feed.closed
