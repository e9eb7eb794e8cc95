"""The store's tables as typed SQLAlchemy models.

The schema itself is made by the migrations (``store/migrations``), which also add the
triggers that make ``decisions``, ``overrides``, ``override_reviews``, the two activation
tables, ``audit_log`` and published ``policies`` rows append-only in the database. A test
checks that these models and the migrated schema agree.

Objects returned by the repositories are for reading: a change made to one inside a session
is refused at flush (``UnauditedWriteError``), since it would bypass the audit log.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Date, Double, Enum, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ownergate.domain.model import Reason, Status
from ownergate.policy.model import Policy, parse_policy
from ownergate.store.types import BigIntId, ExactDecimal, Json, UTCDateTime

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AccountStatus(StrEnum):
    ACTIVE = "active"
    CLOSED = "closed"


class Verdict(StrEnum):
    """What an override asks for."""

    ALLOW = "allow"
    RESTRICT = "restrict"


class ReviewOutcome(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Role(StrEnum):
    """API key roles, each allowed what the one before it is."""

    VIEWER = "viewer"
    ANALYST = "analyst"
    ADMIN = "admin"

    def allows(self, required: Role) -> bool:
        """Whether a key with this role may use a route that requires ``required``."""
        order = list(Role)
        return order.index(self) >= order.index(required)


def _enum(kind: type[StrEnum], length: int = 20) -> Enum:
    # Plain strings in the database; the CHECK constraints come from the migration.
    return Enum(
        kind,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    organisation_name: Mapped[str] = mapped_column(String(500))
    declared_country: Mapped[str] = mapped_column(String(2))
    entity_id: Mapped[str | None] = mapped_column(String(200))
    lei: Mapped[str | None] = mapped_column(String(20))
    annual_revenue: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    revenue_currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[AccountStatus] = mapped_column(_enum(AccountStatus))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The parent company's country as the customer declared it (migration 0004).
    parent_country: Mapped[str | None] = mapped_column(String(2))


class PolicyVersion(Base):
    """A stored policy: a draft until ``published_at`` is set, immutable from then on."""

    __tablename__ = "policies"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    toml: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def published(self) -> bool:
        return self.published_at is not None

    def policy(self) -> Policy:
        """The policy this version holds, parsed from its stored TOML."""
        return parse_policy(self.toml, f"policy version {self.version}")


class PolicyActivation(Base):
    """From ``active_from`` on, ``version`` is the active policy (until a later activation)."""

    __tablename__ = "policy_activations"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    version: Mapped[int] = mapped_column(ForeignKey("policies.version"))
    active_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    activated_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RegisteredSnapshot(Base):
    """A registry snapshot known to the service, by the digest of its content."""

    __tablename__ = "snapshots"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    manifest: Mapped[dict[str, Any]] = mapped_column(Json)
    registered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SnapshotActivation(Base):
    __tablename__ = "snapshot_activations"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    digest: Mapped[str] = mapped_column(ForeignKey("snapshots.digest"))
    active_from: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    activated_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Decision(Base):
    """One screening outcome for an account; a later one supersedes it, nothing changes it."""

    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_account_id_id", "account_id", "id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    entity_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[Status] = mapped_column(_enum(Status))
    reason: Mapped[Reason] = mapped_column(_enum(Reason))
    share_min: Mapped[float] = mapped_column(Double)
    share_max: Mapped[float] = mapped_column(Double)
    method: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[dict[str, Any]] = mapped_column(Json)
    policy_version: Mapped[int] = mapped_column(ForeignKey("policies.version"))
    snapshot_digest: Mapped[str | None] = mapped_column(ForeignKey("snapshots.digest"))
    computed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    supersedes: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), unique=True)
    # What an override is bound to, readable without the evidence (migration 0004; NULL on
    # older decisions): the decision's flags and its seed path (entity ids, seed first).
    flags: Mapped[list[str] | None] = mapped_column(Json)
    seed_path: Mapped[list[str] | None] = mapped_column(Json)


class Override(Base):
    """An analyst's verdict on an account; in force once approved, until ``expires_at``."""

    __tablename__ = "overrides"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict))
    reason: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The decision it was requested on (migration 0004; NULL: bound to nothing).
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))


class OverrideLapse(Base):
    """An approved override that stopped being in force: a new decision on the account was
    worse than, or rested on other evidence than, the decision it was bound to."""

    __tablename__ = "override_lapses"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    override_id: Mapped[int] = mapped_column(ForeignKey("overrides.id"), unique=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    reasons: Mapped[list[str]] = mapped_column(Json)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OverrideReview(Base):
    """The one review of an override (the unique key makes a second one impossible)."""

    __tablename__ = "override_reviews"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    override_id: Mapped[int] = mapped_column(ForeignKey("overrides.id"), unique=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[ReviewOutcome] = mapped_column(_enum(ReviewOutcome))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """An API key: its public prefix and the SHA-256 of its secret, never the secret."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[Role] = mapped_column(_enum(Role))
    label: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One row of the hash-chained audit log (see ``ownergate.store.audit``)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_account_id_seq", "account_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The account the row is about, derived from the payload (not hashed; migration 0004).
    account_id: Mapped[str | None] = mapped_column(String(200))


class AuditHeadRow(Base):
    """The single row naming the last audit entry; writers lock it to append in turn."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigIntId)
    hash: Mapped[str] = mapped_column(String(64))


class LinkOutcome(StrEnum):
    LINKED = "linked"
    REVIEW = "review"
    UNMATCHED = "unmatched"


class LinkVerdict(StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"


class EntityLink(Base):
    """An account's current resolution against a snapshot's registry (replaced on the next
    resolution); ``review`` rows are the analysts' queue."""

    __tablename__ = "entity_links"
    __table_args__ = (Index("ix_entity_links_outcome", "outcome"),)

    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    subject_name: Mapped[str] = mapped_column(String(500))
    subject_country: Mapped[str] = mapped_column(String(2))
    outcome: Mapped[LinkOutcome] = mapped_column(_enum(LinkOutcome))
    method: Mapped[str] = mapped_column(String(20))
    score: Mapped[float] = mapped_column(Double)
    entity_id: Mapped[str | None] = mapped_column(String(200))
    candidates: Mapped[list[dict[str, Any]]] = mapped_column(Json)
    snapshot_digest: Mapped[str | None] = mapped_column(ForeignKey("snapshots.digest"))
    resolved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class LinkReview(Base):
    """An analyst's answer on one (account, entity) link: kept, and reused by every later
    resolution of the account (a rejection outranks a confirmation)."""

    __tablename__ = "link_reviews"
    __table_args__ = (Index("ix_link_reviews_account_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"))
    entity_id: Mapped[str] = mapped_column(String(200))
    verdict: Mapped[LinkVerdict] = mapped_column(_enum(LinkVerdict))
    reviewer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ScreenRun(Base):
    """A whole-base screen or a re-screen; ``cursor`` is the last account id done, so an
    interrupted run resumes after it. ``finished_at`` is set when every account is done."""

    __tablename__ = "screen_runs"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    policy_version: Mapped[int] = mapped_column(ForeignKey("policies.version"))
    snapshot_digest: Mapped[str | None] = mapped_column(ForeignKey("snapshots.digest"))
    from_policy_version: Mapped[int | None] = mapped_column(ForeignKey("policies.version"))
    from_snapshot_digest: Mapped[str | None] = mapped_column(ForeignKey("snapshots.digest"))
    actor: Mapped[str] = mapped_column(String(200))
    cursor: Mapped[str | None] = mapped_column(String(200))
    counts: Mapped[dict[str, Any]] = mapped_column(Json)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class ChangeKind(StrEnum):
    ACCOUNT = "account"  # an account write (the fields of a PUT)
    LINK = "link"  # an analyst's answer on an entity link


class PendingChange(Base):
    """A write that would lift an account's restriction (to allowed or review), held until
    a principal other than its requester approves it; ``base`` fingerprints the account,
    its decision and its link as they were, so an approval never applies it over later
    changes."""

    __tablename__ = "pending_changes"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(_enum(ChangeKind))
    change: Mapped[dict[str, Any]] = mapped_column(Json)
    base: Mapped[dict[str, Any]] = mapped_column(Json)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class ChangeReview(Base):
    """The one review of a pending change (the unique key makes a second one impossible)."""

    __tablename__ = "change_reviews"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("pending_changes.id"), unique=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[ReviewOutcome] = mapped_column(_enum(ReviewOutcome))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
