"""Policy versions: drafted from TOML, published (immutable from then on), activated.

A draft is validated in full before it is stored: the TOML must parse to a policy (a bad
key or value is a ``PolicyError`` naming it), and its name must fit the store and be
printable, since ``Policy.to_toml`` writes it back verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass

from ownergate.errors import PolicyError
from ownergate.policy.model import parse_policy
from ownergate.store import Database, NotFoundError, PolicyVersion, Repositories

MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PolicyRecord:
    policy: PolicyVersion
    active: bool


class PolicyService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def create_draft(self, toml: str, *, actor: str) -> PolicyRecord:
        """Store ``toml`` as the next version, unpublished."""
        _check_draft(toml)
        with self._db.write() as store:
            return PolicyRecord(store.policies.create_draft(toml, actor=actor), False)

    def publish(self, version: int, *, actor: str) -> PolicyRecord:
        with self._db.write() as store:
            published = store.policies.publish(version, actor=actor)
            return PolicyRecord(published, _active_version(store) == version)

    def activate(self, version: int, *, actor: str) -> PolicyRecord:
        """Make a published version the active one from now on."""
        with self._db.write() as store:
            store.policies.activate(version, actor=actor)
            return PolicyRecord(store.policies.get(version), True)

    def get(self, version: int) -> PolicyRecord:
        with self._db.read() as store:
            return PolicyRecord(store.policies.get(version), _active_version(store) == version)

    def list(self) -> list[PolicyRecord]:
        """Every version, drafts included, oldest first."""
        with self._db.read() as store:
            active = _active_version(store)
            return [PolicyRecord(p, p.version == active) for p in store.policies.list()]


def _active_version(store: Repositories) -> int | None:
    try:
        return store.policies.active().version
    except NotFoundError:
        return None


def _check_draft(toml: str) -> None:
    try:
        policy = parse_policy(toml, "policy")
    except RecursionError:
        raise PolicyError("malformed TOML: nested too deeply", file="policy") from None
    name = policy.name
    if len(name) > MAX_NAME_LENGTH:
        raise PolicyError(f"is longer than {MAX_NAME_LENGTH} characters", field="name")
    if any(not c.isprintable() for c in name):
        raise PolicyError("contains control characters", field="name")
