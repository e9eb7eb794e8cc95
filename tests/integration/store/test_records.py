"""Rows changed, added or deleted behind the store's back (triggers dropped first) no
longer match the audit log, and ``verify_records`` names them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from ownergate.store import Database, verify_chain, verify_records
from tests.integration.store.sample import disable_append_only, populate


@pytest.fixture
def populated(db: Database, tmp_path: Path) -> Database:
    populate(db, tmp_path / "snapshots")
    return db


def _problems(db: Database) -> list[str]:
    with db.read() as store:
        assert verify_chain(store.session).ok  # the log itself is untouched
        return [str(p) for p in verify_records(store.session).problems]


def _attack(db: Database, table: str, statement: str) -> None:
    with db.write() as store:
        disable_append_only(store.session, table)
        store.session.execute(text(statement))


def test_untouched_rows_match(populated: Database) -> None:
    with populated.read() as store:
        report = verify_records(store.session)
    assert report.ok, report
    assert report.checked == 9 and "match" in str(report)


@pytest.mark.parametrize(
    ("table", "statement", "named"),
    [
        ("decisions", "UPDATE decisions SET status = 'allowed'", "decision 1: differs"),
        ("decisions", "UPDATE decisions SET evidence = '{}'", "decision 1: differs"),
        ("decisions", "DELETE FROM decisions", "decision 1: was deleted"),
        ("accounts", "UPDATE accounts SET declared_country = 'FR'", "account acct-1: differs"),
        (
            "accounts",
            "INSERT INTO accounts (id, organisation_name, declared_country, status, "
            "created_at, updated_at) VALUES ('ghost', 'Ghost', 'SG', 'active', "
            "'2025-01-01 00:00:00', '2025-01-01 00:00:00')",
            "account ghost: is not in the audit log",
        ),
        ("override_reviews", "DELETE FROM override_reviews", "override 1: differs"),
        ("change_reviews", "DELETE FROM change_reviews", "pending_change 1: differs"),
        (
            "pending_changes",
            "UPDATE pending_changes SET to_status = 'review'",
            "pending_change 1: differs",
        ),
        (
            "api_keys",
            "UPDATE api_keys SET secret_sha256 = upper(secret_sha256)",
            "api_key 1: differs",
        ),
        ("api_keys", "UPDATE api_keys SET role = 'admin'", "api_key 1: differs"),
        ("policies", "UPDATE policies SET toml = 'regions = []'", "policy 1: differs"),
        (
            "policy_activations",
            "UPDATE policy_activations SET activated_by = 'mallory'",
            "policy_activation 1: differs",
        ),
        ("snapshots", "UPDATE snapshots SET name = 'other'", "snapshot "),
    ],
)
def test_a_changed_added_or_deleted_row_is_named(
    populated: Database, table: str, statement: str, named: str
) -> None:
    _attack(populated, table, statement)
    problems = _problems(populated)
    assert len(problems) == 1 and problems[0].startswith(named), problems
