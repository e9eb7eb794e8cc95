"""KeyCache on its own: expiry, bound, eviction by key id."""

from __future__ import annotations

import pytest

from ownergate.api import KeyCache, Principal, Role


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_the_ttl() -> None:
    clock = Clock()
    cache = KeyCache(ttl=5, max_entries=10, clock=clock)
    who = Principal("k1", Role.VIEWER)
    cache.put("secret", who)
    clock.now = 4.9
    assert cache.get("secret") == who
    clock.now = 5.0
    assert cache.get("secret") is None
    assert len(cache) == 0


def test_the_least_recently_used_entry_goes_first() -> None:
    cache = KeyCache(ttl=60, max_entries=2)
    cache.put("a", Principal("ka", Role.VIEWER))
    cache.put("b", Principal("kb", Role.VIEWER))
    assert cache.get("a") is not None
    cache.put("c", Principal("kc", Role.VIEWER))
    assert len(cache) == 2
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_evict_forgets_every_key_with_the_id_and_holds_no_key_in_clear() -> None:
    cache = KeyCache(ttl=60, max_entries=10)
    cache.put("old-secret", Principal("k1", Role.ADMIN))
    cache.put("other", Principal("k2", Role.ADMIN))
    assert cache.evict("k1") == 1
    assert cache.get("old-secret") is None and cache.get("other") is not None
    assert all(isinstance(digest, bytes) for digest in cache._entries)
    cache.clear()
    assert len(cache) == 0


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        KeyCache(ttl=-1, max_entries=10)
    with pytest.raises(ValueError):
        KeyCache(ttl=1, max_entries=0)
