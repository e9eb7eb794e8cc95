"""PostgreSQL tells listeners which accounts' verdicts changed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06

A verdict is the newest decision plus the approved override in force, with the account's
declared country, so appending a decision or an override review, or writing an account,
can change one. Statement triggers send each changed account id on the
``ownergate_verdicts`` channel (delivered at commit; PostgreSQL folds repeats within a
transaction), or ``*`` when a statement touches more than ``BULK`` accounts, so a bulk
screen sends one notification instead of one per account. SQLite has no notifications:
readers there watch ``PRAGMA data_version`` instead (``ownergate.store.changes``).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHANNEL = "ownergate_verdicts"
BULK = 1000


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION ownergate_notify_decisions() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF (SELECT count(DISTINCT account_id) FROM added) > {BULK} THEN "
        f"PERFORM pg_notify('{CHANNEL}', '*'); "
        f"ELSE PERFORM pg_notify('{CHANNEL}', a.account_id) "
        "FROM (SELECT DISTINCT account_id FROM added) AS a; END IF; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE FUNCTION ownergate_notify_accounts() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF (SELECT count(*) FROM added) > {BULK} THEN "
        f"PERFORM pg_notify('{CHANNEL}', '*'); "
        f"ELSE PERFORM pg_notify('{CHANNEL}', a.id) FROM added AS a; END IF; "
        "RETURN NULL; END $$"
    )
    # A trigger with transition tables may have one event only: one for each.
    for event in ("INSERT", "UPDATE"):
        op.execute(
            f"CREATE TRIGGER accounts_{event.lower()}_notify AFTER {event} ON accounts "
            "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
            "EXECUTE FUNCTION ownergate_notify_accounts()"
        )
    op.execute(
        "CREATE FUNCTION ownergate_notify_reviews() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"PERFORM pg_notify('{CHANNEL}', o.account_id) FROM "
        "(SELECT DISTINCT overrides.account_id FROM added "
        "JOIN overrides ON overrides.id = added.override_id) AS o; "
        "RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER decisions_notify AFTER INSERT ON decisions "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION ownergate_notify_decisions()"
    )
    op.execute(
        "CREATE TRIGGER override_reviews_notify AFTER INSERT ON override_reviews "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
        "EXECUTE FUNCTION ownergate_notify_reviews()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER accounts_update_notify ON accounts")
    op.execute("DROP TRIGGER accounts_insert_notify ON accounts")
    op.execute("DROP TRIGGER override_reviews_notify ON override_reviews")
    op.execute("DROP TRIGGER decisions_notify ON decisions")
    op.execute("DROP FUNCTION ownergate_notify_reviews()")
    op.execute("DROP FUNCTION ownergate_notify_decisions()")
    op.execute("DROP FUNCTION ownergate_notify_accounts()")
