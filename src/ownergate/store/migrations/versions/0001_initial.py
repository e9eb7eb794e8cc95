"""The store's first schema: tables, append-only triggers and the audit head.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

Frozen: later schema changes are new revisions. The triggers make the append-only tables
(``APPEND_ONLY``) refuse UPDATE and DELETE (and TRUNCATE, on PostgreSQL) whoever sends
them; published policies likewise. ``audit_head`` starts at seq 0 with the all-zero genesis hash.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS = "0" * 64
APPEND_ONLY = (
    "policy_activations",
    "snapshots",
    "snapshot_activations",
    "decisions",
    "overrides",
    "override_reviews",
    "audit_log",
)
BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def _tables() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("organisation_name", sa.String(500), nullable=False),
        sa.Column("declared_country", sa.String(2), nullable=False),
        sa.Column("entity_id", sa.String(200)),
        sa.Column("lei", sa.String(20)),
        sa.Column("annual_revenue", sa.Numeric().with_variant(sa.String(64), "sqlite")),
        sa.Column("revenue_currency", sa.String(3)),
        sa.Column("status", sa.String(20), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _one_of("status", ("active", "closed")),
        sa.CheckConstraint(
            "(annual_revenue IS NULL) = (revenue_currency IS NULL)", name="revenue_currency"
        ),
    )
    op.create_table(
        "policies",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("toml", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("effective_from", sa.Date),
        _time("created_at"),
        _time("published_at", nullable=True),
    )
    op.create_table(
        "policy_activations",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("version", sa.Integer, sa.ForeignKey("policies.version"), nullable=False),
        _time("active_from"),
        sa.Column("activated_by", sa.String(200), nullable=False),
        _time("recorded_at"),
    )
    op.create_index("ix_policy_activations_active_from", "policy_activations", ["active_from"])
    op.create_table(
        "snapshots",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("manifest", sa.JSON, nullable=False),
        _time("registered_at"),
    )
    op.create_index("ix_snapshots_name", "snapshots", ["name"])
    op.create_table(
        "snapshot_activations",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("digest", sa.String(64), sa.ForeignKey("snapshots.digest"), nullable=False),
        _time("active_from"),
        sa.Column("activated_by", sa.String(200), nullable=False),
        _time("recorded_at"),
    )
    op.create_index("ix_snapshot_activations_active_from", "snapshot_activations", ["active_from"])
    op.create_table(
        "decisions",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("account_id", sa.String(200), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("entity_id", sa.String(200)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("share_min", sa.Double, nullable=False),
        sa.Column("share_max", sa.Double, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("policy_version", sa.Integer, sa.ForeignKey("policies.version"), nullable=False),
        sa.Column("snapshot_digest", sa.String(64), sa.ForeignKey("snapshots.digest")),
        _time("computed_at"),
        _time("recorded_at"),
        sa.Column("supersedes", BIGINT, sa.ForeignKey("decisions.id"), unique=True),
        _one_of("status", ("restricted", "allowed", "review")),
        _one_of("reason", ("region", "listed", "ownership", "undetermined", "none")),
        _one_of("method", ("control", "effective")),
    )
    op.create_index("ix_decisions_account_id_id", "decisions", ["account_id", "id"])
    op.create_table(
        "overrides",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("account_id", sa.String(200), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _time("expires_at"),
        sa.Column("requested_by", sa.String(200), nullable=False),
        _time("requested_at"),
        _one_of("verdict", ("allow", "restrict")),
    )
    op.create_index("ix_overrides_account_id", "overrides", ["account_id"])
    op.create_table(
        "override_reviews",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column(
            "override_id", BIGINT, sa.ForeignKey("overrides.id"), nullable=False, unique=True
        ),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        _time("at"),
        _one_of("outcome", ("approve", "reject")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", BIGINT, primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False, unique=True),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        _time("created_at"),
        _time("revoked_at", nullable=True),
        _one_of("role", ("viewer", "analyst", "admin")),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", BIGINT, primary_key=True, autoincrement=False),
        _time("at"),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("object_type", sa.String(50), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", BIGINT, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="single_row"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only, {event} refused'); END"
            )
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER policies_published_no_{event.lower()} BEFORE {event} ON policies "
            "WHEN OLD.published_at IS NOT NULL "
            f"BEGIN SELECT RAISE(ABORT, 'a published policy is immutable, {event} refused'); END"
        )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION ownergate_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% is append-only, % refused', TG_TABLE_NAME, TG_OP "
        "USING ERRCODE = 'restrict_violation'; END $$"
    )
    op.execute(
        "CREATE FUNCTION ownergate_published_policy() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN IF OLD.published_at IS NOT NULL THEN "
        "RAISE EXCEPTION 'policy version % is published and immutable, % refused', "
        "OLD.version, TG_OP USING ERRCODE = 'restrict_violation'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
    )
    for table in APPEND_ONLY:
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ownergate_append_only()"
        )
    for table in (*APPEND_ONLY, "policies"):
        # Row triggers do not fire on TRUNCATE.
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ownergate_append_only()"
        )
    op.execute(
        "CREATE TRIGGER policies_published BEFORE UPDATE OR DELETE ON policies "
        "FOR EACH ROW EXECUTE FUNCTION ownergate_published_policy()"
    )


def upgrade() -> None:
    _tables()
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    for table in (
        "audit_head",
        "audit_log",
        "api_keys",
        "override_reviews",
        "overrides",
        "decisions",
        "snapshot_activations",
        "snapshots",
        "policy_activations",
        "policies",
        "accounts",
    ):
        op.drop_table(table)  # SQLite drops a table's triggers with it
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION ownergate_published_policy()")
        op.execute("DROP FUNCTION ownergate_append_only()")
