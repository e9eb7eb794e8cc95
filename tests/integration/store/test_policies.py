"""Policy versions: numbered drafts, immutable once published, activated by appending."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from ownergate.errors import InputError, PolicyError
from ownergate.policy.model import Comparator, parse_policy
from ownergate.store import ConflictError, Database, NotFoundError

OFAC = """# OFAC's 50 percent rule
name = "ofac-style"
effective_from = 2026-01-01
regions = ["RU", "IR"]
comparator = ">="
"""


def test_drafts_are_numbered_and_kept_canonical(db: Database) -> None:
    with db.write() as store:
        draft = store.policies.create_draft(OFAC, actor="key:admin")
    assert draft.version == 2 and not draft.published
    assert draft.name == "ofac-style" and draft.effective_from == dt.date(2026, 1, 1)
    assert "# OFAC" not in draft.toml and "version = 2" in draft.toml
    assert draft.sha256 == hashlib.sha256(draft.toml.encode()).hexdigest()
    policy = draft.policy()
    assert policy == parse_policy(OFAC).model_copy(update={"version": 2})
    assert policy.comparator is Comparator.GE

    with pytest.raises(PolicyError) as raised, db.write() as store:
        store.policies.create_draft("version = 7\n" + OFAC, actor="key:admin")
    assert raised.value.field == "version" and "version 3" in str(raised.value)
    with pytest.raises(PolicyError) as raised, db.write() as store:
        store.policies.create_draft('regions = ["CHN"]', actor="key:admin")
    assert raised.value.field == "regions"
    with db.read() as store:
        assert [p.version for p in store.policies.list()] == [1, 2]


def test_publish_once_and_activate_only_published(db: Database) -> None:
    with db.write() as store:
        draft = store.policies.create_draft(OFAC, actor="key:admin")
    with pytest.raises(ConflictError, match="draft"), db.write() as store:
        store.policies.activate(draft.version, actor="key:admin")
    with db.write() as store:
        published = store.policies.publish(draft.version, actor="key:admin")
    assert published.published_at is not None
    with pytest.raises(ConflictError, match="published already"), db.write() as store:
        store.policies.publish(draft.version, actor="key:admin")
    with pytest.raises(NotFoundError), db.write() as store:
        store.policies.publish(99, actor="key:admin")
    with db.read() as store:
        assert store.policies.get(draft.version).published_at == published.published_at


def test_activation_history_is_appended(db: Database) -> None:
    with db.write() as store:
        v2 = store.policies.create_draft(OFAC, actor="key:admin").version
        store.policies.publish(v2, actor="key:admin")
    with db.write() as store:
        store.policies.activate(v2, actor="key:ana")
    with db.read() as store:
        assert store.policies.active().version == v2
    with db.write() as store:
        store.policies.activate(1, actor="key:bob")
    with db.read() as store:
        assert store.policies.active().version == 1
        history = store.policies.activations()
        assert [(a.version, a.activated_by) for a in history] == [
            (1, "system"),
            (v2, "key:ana"),
            (1, "key:bob"),
        ]
        assert history[0].active_from <= history[1].active_from <= history[2].active_from
        # What was active at a past moment stays what it was.
        assert store.policies.active(at=history[1].active_from).version == v2
        with pytest.raises(NotFoundError, match="no policy is active"):
            store.policies.active(at=history[0].active_from - dt.timedelta(seconds=1))


def test_activations_can_be_scheduled_but_not_backdated(db: Database) -> None:
    now = dt.datetime.now(dt.UTC)
    with db.write() as store:
        v2 = store.policies.create_draft(OFAC, actor="key:admin").version
        store.policies.publish(v2, actor="key:admin")
        store.policies.activate(v2, actor="key:admin", active_from=now + dt.timedelta(days=1))
    with db.read() as store:
        assert store.policies.active().version == 1
        assert store.policies.active(at=now + dt.timedelta(days=2)).version == v2
    with pytest.raises(InputError, match="backdated"), db.write() as store:
        store.policies.activate(v2, actor="key:admin", active_from=now - dt.timedelta(days=1))
