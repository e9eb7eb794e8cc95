"""Pending changes: account writes and link answers that would lift a restriction, held
for a second principal's approval.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

``pending_changes`` holds each held write (the PUT's fields, or the link answer) with the
fingerprint of the account it was asked against; ``change_reviews`` the one approval or
rejection of each. Both are append-only, like overrides and their reviews.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLES = ("pending_changes", "change_reviews")


def _time(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _one_of(column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({listed})", name=column)


def upgrade() -> None:
    op.create_table(
        "pending_changes",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column("account_id", sa.String(200), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("change", sa.JSON, nullable=False),
        sa.Column("base", sa.JSON, nullable=False),
        sa.Column("from_status", sa.String(20), nullable=False),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("requested_by", sa.String(200), nullable=False),
        _time("requested_at"),
        _one_of("kind", ("account", "link")),
    )
    op.create_index("ix_pending_changes_account_id", "pending_changes", ["account_id"])
    op.create_table(
        "change_reviews",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column(
            "change_id", BIGINT, sa.ForeignKey("pending_changes.id"), nullable=False, unique=True
        ),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _time("at"),
        _one_of("outcome", ("approve", "reject")),
    )
    for table in TABLES:
        if op.get_bind().dialect.name == "postgresql":
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ownergate_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ownergate_append_only()"
            )
            continue
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only, {event} refused'); END"
            )


def downgrade() -> None:
    op.drop_table("change_reviews")
    op.drop_index("ix_pending_changes_account_id", "pending_changes")
    op.drop_table("pending_changes")
