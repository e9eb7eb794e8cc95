"""Policy versions: drafted, published (immutable from then on), activated.

The store numbers versions 1, 2, 3, ... in the order drafts are created. The text kept is
the policy's canonical TOML (``Policy.to_toml``) carrying that number, so a stored version
parses back to exactly the policy that decisions under it used; comments are not kept. A
draft whose TOML states another ``version`` is refused rather than silently renumbered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ownergate.errors import PolicyError
from ownergate.policy.model import default_policy, parse_policy
from ownergate.store import activations, checks
from ownergate.store.audit import AuditLog
from ownergate.store.errors import ConflictError, NotFoundError
from ownergate.store.models import PolicyActivation, PolicyVersion
from ownergate.store.states import policy_state
from ownergate.store.types import utcnow

MAX_TOML_LENGTH = 64 * 1024


class PolicyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self._audit = AuditLog(session)

    def create_draft(self, toml: str, *, actor: str) -> PolicyVersion:
        """Store ``toml`` as the next version, unpublished. Invalid TOML is a PolicyError."""
        checks.text(toml, "toml", MAX_TOML_LENGTH)
        policy = parse_policy(toml, "policy")
        with self._audit.writing(actor):
            last = self.session.scalar(select(func.max(PolicyVersion.version)))
            version = (last or 0) + 1
            stated = tomllib.loads(toml).get("version")
            if stated is not None and stated != version:
                raise PolicyError(
                    f"is {stated}, but this draft will be version {version}: "
                    "leave the key out or state that number",
                    file="policy",
                    field="version",
                )
            text = policy.model_copy(update={"version": version}).to_toml()
            draft = PolicyVersion(
                version=version,
                name=policy.name,
                toml=text,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                effective_from=policy.effective_from,
                created_at=utcnow(),
                published_at=None,
            )
            self.session.add(draft)
            self.session.flush()
            self._audit.append(
                actor,
                "policy.create_draft",
                "policy",
                version,
                policy_state(draft),
            )
        return draft

    def publish(self, version: int, *, actor: str) -> PolicyVersion:
        """Publish a draft: from now on its row cannot change (the database refuses it)."""
        with self._audit.writing(actor):
            draft = self.get(version)
            if draft.published:
                raise ConflictError(f"policy version {version} is published already")
            draft.published_at = utcnow()
            self.session.flush()
            self._audit.append(
                actor,
                "policy.publish",
                "policy",
                version,
                policy_state(draft),
            )
        return draft

    def activate(
        self, version: int, *, actor: str, active_from: dt.datetime | None = None
    ) -> PolicyActivation:
        """Make a published version the active one from ``active_from`` (default: now)."""
        with self._audit.writing(actor):
            policy = self.get(version)
            if not policy.published:
                raise ConflictError(f"policy version {version} is a draft: publish it first")
            return activations.append(
                self.session,
                self._audit,
                PolicyActivation(version=version),
                actor=actor,
                active_from=active_from,
                action="policy.activate",
            )

    def active(self, at: dt.datetime | None = None) -> PolicyVersion:
        """The version active at ``at`` (default: now)."""
        activation = activations.latest(self.session, PolicyActivation, at)
        if activation is None:
            raise NotFoundError("no policy is active" + ("" if at is None else f" at {at}"))
        return self.get(activation.version)

    def get(self, version: int) -> PolicyVersion:
        policy = self.session.get(PolicyVersion, version, populate_existing=True)
        if policy is None:
            raise NotFoundError(f"no policy version {version}")
        return policy

    def activations(self) -> list[PolicyActivation]:
        """Every activation in the order recorded: which version, from when, by whom."""
        return activations.history(self.session, PolicyActivation)

    def ensure_seed(self, *, actor: str = "system") -> PolicyVersion | None:
        """On a store without policies, add the seed policy as version 1, published and
        active from now; returns it, or None when the store had policies already."""
        with self._audit.writing(actor):
            if self.session.scalar(select(func.count()).select_from(PolicyVersion)):
                return None
            seed = self.create_draft(default_policy().to_toml(), actor=actor)
            self.publish(seed.version, actor=actor)
            self.activate(seed.version, actor=actor)
        return seed

    # Last in the class: defined earlier, ``list`` would shadow the builtin in the
    # annotations of the methods after it.
    def list(self) -> list[PolicyVersion]:
        """Every version, drafts included, oldest first."""
        return list(self.session.scalars(select(PolicyVersion).order_by(PolicyVersion.version)))
