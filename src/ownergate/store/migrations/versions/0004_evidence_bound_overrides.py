"""Overrides bound to the decision they override; flags and seed paths on decisions; the
account a row of the audit log is about; a declared parent country on accounts.

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-10

- ``decisions.flags`` (JSON list: ``unverified``, ``link_review``, ``inline``, risk signals)
  and ``decisions.seed_path`` (JSON list of entity ids from the seed down to the decided
  entity, the chain of largest restricted owners) make what an override is bound to
  readable without the evidence document. NULL on decisions made before this revision.
- ``overrides.decision_id``: the decision an override was requested on. An allow override
  is in force only while the account's current decision is no worse and rests on the same
  evidence (see ``ownergate.service.binding``); NULL on older overrides, which bind to
  nothing and so lapse (fail closed).
- ``override_lapses``: an approved override that stopped being in force because a new
  decision was worse or rested on different evidence; append-only and audited. A lapsed
  override never comes back: it joins the re-approval queue.
- ``accounts.parent_country``: the parent company's country the customer declared (a risk
  signal for accounts found in no registry).
- ``audit_log.account_id``: the account a row is about (read from its payload), indexed,
  so ``/v1/audit?account=ID`` finds every entry of one account. Filled for the rows
  already there; not part of the row's hash (it is derived from the hashed payload, and
  ``ownergate audit verify`` checks the two agree).
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _audit_account(object_type: str, object_id: str, payload: str) -> str | None:
    if object_type in ("account", "request"):
        return object_id
    try:
        found = json.loads(payload).get("account_id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


def _backfill_audit(postgresql: bool) -> None:
    bind = op.get_bind()
    # The log is append-only: its trigger is lifted for this one derived column only.
    if postgresql:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
    rows = bind.execute(sa.text("SELECT seq, object_type, object_id, payload FROM audit_log"))
    updates = [
        {"seq": seq, "account": account}
        for seq, object_type, object_id, payload in rows
        if (account := _audit_account(object_type, object_id, payload)) is not None
    ]
    if updates:
        bind.execute(
            sa.text("UPDATE audit_log SET account_id = :account WHERE seq = :seq"), updates
        )
    if postgresql:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
    else:
        op.execute(
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only, UPDATE refused'); END"
        )


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("decisions", sa.Column("flags", sa.JSON))
    op.add_column("decisions", sa.Column("seed_path", sa.JSON))
    if postgresql:
        op.add_column("overrides", sa.Column("decision_id", BIGINT, sa.ForeignKey("decisions.id")))
    else:
        # SQLite adds a column with its reference inline, never as a separate constraint.
        op.execute("ALTER TABLE overrides ADD COLUMN decision_id INTEGER REFERENCES decisions(id)")
    op.add_column("accounts", sa.Column("parent_country", sa.String(2)))
    op.add_column("audit_log", sa.Column("account_id", sa.String(200)))
    op.create_index("ix_audit_log_account_id_seq", "audit_log", ["account_id", "seq"])
    _backfill_audit(postgresql)
    op.create_table(
        "override_lapses",
        sa.Column("id", BIGINT, primary_key=True, autoincrement=True),
        sa.Column(
            "override_id", BIGINT, sa.ForeignKey("overrides.id"), nullable=False, unique=True
        ),
        sa.Column("account_id", sa.String(200), sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("decision_id", BIGINT, sa.ForeignKey("decisions.id")),
        sa.Column("reasons", sa.JSON, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_override_lapses_account_id", "override_lapses", ["account_id"])
    if postgresql:
        op.execute(
            "CREATE TRIGGER override_lapses_append_only BEFORE UPDATE OR DELETE ON "
            "override_lapses FOR EACH ROW EXECUTE FUNCTION ownergate_append_only()"
        )
        op.execute(
            "CREATE TRIGGER override_lapses_no_truncate BEFORE TRUNCATE ON override_lapses "
            "FOR EACH STATEMENT EXECUTE FUNCTION ownergate_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER override_lapses_no_{event.lower()} BEFORE {event} ON "
                f"override_lapses BEGIN SELECT RAISE(ABORT, "
                f"'override_lapses is append-only, {event} refused'); END"
            )


def downgrade() -> None:
    op.drop_index("ix_override_lapses_account_id", "override_lapses")
    op.drop_table("override_lapses")
    op.drop_index("ix_audit_log_account_id_seq", "audit_log")
    with op.batch_alter_table("audit_log") as batch:
        batch.drop_column("account_id")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("parent_country")
    with op.batch_alter_table("overrides") as batch:
        batch.drop_column("decision_id")
    with op.batch_alter_table("decisions") as batch:
        batch.drop_column("seed_path")
        batch.drop_column("flags")
