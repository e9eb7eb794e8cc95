"""API keys: ``og_<prefix>_<secret>``, stored as the prefix and the SHA-256 of the secret.

The prefix (12 hex digits) is public: it finds the key's row and names the key in audit
rows and logs. The secret is 32 random bytes (``secrets.token_urlsafe``), so a plain,
unsalted SHA-256 is enough (nothing to brute-force, unlike a password), and it is compared
in constant time. The plain key is returned once, by ``create``; the store cannot show it
again.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ownergate.errors import shown
from ownergate.store import checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import ApiKey, Role
from ownergate.store.states import api_key_state
from ownergate.store.types import utcnow

_KEY = re.compile(r"^og_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
# A fixed hash compared against when the prefix is unknown, so that case takes as long.
_NO_KEY = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True)
class Principal:
    """Who an authenticated request acts as."""

    key_id: int
    prefix: str
    role: Role
    label: str

    @property
    def actor(self) -> str:
        """The name audit rows record for this principal."""
        return f"key:{self.prefix}"


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    plain: str  # shown once: only its hash is stored


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


class ApiKeyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def create(self, *, role: Role | str, label: str = "", actor: str) -> CreatedKey:
        """A new key with ``role``; the result's ``plain`` is the only copy of the key.
        ``label`` (whose key it is) is optional: empty means none, but a given one must be
        real text."""
        kind = checks.choice(Role, role, "role")
        if label != "":
            checks.text(label, "label", 200)
        with self._audit.writing(actor):
            prefix = secrets.token_hex(6)
            while self.session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)):
                prefix = secrets.token_hex(6)
            secret = secrets.token_urlsafe(32)
            key = ApiKey(
                prefix=prefix,
                secret_sha256=_hash(secret),
                role=kind,
                label=label,
                created_at=utcnow(),
                revoked_at=None,
            )
            self.session.add(key)
            self.session.flush()
            self._audit.append(
                actor,
                "api_key.create",
                "api_key",
                key.id,
                api_key_state(key),
            )
        return CreatedKey(key, f"og_{prefix}_{secret}")

    def authenticate(self, plain: str) -> Principal | None:
        """The principal of a valid, unrevoked key; None for anything else."""
        match = _KEY.match(plain) if isinstance(plain, str) else None
        if match is None:
            return None
        prefix, secret = match.groups()
        key = self.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
        expected = _NO_KEY if key is None else key.secret_sha256
        if not hmac.compare_digest(_hash(secret), expected) or key is None:
            return None
        if key.revoked_at is not None:
            return None
        return Principal(key.id, key.prefix, key.role, key.label)

    def revoke(self, key_id: int, *, actor: str) -> ApiKey:
        """Revoke a key: from now on it authenticates nothing."""
        with self._audit.writing(actor):
            key = self.get(key_id)
            if key.revoked_at is not None:
                raise ConflictError(f"API key {key.prefix} is revoked already")
            key.revoked_at = utcnow()
            self.session.flush()
            self._audit.append(
                actor,
                "api_key.revoke",
                "api_key",
                key.id,
                api_key_state(key),
            )
        return key

    def get(self, key_id: int) -> ApiKey:
        key = self.session.get(ApiKey, key_id, populate_existing=True)
        if key is None:
            raise NotFoundError(f"no API key {key_id}")
        return key

    def by_prefix(self, prefix: str) -> ApiKey:
        """The key whose plain form starts ``og_<prefix>_``."""
        key = self.session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).first()
        if key is None:
            raise NotFoundError(f"no API key {shown(prefix)}")
        return key

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first (no secrets: none are stored)."""
        return list(self.session.scalars(select(ApiKey).order_by(ApiKey.id)))
