"""FOR THE API FRAMEWORK TESTS ONLY: ``Services`` over a dict of API keys.

It stands in for the store so the framework (auth, roles, problems, limits, metrics) can be
tested over real HTTP before the store is wired; route tests use the store-backed services.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

from ownergate.api import Principal, Role

KEYS: Mapping[Role, str] = {
    Role.VIEWER: "test-viewer-key",
    Role.ANALYST: "test-analyst-key",
    Role.ADMIN: "test-admin-key",
}


def bearer(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[role]}"}


class KeyringFixtureServices:
    """The ``Services`` protocol over a dict; counts lookups so tests can see the cache."""

    def __init__(self) -> None:
        self.keys = {
            key: Principal(f"id-{role}", role, f"{role} key") for role, key in KEYS.items()
        }
        self.checks = {"keyring": True}
        self.lookups = 0
        self.closed = False
        self._lock = threading.Lock()

    def authenticate(self, key: str) -> Principal | None:
        with self._lock:
            self.lookups += 1
            return self.keys.get(key)

    def ready(self) -> Mapping[str, bool]:
        return dict(self.checks)

    def close(self) -> None:
        self.closed = True

    def revoke(self, key: str) -> Principal:
        with self._lock:
            return self.keys.pop(key)
