"""``links`` as an analyst runs it, on SQLite and PostgreSQL: the queue a screen filled, as
a table and as JSON, then a confirmation and a rejection and what each did to the account.

The commands run through a Typer app of their own (``ownergate.cli.main`` registers
``links_app``; these tests do not depend on that), in-process with ``CliRunner``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from ownergate.cli.links_cmd import links_app
from ownergate.store import Database, upgrade
from tests.databases import database_url, postgres_server  # noqa: F401
from tests.integration.api.test_links_api import screen_twins

app = typer.Typer()
app.add_typer(links_app, name="links")


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
    # Unlinked, declared in Singapore (a holding jurisdiction): review.
    assert "a-twin: linked to no entity; review" in rejected.stdout
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
