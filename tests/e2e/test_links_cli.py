"""``links`` as an analyst runs it, on SQLite and PostgreSQL: the queue a screen filled, as
a table and as JSON, then a confirmation and a rejection and what each did to the account.

The commands run through a Typer app of their own (``ownergate.cli.main`` registers
``links_app`` and ``changes_app``; these tests do not depend on that), in-process with
``CliRunner``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from ownergate.cli.changes_cmd import changes_app
from ownergate.cli.links_cmd import links_app
from ownergate.store import Database, upgrade
from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.api.test_links_api import screen_twins
from tests.integration.service.registry import create_keys

app = typer.Typer()
app.add_typer(links_app, name="links")
app.add_typer(changes_app, name="changes")


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:  # noqa: F811
    """The settings of a store whose screen queued ``a-twin`` (candidates TWA and TWB)."""
    data_dir = tmp_path / "data"
    upgrade(database_url)
    screen_twins(database_url, data_dir)
    return {
        "OWNERGATE_DATABASE_URL": database_url,
        "OWNERGATE_DATA_DIR": str(data_dir),
        "COLUMNS": "200",
    }


def links(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(app, ["links", *args], env=env)


def test_the_queue_is_listed_as_a_table_and_as_json(env: dict[str, str]) -> None:
    table = links(env, "queue")
    assert table.exit_code == 0, table.output
    assert "a-twin" in table.stdout and "Twin Star Trading" in table.stdout
    assert "1 account(s) waiting for review" in table.stdout
    doc = json.loads(links(env, "queue", "--json").stdout)
    assert doc["total"] == 1 and doc["next_after"] is None
    [item] = doc["items"]
    assert (item["account_id"], item["outcome"]) == ("a-twin", "review")
    assert {c["entity_id"] for c in item["candidates"]} == {"TWA", "TWB"}
    paged = json.loads(links(env, "queue", "--json", "--limit", "1").stdout)
    assert paged["next_after"] == "a-twin"
    rest = json.loads(links(env, "queue", "--json", "--after", "a-twin").stdout)
    assert rest["items"] == [] and rest["total"] == 1


def test_a_confirmation_links_the_account_and_a_rejection_unlinks_it(
    env: dict[str, str],
    database_url: str,  # noqa: F811
) -> None:
    confirmed = links(env, "confirm", "a-twin", "TWA", "--reason", "register extract")
    assert confirmed.exit_code == 0, confirmed.output
    assert "a-twin: linked to TWA; restricted (ownership, new decision)" in confirmed.stdout
    assert "confirmed TWA for a-twin" in confirmed.stderr and "by cli:" in confirmed.stderr
    assert json.loads(links(env, "queue", "--json").stdout)["total"] == 0

    rejected = links(env, "reject", "a-twin", "TWA", "--reason", "wrong company")
    assert rejected.exit_code == 0, rejected.output
    # Unlinked, declared in Singapore (a holding jurisdiction): review. That would lift
    # the restriction, so it is held for another principal.
    assert "from restricted to review, so it waits as change 1" in rejected.stdout
    changes = CliRunner().invoke(app, ["changes", "list", "--json"], env=env)
    assert json.loads(changes.stdout)["requested_by"].startswith("cli:")
    # The same operating-system user cannot approve it; another principal (a key) can.
    self_approved = CliRunner().invoke(app, ["changes", "approve", "1", "--reason", "ok"], env=env)
    assert self_approved.exit_code == 1 and "another principal" in self_approved.stderr
    typed = CliRunner().invoke(
        app, ["changes", "approve", "1", "--reason", "ok", "--actor", "john"], env=env
    )
    assert typed.exit_code == 2  # no one names themselves someone else
    keys = create_keys(database_url)
    viewer = CliRunner().invoke(
        app, ["changes", "approve", "1", "--reason", "ok", "--key", keys["viewer"]], env=env
    )
    assert viewer.exit_code == 1 and "needs analyst" in viewer.stderr
    approved = CliRunner().invoke(
        app, ["changes", "approve", "1", "--reason", "checked", "--key", keys["analyst"]], env=env
    )
    assert approved.exit_code == 0, approved.output
    assert "a-twin is review" in approved.stdout
    shown = json.loads(links(env, "show", "a-twin", "--json").stdout)
    assert shown["link"]["entity_id"] is None
    assert [(r["verdict"], r["entity_id"]) for r in shown["reviews"]] == [
        ("confirm", "TWA"),
        ("reject", "TWA"),
    ]
    assert shown["reviews"][1]["reviewer"].startswith("cli:")
    assert "wrong company" in links(env, "show", "a-twin").stdout

    # A rejection is final; an unknown entity or account is refused naming it.
    again = links(env, "confirm", "a-twin", "TWA", "--reason", "changed my mind")
    assert again.exit_code == 1 and "rejected" in again.stderr
    unknown = links(env, "confirm", "a-twin", "NOPE", "--reason", "r")
    assert unknown.exit_code == 2 and "entity_id" in unknown.stderr
    missing = links(env, "show", "no-such")
    assert missing.exit_code == 1 and "no account 'no-such'" in missing.stderr

    db = Database(database_url)
    try:
        with db.read() as store:
            assert [r.reviewer for r in store.links.reviews("a-twin")][1].startswith("cli:")
    finally:
        db.dispose()
