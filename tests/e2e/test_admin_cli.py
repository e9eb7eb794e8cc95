"""``keys`` and ``audit verify`` as an operator runs them, on the embedded SQLite store."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.e2e.test_cli import run


def test_keys_are_printed_once_and_the_audit_log_detects_an_edit(tmp_path: Path) -> None:
    data = {"OWNERGATE_DATA_DIR": str(tmp_path)}
    made = run("keys", "create", "--role", "analyst", "--label", "ops team", **data)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("og_") and "analyst key" in made.stderr
    listed = run("keys", "list", **data)
    assert "ops team" in listed.stdout and key not in listed.stdout
    intact = run("audit", "verify", **data)
    assert intact.returncode == 0 and "audit log intact" in intact.stdout, intact.stderr
    head = intact.stdout.split("head")[-1].split()[0]
    bad_role = run("keys", "create", "--role", "root", **data)
    assert bad_role.returncode == 2 and "role" in bad_role.stderr
    # An attacker with write access to the database file drops the guards and edits history.
    with sqlite3.connect(tmp_path / "ownergate.db") as db:
        triggers = db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        ).fetchall()
        for (name,) in triggers:
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
    broken = run("audit", "verify", "--expect-head", head, **data)
    assert broken.returncode == 1
    assert "audit log broken" in broken.stderr and "2" in broken.stderr


def test_a_key_needs_no_label(tmp_path: Path) -> None:
    # The README's own example: `ownergate keys create --role admin`.
    data = {"OWNERGATE_DATA_DIR": str(tmp_path)}
    made = run("keys", "create", "--role", "admin", **data)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().splitlines()[-1].startswith("og_")
    listed = run("keys", "list", **data)
    assert listed.returncode == 0 and "admin" in listed.stdout
    blank = run("keys", "create", "--role", "admin", "--label", "  ", **data)
    assert blank.returncode == 2 and "label" in blank.stderr
