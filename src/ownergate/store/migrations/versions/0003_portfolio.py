"""Portfolio screening: entity links, analysts' link reviews and screening runs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

``entity_links`` holds each account's current resolution against the registry (one row per
account, replaced when it is resolved again), with the name and country it was resolved on;
the decisions made on it record the same resolution in their evidence, so the audit trail
does not depend on this working table.
``link_reviews`` are analysts' answers (confirm or reject an entity for an account):
append-only, and reused by every later resolution. ``screen_runs`` track whole-base screens
and re-screens, with the last account done, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON


def _time(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def upgrade() -> None:
    op.create_table(
        "entity_links",
        sa.Column("account_id", sa.String(200), sa.ForeignKey("accounts.id"), primary_key=True),
        sa.Column("subject_name", sa.String(500), nullable=False),
        sa.Column("subject_country", sa.String(2), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("score", sa.Double, nullable=False),
        sa.Column("entity_id", sa.String(200)),
        sa.Column("candidates", JSON, nullable=False),
        sa.Column("snapshot_digest", sa.String(64), sa.ForeignKey("snapshots.digest")),
        _time("resolved_at"),
        _one_of("outcome", ("linked", "review", "unmatched")),
        sa.CheckConstraint("(outcome = 'linked') = (entity_id IS NOT NULL)", name="entity"),
    )
    op.create_index("ix_entity_links_outcome", "entity_links", ["outcome"])
    op.create_table(
        "link_reviews",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(200), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _time("at"),
        _one_of("verdict", ("confirm", "reject")),
    )
    op.create_index("ix_link_reviews_account_id", "link_reviews", ["account_id"])
    op.create_table(
        "screen_runs",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column(
            "policy_version", sa.Integer(), sa.ForeignKey("policies.version"), nullable=False
        ),
        sa.Column("snapshot_digest", sa.String(64), sa.ForeignKey("snapshots.digest")),
        sa.Column("from_policy_version", sa.Integer(), sa.ForeignKey("policies.version")),
        sa.Column("from_snapshot_digest", sa.String(64), sa.ForeignKey("snapshots.digest")),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("cursor", sa.String(200)),
        sa.Column("counts", JSON, nullable=False),
        _time("started_at"),
        _time("finished_at", nullable=True),
        _one_of("kind", ("screen", "rescreen")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER link_reviews_append_only BEFORE UPDATE OR DELETE ON link_reviews "
            "FOR EACH ROW EXECUTE FUNCTION ownergate_append_only()"
        )
        op.execute(
            "CREATE TRIGGER link_reviews_no_truncate BEFORE TRUNCATE ON link_reviews "
            "FOR EACH STATEMENT EXECUTE FUNCTION ownergate_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER link_reviews_no_{event.lower()} BEFORE {event} ON link_reviews "
                f"BEGIN SELECT RAISE(ABORT, 'link_reviews is append-only, {event} refused'); END"
            )


def downgrade() -> None:
    op.drop_table("screen_runs")
    op.drop_table("link_reviews")
    op.drop_index("ix_entity_links_outcome", "entity_links")
    op.drop_table("entity_links")
