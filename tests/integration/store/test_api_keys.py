"""API keys: shown once, stored hashed, authenticated by prefix and secret, revocable."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from ownergate.store import ConflictError, Database, NotFoundError, Role


def test_create_authenticate_revoke(db: Database) -> None:
    with db.write() as store:
        created = store.api_keys.create(role="analyst", label="Ana's laptop", actor="admin")
    assert re.fullmatch(r"og_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", created.plain)
    prefix, secret = created.plain[3:15], created.plain[16:]
    assert created.key.prefix == prefix

    with db.read() as store:
        principal = store.api_keys.authenticate(created.plain)
        assert principal is not None
        assert (principal.key_id, principal.role, principal.label) == (
            created.key.id,
            Role.ANALYST,
            "Ana's laptop",
        )
        assert principal.actor == f"key:{prefix}"
        wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
        for attempt in (
            f"og_{prefix}_{wrong}",
            f"og_{'0' * 12}_{secret}",
            created.plain + "x",
            created.plain.upper(),
            "",
            f"Bearer {created.plain}",
        ):
            assert store.api_keys.authenticate(attempt) is None, attempt

    with db.write() as store:
        store.api_keys.revoke(created.key.id, actor="admin")
    with db.read() as store:
        assert store.api_keys.authenticate(created.plain) is None
        assert store.api_keys.get(created.key.id).revoked_at is not None
    with pytest.raises(ConflictError, match="revoked already"), db.write() as store:
        store.api_keys.revoke(created.key.id, actor="admin")
    with pytest.raises(NotFoundError), db.write() as store:
        store.api_keys.revoke(10_000, actor="admin")


def test_the_secret_is_stored_nowhere(db: Database) -> None:
    with db.write() as store:
        created = store.api_keys.create(role=Role.ADMIN, label="ops", actor="bootstrap")
    secret = created.plain.split("_", 2)[2]
    with db.engine.connect() as connection:
        for table in ("api_keys", "audit_log"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                assert not any(secret in str(value) for value in row), table
    with db.read() as store:
        (key,) = store.api_keys.list()
        assert key.role is Role.ADMIN and key.secret_sha256 != secret
        assert store.api_keys.by_prefix(key.prefix).id == key.id
        assert [e.action for e in store.audit.entries(object_type="api_key")] == ["api_key.create"]


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.ANALYST) and Role.ANALYST.allows(Role.VIEWER)
    assert not Role.VIEWER.allows(Role.ANALYST) and not Role.ANALYST.allows(Role.ADMIN)
